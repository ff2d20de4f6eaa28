/**
 * docs/benchmarks.md, generated from every bench/results/<scenario>.json: a table of medians
 * (with min–max) per scenario, a table of ratios oriented so > 1 favours this project, and the
 * command that reproduces the numbers. The runner regenerates it after each run;
 * `npm run bench:docs` does so from the committed results alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratioKey } from './ratio.js';
import { parseScenarioResult, type ScenarioResult } from './result.js';

/** The repository root, seen from dist/bench/lib/. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const defaultResultsDir = join(repoRoot, 'bench', 'results');
export const defaultDocsFile = join(repoRoot, 'docs', 'benchmarks.md');

const numberFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

export function scenarioSection(r: ScenarioResult): string {
  const candidates = r.candidates.map((c) => c.name);
  const peers = candidates.filter((c) => c !== r.ours);
  const m = r.machine;
  const lines: string[] = [
    `## ${r.scenario}`,
    '',
    r.description,
    '',
    `Measured ${r.date.slice(0, 10)} on ${m.cpuModel} (${m.cores} cores, ${m.memoryMiB} MiB, load average ${m.loadAverage} at the start), Node ${m.node}, ${m.platform} ${m.osRelease}; ` +
      `median of ${r.reps} repetition${r.reps === 1 ? '' : 's'} after ${r.warmup} warm-up${r.warmup === 1 ? '' : 's'}, candidates alternating, each repetition in its own process` +
      `${r.quick ? '. **Quick run** (reduced sizes): a smoke test, not numbers to compare with other runs' : ''}.`,
    '',
    'Reproduce:',
    '',
    '```sh',
    r.command,
    '```',
    '',
    'Candidates:',
    '',
    ...r.candidates.map((c) => `- \`${c.name}\`${c.name === r.ours ? ' (this project)' : ''}${c.description ? `: ${c.description}` : ''}`),
    '',
    'Medians (min–max):',
    '',
    row(['metric', 'unit', 'better', ...candidates]),
    row(['---', '---', '---', ...candidates.map(() => '---:')]),
  ];
  for (const spec of r.metrics) {
    const cells = candidates.map((c) => {
      const res = r.results.find((x) => x.candidate === c && x.metric === spec.name);
      return res ? `${formatNumber(res.median)} (${formatNumber(res.min)}–${formatNumber(res.max)})` : '–';
    });
    if (cells.every((c) => c === '–')) continue;
    lines.push(row([spec.name, spec.unit, spec.better, ...cells]));
  }
  const described = r.metrics.filter((s) => s.description);
  if (described.length > 0) lines.push('', ...described.map((s) => `- \`${s.name}\`: ${s.description}`));
  if (peers.length > 0) {
    lines.push('', `Ratios, oriented so that > 1 means \`${r.ours}\` is better (throughput: ours/theirs; time and memory: theirs/ours):`, '');
    lines.push(row(['metric', ...peers.map((p) => `${r.ours} vs ${p}`)]));
    lines.push(row(['---', ...peers.map(() => '---:')]));
    for (const spec of r.metrics) {
      const cells = peers.map((p) => {
        const ratio = r.ratios[ratioKey(p, spec.name)];
        return ratio === undefined ? '–' : `${ratio.toFixed(2)}×`;
      });
      if (cells.every((c) => c === '–')) continue;
      lines.push(row([spec.name, ...cells]));
    }
  }
  return lines.join('\n');
}

export function benchmarksMarkdown(results: readonly ScenarioResult[]): string {
  const sorted = [...results].sort((a, b) => a.scenario.localeCompare(b.scenario));
  const intro = [
    '# Benchmarks',
    '',
    '<!-- GENERATED from bench/results/*.json by the benchmark runner (npm run bench / npm run bench:docs). Do not edit by hand. -->',
    '',
    'Each scenario compares kafka-sidecar with peer clients. The runner (bench/runner.ts, see bench/README.md) runs every',
    'candidate repetition in a separate process, alternating candidates, and reports medians; CPU seconds and peak RSS are',
    'those of the candidate\'s whole process. Build first (`npx tsc -p tsconfig.json`), then run the command shown.',
    '',
    sorted.length === 0 ? 'No results yet.' : `Scenarios: ${sorted.map((r) => `[${r.scenario}](#${r.scenario})`).join(', ')}.`,
  ];
  return [...intro, ...sorted.map((r) => `\n${scenarioSection(r)}`)].join('\n') + '\n';
}

export function readResults(dir: string = defaultResultsDir): ScenarioResult[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseScenarioResult(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}

export function writeResult(result: ScenarioResult, dir: string = defaultResultsDir): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.scenario}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Rewrites the docs page from every results file in `dir`; returns the page's path. */
export function regenerateDocs(dir: string = defaultResultsDir, docsFile: string = defaultDocsFile): string {
  mkdirSync(dirname(docsFile), { recursive: true });
  writeFileSync(docsFile, benchmarksMarkdown(readResults(dir)));
  return docsFile;
}
