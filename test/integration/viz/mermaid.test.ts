/**
 * The Mermaid diagrams DESIGN.md embeds, rendered by Mermaid itself in headless Chromium, as
 * GitHub would: a label or id the grammar rejects fails here rather than on the docs page.
 * Covers every registered machine and the sample machine with parallel and history states.
 */
import test from 'ava';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';
import { machineGraph } from '../../../machines/graph/from-machine.js';
import { machineToMermaid } from '../../../machines/graph/mermaid.js';
import { registeredGraphs } from '../../../daemon/machine-registry.js';
import { sampleMachine } from '../../unit/machines/graph/sample-machines.js';

const mermaidScript = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let browser: Browser | undefined;
test.after.always(async () => {
  await browser?.close();
});

test('every machine diagram renders in Mermaid, every state named in the drawing', async (t) => {
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ path: mermaidScript });
  await page.evaluate(() => (globalThis as unknown as { mermaid: { initialize(o: object): void } }).mermaid.initialize({ startOnLoad: false }));
  const graphs = [...registeredGraphs(), machineGraph(sampleMachine)];
  for (const graph of graphs) {
    const text = machineToMermaid(graph);
    const result = await page.evaluate(async ({ id, text }) => {
      const mermaid = (globalThis as unknown as { mermaid: { render(id: string, text: string): Promise<{ svg: string }> } }).mermaid;
      try {
        const { svg } = await mermaid.render(id, text);
        return { svg };
      } catch (err) {
        return { error: err instanceof Error ? err.message : String(err) };
      }
    }, { id: `m-${graph.name}`, text });
    t.is(result.error, undefined, `${graph.name}:\n${text}`);
    const svg = result.svg ?? '';
    t.regex(svg, /^<svg/, graph.name);
    // Every state key appears as a label (the root excepted).
    for (const node of graph.nodes.slice(1)) t.true(svg.includes(`>${node.key}<`) || svg.includes(node.key), `${graph.name}: ${node.key}`);
  }
});
