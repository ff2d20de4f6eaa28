// Renders docs/configuration.md from the schema: one table per top-level section.
// `npm run docs:config` writes the file; `npm run docs:config -- --check` fails when it is stale.
import { CONFIG_FILE_ENV, ENV_PREFIX, indexSchema, type ConfigKey } from './keys.js';
import { buildSchema } from './schema.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultText(key: ConfigKey): string {
  if (key.docDefault !== undefined) return key.docDefault;
  if (key.default === null) return 'unset';
  return `\`${JSON.stringify(key.default)}\``;
}

function row(key: ConfigKey): string {
  const description = key.sensitive ? `**Sensitive:** redacted in output and logs. ${key.doc}` : key.doc;
  return `| \`${key.path}\` | \`${key.env}\` | ${cell(key.format.label)}${key.nullable ? ' or unset' : ''} | ${cell(defaultText(key))} | ${cell(description)} |`;
}

const INTRODUCTION = `# Configuration

<!-- Generated from config/schema.ts by \`npm run docs:config\`; do not edit by hand. -->

Every setting has a default, so \`kafka-sidecar start\` runs with no configuration at all
against a broker on \`localhost:9092\`. Values come from four sources; a later source wins:

1. the defaults below;
2. a configuration file, JSON (\`.json\`) or YAML (\`.yaml\`, \`.yml\`), named by \`--config FILE\`
   or by the environment variable \`${CONFIG_FILE_ENV}\`;
3. environment variables: \`${ENV_PREFIX}\` followed by the key path in upper snake case,
   for example \`producer.lingerMs\` is \`${ENV_PREFIX}PRODUCER_LINGER_MS\`;
4. \`--set key=value\` flags, for example \`--set producer.compression=zstd\`.

The file nests sections (\`kafka:\` → \`sasl:\` → \`mechanism:\`). Environment variables and
\`--set\` carry text: lists are comma-separated (\`a:9092,b:9092\`) or JSON, booleans are
\`true\`/\`false\`, \`consumer.groups\` is JSON, and an empty text unsets a key that may be unset.

Loading is strict. An unknown key in the file, an unknown \`${ENV_PREFIX}*\` variable or
\`--set\` key, a value of the wrong format, or a combination that cannot work (a SASL mechanism
without credentials, a TLS certificate without its key, \`consumer.heartbeatIntervalMs\` not
below \`consumer.sessionTimeoutMs\`, ...) stops the daemon with exit code 2 and a message naming
the key, where its value came from, and what is expected. Sensitive values never appear in
messages, logs or \`kafka-sidecar config --print\`, which shows the effective configuration and
the source of each value.

Durations are integer milliseconds, sizes integer bytes.

\`\`\`yaml
kafka:
  brokers: [kafka-1:9092, kafka-2:9092]
  sasl: { mechanism: SCRAM-SHA-512, username: app }   # password from ${ENV_PREFIX}KAFKA_SASL_PASSWORD
producer:
  compression: zstd
consumer:
  groups:
    - { group: billing, topics: [invoices], from: earliest }
ipc:
  socket: { path: /run/kafka-sidecar/sidecar.sock, mode: "0660" }
\`\`\`
`;

/** The whole of docs/configuration.md. */
export function renderConfigurationDocs(): string {
  const keys = indexSchema(buildSchema({})).keys;
  const sections = [...new Set(keys.map((k) => k.path.split('.')[0] as string))];
  const parts = [INTRODUCTION];
  for (const section of sections) {
    parts.push(
      [
        `## ${section}`,
        '',
        '| Key | Environment variable | Format | Default | Description |',
        '| --- | --- | --- | --- | --- |',
        ...keys.filter((k) => k.path.startsWith(`${section}.`)).map(row),
        '',
      ].join('\n'),
    );
  }
  return parts.join('\n');
}
