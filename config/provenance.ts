// Where each effective configuration value came from, for `kafka-sidecar config --print` and
// for error messages that point at the source to fix.

export type ValueOrigin =
  | { readonly kind: 'default'; readonly note?: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'set' };

/** Origin of every configuration key, by dotted path. */
export type Provenance = Readonly<Record<string, ValueOrigin>>;

/** "default", "file /etc/kafka-sidecar.yaml", "env KAFKA_SIDECAR_KAFKA_BROKERS", "--set". */
export function describeOrigin(origin: ValueOrigin): string {
  switch (origin.kind) {
    case 'default':
      return origin.note === undefined ? 'default' : `default (${origin.note})`;
    case 'file':
      return `file ${origin.path}`;
    case 'env':
      return `env ${origin.name}`;
    case 'set':
      return '--set';
  }
}
