/** The statechart page's HTML shell; the bundled script (dist/viz/app.js) builds the rest. */
export function pageHtml(assetBase: string, apiBase: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kafka-sidecar · statecharts</title>
<link rel="stylesheet" href="${assetBase}app.css">
<link rel="icon" href="data:,">
</head>
<body data-api="${apiBase}">
<header><h1>kafka-sidecar</h1><span id="status" class="status">connecting…</span></header>
<main>
  <section id="actors" aria-label="actors"><h2>Actors</h2><ul id="actor-tree"></ul></section>
  <section id="chart" aria-label="statechart"><h2 id="chart-title">Select an actor</h2><div id="chart-view"></div></section>
  <section id="log" aria-label="event log">
    <h2>Events</h2>
    <input id="log-filter" type="search" placeholder="filter: event or state" aria-label="filter events">
    <table><thead><tr><th>time</th><th>event</th><th>from</th><th>to</th></tr></thead><tbody id="log-rows"></tbody></table>
  </section>
</main>
<script type="module" src="${assetBase}app.js"></script>
</body>
</html>
`;
}
