// The generator's check mode: passes on the committed tree, names every file that differs, is
// missing or is extra; and the generator reads any definitions folder given to it.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = process.cwd();
const generator = join(root, 'scripts/gen-protocol.mjs');
const committed = join(root, 'protocol/messages');
const definitions = process.env.KAFKA_PROTOCOL_DIR ?? resolve(root, '../shared/kafka-protocol/message');

function gen(...args: string[]) {
  const r = spawnSync(process.execPath, [generator, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gen-protocol-test-'));
}

test('check mode passes on the committed generated code', (t) => {
  const r = gen(definitions, '--check');
  t.is(r.status, 0, r.out);
  t.regex(r.out, /up to date/);
});

test('check mode names changed, missing and extra files and exits 1', (t) => {
  const dir = tempDir();
  try {
    cpSync(committed, dir, { recursive: true });
    t.is(gen(definitions, '--check', '--out', dir).status, 0);
    appendFileSync(join(dir, 'produce.ts'), '// hand edit\n');
    unlinkSync(join(dir, 'fetch.ts'));
    writeFileSync(join(dir, 'data', 'stray.ts'), 'export {};\n');
    const r = gen(definitions, '--check', '--out', dir);
    t.is(r.status, 1);
    t.regex(r.out, /differs: produce\.ts/);
    t.regex(r.out, /missing: fetch\.ts/);
    t.regex(r.out, /extra: data\/stray\.ts/);
    t.notRegex(r.out, /api-versions\.ts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generating twice from a definitions folder gives identical output', (t) => {
  const dir = tempDir();
  try {
    const src = join(dir, 'message');
    mkdirSync(src);
    for (const f of ['ApiVersionsRequest.json', 'ApiVersionsResponse.json', 'RequestHeader.json', 'ResponseHeader.json']) {
      cpSync(join(definitions, f), join(src, f));
    }
    cpSync(join(definitions, '..', 'errors.json'), join(dir, 'errors.json'));
    const out = join(dir, 'out');
    const first = gen(src, '--out', out);
    t.is(first.status, 0, first.out);
    t.deepEqual(readdirSync(out).sort(), ['api-versions.ts', 'error-codes.ts', 'headers.ts', 'index.ts', 'registry.ts']);
    t.is(readFileSync(join(out, 'api-versions.ts'), 'utf8'), readFileSync(join(committed, 'api-versions.ts'), 'utf8'));
    t.regex(readFileSync(join(out, 'registry.ts'), 'utf8'), /ApiVersions: 18,/);
    t.is(gen(src, '--check', '--out', out).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken definition fails with the file named', (t) => {
  const dir = tempDir();
  try {
    const src = join(dir, 'message');
    mkdirSync(src);
    writeFileSync(join(src, 'BadRequest.json'), '{ "apiKey": 99, "type": "request", "name": "BadRequest", "validVersions": "0-x", "flexibleVersions": "none", "fields": [] }');
    writeFileSync(join(dir, 'errors.json'), '[]');
    const r = gen(src, '--out', join(dir, 'out'));
    t.is(r.status, 2);
    t.regex(r.out, /BadRequest\.json: validVersions/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
