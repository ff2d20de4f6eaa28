import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderConfigurationDocs } from '../../../config/docs.js';
import { indexSchema } from '../../../config/keys.js';
import { loadConfig } from '../../../config/load.js';
import { buildSchema } from '../../../config/schema.js';
import { repoRoot } from '../../helpers/repo.js';

const docs = renderConfigurationDocs();

test('every key has a table row with its variable and default, secrets marked', (t) => {
  for (const key of indexSchema(buildSchema({})).keys) {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`${key.path}\` |`));
    t.truthy(row, key.path);
    t.true(row?.includes(`\`${key.env}\``), key.path);
    t.is(row?.includes('**Sensitive:**'), key.sensitive, key.path);
  }
  t.regex(docs, /\| `ipc\.socket\.path` .*\$XDG_RUNTIME_DIR\/kafka-sidecar\.sock, else \/tmp\/kafka-sidecar\.sock/);
  t.regex(docs, /\| `producer\.acks` \| `KAFKA_SIDECAR_PRODUCER_ACKS` \| all \\\| leader \\\| none \| `"all"` \|/);
});

test('one table per section, in schema order', (t) => {
  const headings = [...docs.matchAll(/^## (\w+)$/gm)].map((m) => m[1]);
  t.deepEqual(headings, ['kafka', 'connection', 'producer', 'consumer', 'ipc', 'nats', 'http', 'logging', 'supervisor', 'shutdown']);
});

test('the committed docs/configuration.md matches the schema', (t) => {
  t.is(readFileSync(join(repoRoot, 'docs', 'configuration.md'), 'utf8'), docs, 'run npm run docs:config');
});

test('the YAML example in the docs is a valid configuration', (t) => {
  const example = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
  t.truthy(example);
  const dir = mkdtempSync(join(tmpdir(), 'kafka-sidecar-docs-'));
  writeFileSync(join(dir, 'example.yaml'), example ?? '');
  const { config } = loadConfig({ argv: ['--config', 'example.yaml'], env: { KAFKA_SIDECAR_KAFKA_SASL_PASSWORD: 'x' }, cwd: dir });
  t.is(config.kafka.sasl.mechanism, 'SCRAM-SHA-512');
  t.is(config.ipc.socket.mode, '0660');
});
