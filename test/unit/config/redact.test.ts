import test from 'ava';
import fc from 'fast-check';
import { loadConfig } from '../../../config/load.js';
import { REDACTED, redactConfig, scrubSecrets, sensitivePaths } from '../../../config/redact.js';

const SECRET = 's3cr3t-value';

test('redactConfig replaces set sensitive keys and leaves unset ones null', (t) => {
  const { config } = loadConfig({ env: { KAFKA_SIDECAR_NATS_TOKEN: SECRET } });
  const redacted = redactConfig(config);
  t.is(redacted.nats.token, REDACTED);
  t.is(redacted.nats.password, null);
  t.is(redacted.kafka.clientId, config.kafka.clientId);
  t.is(config.nats.token, SECRET, 'the original is untouched');
  t.true(sensitivePaths().includes('kafka.sasl.password'));
});

test('scrubSecrets replaces secret-named fields at any depth and keeps clean objects as they are', (t) => {
  const clean = { a: 1, b: { c: [1, { d: 'x' }] } };
  t.is(scrubSecrets(clean), clean);
  const dirty = { a: 1, list: [{ deep: { Password: SECRET } }], nats: { token: SECRET, nkeySeed: SECRET }, auth: { authorization: 'Bearer x' } };
  const scrubbed = scrubSecrets(dirty);
  t.false(JSON.stringify(scrubbed).includes(SECRET));
  t.is(scrubbed.list[0]?.deep.Password, REDACTED);
  t.is(dirty.nats.token, SECRET, 'the input is not modified');
  t.deepEqual(scrubSecrets({ password: null }), { password: null });
});

test('scrubSecrets turns errors into plain objects and scrubs their fields and causes', (t) => {
  const err = Object.assign(new Error('boom', { cause: { password: SECRET } }), { config: { kafka: { sasl: { password: SECRET } } }, code: 'X' });
  const out = scrubSecrets({ err }) as unknown as { err: Record<string, unknown> };
  t.is(out.err.message, 'boom');
  t.is(out.err.type, 'Error');
  t.is(out.err.code, 'X');
  t.false(JSON.stringify(out).includes(SECRET));
});

test('scrubSecrets survives cycles', (t) => {
  const a: Record<string, unknown> = { password: SECRET };
  a.self = a;
  const out = scrubSecrets(a);
  t.is(out.password, REDACTED);
  t.is(out.self, '[Circular]');
});

test('no secret placed anywhere in a random object survives scrubbing', (t) => {
  const secretKey = fc.constantFrom('password', 'token', 'nkeySeed', 'secret', 'apiKey');
  const tree = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.integer(),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }).filter((k) => !/token|password|seed|secret|apikey/i.test(k)), tie('node'), { maxKeys: 3 }),
    ),
  })).node;
  fc.assert(
    fc.property(tree, secretKey, fc.array(fc.nat(), { maxLength: 4 }), (root, key, route) => {
      // Walk a random route into the tree and plant the secret in an object found there.
      const holder: Record<string, unknown> = { root };
      let node: unknown = holder;
      for (const step of route) {
        const children = node !== null && typeof node === 'object' ? Object.values(node) : [];
        const next = children.filter((c) => c !== null && typeof c === 'object' && !Array.isArray(c));
        if (next.length === 0) break;
        node = next[step % next.length];
      }
      (node as Record<string, unknown>)[key] = SECRET;
      return !JSON.stringify(scrubSecrets(holder)).includes(SECRET);
    }),
  );
  t.pass();
});
