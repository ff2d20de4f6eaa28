#!/usr/bin/env node
// Writes docs/configuration.md from the configuration schema (via the compiled dist/config/docs.js).
// With --check, writes nothing and exits 1 when the committed file differs from the schema.
// Run `npm run build` first: the script refuses to use a dist/ older than the config sources.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'docs', 'configuration.md');
const check = process.argv.includes('--check');
const unknown = process.argv.slice(2).filter((a) => a !== '--check');
if (unknown.length > 0) {
  process.stderr.write(`gen-config-docs: unknown argument ${unknown[0]} (usage: gen-config-docs.mjs [--check])\n`);
  process.exit(2);
}

// A stale dist/ would render the docs of an older schema and make --check lie.
for (const name of readdirSync(join(root, 'config')).filter((n) => n.endsWith('.ts'))) {
  const compiled = join(root, 'dist', 'config', name.replace(/\.ts$/, '.js'));
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(join(root, 'config', name)).mtimeMs) {
    process.stderr.write(`gen-config-docs: dist/config/${name.replace(/\.ts$/, '.js')} is missing or older than config/${name}; run npm run build first\n`);
    process.exit(1);
  }
}

const { renderConfigurationDocs } = await import(pathToFileURL(join(root, 'dist', 'config', 'docs.js')).href);
const rendered = renderConfigurationDocs();
const current = existsSync(target) ? readFileSync(target, 'utf8') : null;

if (check) {
  if (current !== rendered) {
    process.stderr.write('docs/configuration.md is out of date with config/schema.ts; run npm run docs:config\n');
    process.exit(1);
  }
  process.stdout.write('docs/configuration.md is up to date\n');
} else if (current !== rendered) {
  writeFileSync(target, rendered);
  process.stdout.write('wrote docs/configuration.md\n');
} else {
  process.stdout.write('docs/configuration.md is already up to date\n');
}
