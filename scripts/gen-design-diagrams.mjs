#!/usr/bin/env node
// Writes the Mermaid diagram of every registered machine (daemon/machine-registry.ts) into DESIGN.md, between the markers
// <!-- machines:begin --> and <!-- machines:end --> (via the compiled dist/machines/).
// With --check, writes nothing and exits 1 when DESIGN.md differs from the machines.
// Run `npm run build` first: the script refuses to use a dist/ older than the machine sources.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'DESIGN.md');
const check = process.argv.includes('--check');
const unknown = process.argv.slice(2).filter((a) => a !== '--check');
if (unknown.length > 0) {
  process.stderr.write(`gen-design-diagrams: unknown argument ${unknown[0]} (usage: gen-design-diagrams.mjs [--check])\n`);
  process.exit(2);
}

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

// A stale dist/ would draw older machines and make --check lie.
for (const source of [...sources(join(root, 'machines')), ...sources(join(root, 'ipc')), join(root, 'daemon', 'machine-registry.ts')]) {
  const rel = relative(root, source);
  const compiled = join(root, 'dist', rel.replace(/\.ts$/, '.js'));
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) {
    process.stderr.write(`gen-design-diagrams: dist/${rel.replace(/\.ts$/, '.js')} is missing or older than ${rel}; run npm run build first\n`);
    process.exit(1);
  }
}

const dist = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { machineRegistry } = await dist('daemon/machine-registry.js');
const { machineGraph } = await dist('machines/graph/from-machine.js');
const { machinesMarkdown, replaceMachinesBlock } = await dist('machines/graph/markdown.js');

const block = machinesMarkdown(machineRegistry.map((m) => ({ graph: machineGraph(m.machine, m.name), summary: m.summary })));
const current = readFileSync(target, 'utf8');
const rendered = replaceMachinesBlock(current, block, 'DESIGN.md');

if (check) {
  if (current !== rendered) {
    process.stderr.write('DESIGN.md: the machine diagrams are out of date with machines/; run npm run docs:machines\n');
    process.exit(1);
  }
  process.stdout.write('DESIGN.md machine diagrams are up to date\n');
} else if (current !== rendered) {
  writeFileSync(target, rendered);
  process.stdout.write('wrote the machine diagrams into DESIGN.md\n');
} else {
  process.stdout.write('DESIGN.md machine diagrams are already up to date\n');
}
