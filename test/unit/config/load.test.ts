import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../config/errors.js';
import { loadConfig } from '../../../config/load.js';

const SECRET = 'hunter2-very-secret';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kafka-sidecar-config-'));
}

function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

test('defaults alone give a valid, frozen configuration', (t) => {
  const { config, provenance, configFile } = loadConfig({ env: {} });
  t.deepEqual(config.kafka.brokers, [], 'no brokers by default: start runs a local Kafka');
  t.is(config.ipc.socket.path, '/tmp/kafka-sidecar.sock');
  t.is(config.ipc.socket.mode, '0600');
  t.is(config.ipc.maxFrameBytes, 8 * 1024 * 1024);
  t.is(config.producer.maxInFlightPerBroker, 5);
  t.true(config.producer.idempotent);
  t.true(config.kafka.tls.rejectUnauthorized);
  t.is(config.nats.prefix, 'kafka-sidecar');
  t.is(configFile, null);
  t.deepEqual(provenance['kafka.brokers'], { kind: 'default' });
  t.true(Object.isFrozen(config.kafka.brokers));
  t.throws(() => {
    (config.producer as { lingerMs: number }).lingerMs = 1;
  });
});

test('later sources win: defaults < file < environment < --set, and provenance says which', (t) => {
  const dir = tempDir();
  const file = writeFile(dir, 'sidecar.yaml', ['producer:', '  lingerMs: 10', '  compression: gzip', '  acks: all', 'http:', '  port: 9000', ''].join('\n'));
  const { config, provenance, configFile } = loadConfig({
    argv: ['--config', 'sidecar.yaml', '--set', 'producer.lingerMs=30'],
    env: { KAFKA_SIDECAR_PRODUCER_LINGER_MS: '20', KAFKA_SIDECAR_PRODUCER_COMPRESSION: 'zstd', PATH: '/bin' },
    cwd: dir,
  });
  t.is(configFile, file);
  t.is(config.producer.lingerMs, 30);
  t.is(config.producer.compression, 'zstd');
  t.is(config.http.port, 9000);
  t.is(config.producer.batchBytes, 256 * 1024);
  t.deepEqual(provenance['producer.lingerMs'], { kind: 'set' });
  t.deepEqual(provenance['producer.compression'], { kind: 'env', name: 'KAFKA_SIDECAR_PRODUCER_COMPRESSION' });
  t.deepEqual(provenance['http.port'], { kind: 'file', path: file });
  t.deepEqual(provenance['producer.acks'], { kind: 'file', path: file });
  t.deepEqual(provenance['producer.batchBytes'], { kind: 'default' });
});

test('KAFKA_SIDECAR_CONFIG names the file when --config is absent; --config wins over it', (t) => {
  const dir = tempDir();
  const json = writeFile(dir, 'a.json', JSON.stringify({ kafka: { brokers: ['k1:9092', 'k2:9092'] } }));
  const yaml = writeFile(dir, 'b.yml', 'kafka:\n  clientId: from-yaml\n');
  t.deepEqual(loadConfig({ env: { KAFKA_SIDECAR_CONFIG: json } }).config.kafka.brokers, ['k1:9092', 'k2:9092']);
  const both = loadConfig({ env: { KAFKA_SIDECAR_CONFIG: json }, argv: [`--config=${yaml}`] });
  t.is(both.configFile, yaml);
  t.is(both.config.kafka.clientId, 'from-yaml');
  t.deepEqual(both.config.kafka.brokers, []);
});

test('environment and --set text is parsed by format', (t) => {
  const { config } = loadConfig({
    env: {
      KAFKA_SIDECAR_KAFKA_BROKERS: 'a:1, b:2',
      KAFKA_SIDECAR_NATS_ENABLED: 'true',
      KAFKA_SIDECAR_CONSUMER_GROUPS: '[{"group":"billing","topics":["invoices"],"from":"earliest"}]',
      KAFKA_SIDECAR_LOGGING_PRETTY: 'false',
      KAFKA_SIDECAR_IPC_SOCKET_MODE: '0660',
    },
    argv: ['--set', 'consumer.assignors=cooperative-sticky', '--set', 'producer.transactions.idleMs=5000'],
  });
  t.deepEqual(config.kafka.brokers, ['a:1', 'b:2']);
  t.true(config.nats.enabled);
  t.deepEqual(config.consumer.groups, [{ group: 'billing', topics: ['invoices'], from: 'earliest' }]);
  t.false(config.logging.pretty);
  t.is(config.ipc.socket.mode, '0660');
  t.deepEqual(config.consumer.assignors, ['cooperative-sticky']);
  t.is(config.producer.transactions.idleMs, 5000);
});

test('an empty text unsets a nullable key set by an earlier source', (t) => {
  const dir = tempDir();
  const file = writeFile(dir, 'c.json', JSON.stringify({ consumer: { groupInstanceId: 'pod-1' } }));
  const { config, provenance } = loadConfig({ argv: ['--config', file, '--set', 'consumer.groupInstanceId='] });
  t.is(config.consumer.groupInstanceId, null);
  t.deepEqual(provenance['consumer.groupInstanceId'], { kind: 'set' });
});

test('the socket path defaults into $XDG_RUNTIME_DIR and says so', (t) => {
  const { config, provenance } = loadConfig({ env: { XDG_RUNTIME_DIR: '/run/user/1000' } });
  t.is(config.ipc.socket.path, '/run/user/1000/kafka-sidecar.sock');
  t.is(provenance['ipc.socket.path']?.kind, 'default');
  t.regex(JSON.stringify(provenance['ipc.socket.path']), /XDG_RUNTIME_DIR/);
});

test('a wrong type names the key, its source, the value and what is expected', (t) => {
  const err = configError(() => loadConfig({ env: { KAFKA_SIDECAR_PRODUCER_LINGER_MS: '12abc' } }));
  t.is(err.code, 'CONFIG_INVALID');
  t.is(err.problems.length, 1);
  t.is(err.problems[0]?.key, 'producer.lingerMs');
  t.regex(err.message, /producer\.lingerMs \(from env KAFKA_SIDECAR_PRODUCER_LINGER_MS\): expected an integer number of milliseconds from 0 to 2147483647, got "12abc"/);
});

test('file values are not coerced: a quoted number in a file is wrong', (t) => {
  const dir = tempDir();
  const file = writeFile(dir, 'd.yaml', 'producer:\n  lingerMs: "5"\nipc:\n  socket:\n    mode: 0600\n');
  const err = configError(() => loadConfig({ argv: ['--config', file] }));
  t.deepEqual(err.problems.map((p) => p.key).sort(), ['ipc.socket.mode', 'producer.lingerMs']);
  t.regex(err.message, /quote the mode/);
  t.deepEqual(err.problems[0]?.origin, { kind: 'file', path: file });
});

test('every problem is reported at once', (t) => {
  const err = configError(() =>
    loadConfig({
      env: { KAFKA_SIDECAR_HTTP_PORT: 'x', KAFKA_SIDECAR_NOPE: '1' },
      argv: ['--set', 'kafka.brokers=nohost', '--set', 'producer.acks=some'],
    }),
  );
  t.deepEqual(err.problems.map((p) => p.key).sort(), ['KAFKA_SIDECAR_NOPE', 'http.port', 'kafka.brokers', 'producer.acks']);
});

test('unknown keys in the file, environment and --set are errors with suggestions', (t) => {
  const dir = tempDir();
  const file = writeFile(dir, 'e.json', JSON.stringify({ producer: { lingerMS: 5 }, kafak: {}, 'kafka.brokers': 'a:1', kafka: { tls: true } }));
  const fromFile = configError(() => loadConfig({ argv: ['--config', file] }));
  const messages = fromFile.problems.map((p) => `${p.key}: ${p.message}`);
  t.true(messages.some((m) => /^producer\.lingerMS: unknown configuration key \(did you mean producer\.lingerMs\?\)/.test(m)), messages.join('\n'));
  t.true(messages.some((m) => /^kafak: unknown configuration key \(did you mean kafka\?\)/.test(m)));
  t.true(messages.some((m) => /^kafka\.brokers: keys must not contain "\."/.test(m)));
  t.true(messages.some((m) => /^kafka\.tls: is a section/.test(m)));

  const fromEnv = configError(() => loadConfig({ env: { KAFKA_SIDECAR_PRODUCER_LINGER: '5' } }));
  t.regex(fromEnv.message, /KAFKA_SIDECAR_PRODUCER_LINGER: unknown environment variable.*did you mean KAFKA_SIDECAR_PRODUCER_LINGER_MS/);

  const fromSet = configError(() => loadConfig({ argv: ['--set', 'producer.linger=5'] }));
  t.regex(fromSet.message, /producer\.linger \(from --set\): unknown configuration key \(did you mean producer\.lingerMs\?\)/);
});

test('other environment variables are ignored', (t) => {
  t.notThrows(() => loadConfig({ env: { HOME: '/root', KAFKA_BROKERS: 'x', KAFKA_SIDECARX: 'y' } }));
});

test('a missing, unreadable or unparsable file has its own code', (t) => {
  const dir = tempDir();
  t.is(configError(() => loadConfig({ argv: ['--config', 'missing.yaml'], cwd: dir })).code, 'CONFIG_FILE_UNREADABLE');
  const fromEnv = configError(() => loadConfig({ env: { KAFKA_SIDECAR_CONFIG: '/nonexistent/sidecar.yaml' } }));
  t.is(fromEnv.code, 'CONFIG_FILE_UNREADABLE');
  t.regex(fromEnv.message, /\/nonexistent\/sidecar\.yaml \(from env KAFKA_SIDECAR_CONFIG\): cannot read the configuration file \(ENOENT\)/);
  t.is(configError(() => loadConfig({ argv: ['--config', dir + '/'] })).code, 'CONFIG_FILE_UNPARSABLE');
  writeFile(dir, 'bad.json', `{"kafka": {"sasl": {"password": "${SECRET}}`);
  const badJson = configError(() => loadConfig({ argv: ['--config', 'bad.json'], cwd: dir }));
  t.is(badJson.code, 'CONFIG_FILE_UNPARSABLE');
  t.regex(badJson.message, /not valid JSON: .*line 1/);
  t.false(badJson.message.includes(SECRET), 'parse errors must not quote the file');
  writeFile(dir, 'bad.yaml', `kafka:\n  sasl:\n    password: "${SECRET}\n`);
  const badYaml = configError(() => loadConfig({ argv: ['--config', 'bad.yaml'], cwd: dir }));
  t.is(badYaml.code, 'CONFIG_FILE_UNPARSABLE');
  t.false(badYaml.message.includes(SECRET));
  writeFile(dir, 'dup.yaml', 'http:\n  port: 1\n  port: 2\n');
  t.regex(configError(() => loadConfig({ argv: ['--config', 'dup.yaml'], cwd: dir })).message, /unique/);
  writeFile(dir, 'list.yaml', '- a\n- b\n');
  t.regex(configError(() => loadConfig({ argv: ['--config', 'list.yaml'], cwd: dir })).message, /top level must be a mapping/);
  writeFile(dir, 'conf.toml', '');
  t.regex(configError(() => loadConfig({ argv: ['--config', 'conf.toml'], cwd: dir })).message, /unsupported file type/);
  writeFile(dir, 'empty.yaml', '');
  t.notThrows(() => loadConfig({ argv: ['--config', 'empty.yaml'], cwd: dir }));
});

test('sensitive values never appear in error messages', (t) => {
  const cases = [
    { env: { KAFKA_SIDECAR_KAFKA_SASL_PASSWORD: SECRET } },
    { env: { KAFKA_SIDECAR_NATS_TOKEN: SECRET, KAFKA_SIDECAR_NATS_NKEY_SEED: SECRET } },
    { argv: ['--set', `nats.password=${SECRET}`] },
  ];
  for (const input of cases) {
    const err = configError(() => loadConfig(input));
    t.false(err.message.includes(SECRET), err.message);
    t.false(JSON.stringify(err.problems).includes(SECRET));
  }
  const dir = tempDir();
  const file = writeFile(dir, 's.json', JSON.stringify({ kafka: { sasl: { password: 42 } } }));
  const typed = configError(() => loadConfig({ argv: ['--config', file] }));
  t.regex(typed.message, /kafka\.sasl\.password .*got \[redacted\]/);
  t.false(typed.message.includes('42'));
});

test('impossible combinations are refused', (t) => {
  const err = configError(() => loadConfig({ argv: ['--set', 'kafka.sasl.mechanism=SCRAM-SHA-512', '--set', 'consumer.heartbeatIntervalMs=45000'] }));
  t.is(err.code, 'CONFIG_INVALID');
  t.regex(err.message, /kafka\.sasl\.mechanism \(from --set\): SCRAM-SHA-512 needs kafka\.sasl\.username/);
  t.regex(err.message, /consumer\.heartbeatIntervalMs \(from --set\): 45000 must be below consumer\.sessionTimeoutMs \(45000\)/);
});
