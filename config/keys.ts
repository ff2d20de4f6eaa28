// The flat view of the schema: one entry per configuration key with its environment variable,
// format and default. Loading, docs and redaction all work from this list.
import type convict from 'convict';
import { formatNamed, type ConfigFormat } from './formats.js';

/** Every environment variable of the daemon starts with this. */
export const ENV_PREFIX = 'KAFKA_SIDECAR_';

/** Names the configuration file when `--config` is not given; not a schema key. */
export const CONFIG_FILE_ENV = `${ENV_PREFIX}CONFIG`;

export interface ConfigKey {
  /** Dotted key path, e.g. "kafka.sasl.password". */
  readonly path: string;
  /** Environment variable that sets it, e.g. "KAFKA_SIDECAR_KAFKA_SASL_PASSWORD". */
  readonly env: string;
  readonly format: ConfigFormat;
  readonly doc: string;
  readonly default: unknown;
  /** Default as shown in the docs when it depends on the host. */
  readonly docDefault?: string;
  readonly sensitive: boolean;
  readonly nullable: boolean;
}

/** The flat key list plus the dotted paths of the sections between the keys. */
export interface ConfigKeyIndex {
  readonly keys: readonly ConfigKey[];
  readonly byPath: ReadonlyMap<string, ConfigKey>;
  readonly byEnv: ReadonlyMap<string, ConfigKey>;
  readonly sections: ReadonlySet<string>;
}

/** "maxInFlightPerBroker" -> "MAX_IN_FLIGHT_PER_BROKER". */
function upperSnake(segment: string): string {
  return segment
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

/** "producer.lingerMs" -> "KAFKA_SIDECAR_PRODUCER_LINGER_MS". */
export function envNameFor(path: string): string {
  return ENV_PREFIX + path.split('.').map(upperSnake).join('_');
}

type SchemaNode = Record<string, unknown>;

function isLeaf(node: SchemaNode): boolean {
  return 'default' in node;
}

/** Walks the schema; a node with a `default` is a key, any other object is a section (as in convict). */
export function indexSchema(schema: convict.Schema<unknown>): ConfigKeyIndex {
  const keys: ConfigKey[] = [];
  const sections = new Set<string>();
  const walk = (node: SchemaNode, prefix: string): void => {
    for (const [name, child] of Object.entries(node)) {
      const path = prefix === '' ? name : `${prefix}.${name}`;
      const childNode = child as SchemaNode;
      if (!isLeaf(childNode)) {
        sections.add(path);
        walk(childNode, path);
        continue;
      }
      if (typeof childNode.doc !== 'string' || childNode.doc === '') throw new Error(`config key ${path} has no doc string`);
      if (typeof childNode.format !== 'string') throw new Error(`config key ${path} has no named format`);
      keys.push({
        path,
        env: envNameFor(path),
        format: formatNamed(childNode.format),
        doc: childNode.doc,
        default: childNode.default,
        ...(typeof childNode.docDefault === 'string' ? { docDefault: childNode.docDefault } : {}),
        sensitive: childNode.sensitive === true,
        nullable: childNode.nullable === true,
      });
    }
  };
  walk(schema as SchemaNode, '');
  const byEnv = new Map<string, ConfigKey>();
  for (const key of keys) {
    if (key.env === CONFIG_FILE_ENV) throw new Error(`config key ${key.path} maps to the reserved variable ${CONFIG_FILE_ENV}`);
    const clash = byEnv.get(key.env);
    if (clash !== undefined) throw new Error(`config keys ${clash.path} and ${key.path} map to the same variable ${key.env}`);
    byEnv.set(key.env, key);
  }
  return { keys, byPath: new Map(keys.map((k) => [k.path, k])), byEnv, sections };
}
