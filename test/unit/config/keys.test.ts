import test from 'ava';
import { CONFIG_FILE_ENV, envNameFor, indexSchema } from '../../../config/keys.js';
import { buildSchema, defaultSocketPath } from '../../../config/schema.js';

const index = indexSchema(buildSchema({}));

test('environment names are the key path in upper snake case', (t) => {
  t.is(envNameFor('kafka.brokers'), 'KAFKA_SIDECAR_KAFKA_BROKERS');
  t.is(envNameFor('ipc.socket.path'), 'KAFKA_SIDECAR_IPC_SOCKET_PATH');
  t.is(envNameFor('producer.lingerMs'), 'KAFKA_SIDECAR_PRODUCER_LINGER_MS');
  t.is(envNameFor('producer.maxInFlightPerBroker'), 'KAFKA_SIDECAR_PRODUCER_MAX_IN_FLIGHT_PER_BROKER');
  t.is(envNameFor('nats.nkeySeed'), 'KAFKA_SIDECAR_NATS_NKEY_SEED');
  t.is(envNameFor('kafka.tls.caFile'), 'KAFKA_SIDECAR_KAFKA_TLS_CA_FILE');
});

test('every key has a doc string, a named format, a valid default and its own variable', (t) => {
  t.true(index.keys.length > 60);
  const envs = new Set<string>();
  for (const key of index.keys) {
    t.true(key.doc.length > 10, key.path);
    t.is(key.env, envNameFor(key.path));
    t.false(envs.has(key.env), key.env);
    t.not(key.env, CONFIG_FILE_ENV);
    envs.add(key.env);
    if (key.default === null) t.true(key.nullable, `${key.path} defaults to null so it must be nullable`);
    else t.is(key.format.check(key.default), undefined, `default of ${key.path}`);
  }
});

test('secrets are marked sensitive', (t) => {
  const sensitive = index.keys.filter((k) => k.sensitive).map((k) => k.path).sort();
  t.deepEqual(sensitive, ['kafka.sasl.password', 'nats.nkeySeed', 'nats.password', 'nats.token']);
});

test('sections are the objects between keys', (t) => {
  for (const section of ['kafka', 'kafka.tls', 'kafka.sasl', 'connection.backoff', 'ipc.socket', 'nats.tls', 'supervisor.backoff']) {
    t.true(index.sections.has(section), section);
  }
  t.false(index.sections.has('kafka.brokers'));
});

test('the socket defaults into $XDG_RUNTIME_DIR when it is usable', (t) => {
  t.is(defaultSocketPath({}), '/tmp/kafka-sidecar.sock');
  t.is(defaultSocketPath({ runtimeDir: '/run/user/1000/' }), '/run/user/1000/kafka-sidecar.sock');
  t.is(defaultSocketPath({ runtimeDir: 'relative' }), '/tmp/kafka-sidecar.sock');
  t.is(defaultSocketPath({ runtimeDir: `/${'d'.repeat(100)}` }), '/tmp/kafka-sidecar.sock');
});
