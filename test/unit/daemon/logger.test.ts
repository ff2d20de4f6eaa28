import test from 'ava';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../config/load.js';
import { childLogger, createLogger, formatStateValue, shouldPrettyPrint, type Logger } from '../../../daemon/logger.js';

const PASSWORD = 'Tr0ub4dor&3-never-logged';
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** A configuration whose every secret is PASSWORD. */
function secretConfig(): ReturnType<typeof loadConfig>['config'] {
  return loadConfig({
    argv: [
      '--set', 'kafka.sasl.mechanism=SCRAM-SHA-256',
      '--set', 'kafka.sasl.username=app',
      '--set', `kafka.sasl.password=${PASSWORD}`,
      '--set', `nats.token=${PASSWORD}`,
    ],
  }).config;
}

function logEverythingAtEveryLevel(logger: Logger): void {
  const config = secretConfig();
  const failure = Object.assign(new Error('connect failed', { cause: { sasl: config.kafka.sasl } }), { config });
  const actor = childLogger(logger, { actorId: 'broker:1', machine: 'connection', state: () => 'authenticating' });
  const bound = logger.child({ config, sasl: { password: PASSWORD }, nats: config.nats });
  for (const level of LEVELS) {
    logger[level]({ config }, 'effective configuration');
    logger[level](config, 'configuration spread into the line');
    logger[level](failure);
    logger[level]({ err: failure }, 'wrapped error');
    logger[level]({ error: failure, attempt: { credentials: { password: PASSWORD } } }, 'error under another key');
    actor[level]({ sasl: config.kafka.sasl }, 'actor line');
    bound[level]('line of a child bound to the config');
    bound.child({ password: PASSWORD })[level]('grandchild');
  }
}

for (const pretty of [false, true]) {
  test(`a known password never appears at any level (${pretty ? 'pretty' : 'JSON lines'})`, (t) => {
    const out = collector();
    const logger = createLogger({ level: 'trace', pretty, destination: out.stream, isTTY: false });
    logEverythingAtEveryLevel(logger);
    const text = out.text();
    t.true(text.includes('effective configuration'));
    t.true(text.includes('grandchild'));
    t.true(text.includes('[redacted]'));
    t.true(text.includes('connect failed'));
    t.false(text.includes(PASSWORD));
    if (!pretty) t.is(text.trim().split('\n').length, LEVELS.length * 8);
  });
}

test('JSON lines keep the non-secret fields', (t) => {
  const out = collector();
  const logger = createLogger({ level: 'info', pretty: false, destination: out.stream });
  logger.info({ config: secretConfig() }, 'cfg');
  const line = JSON.parse(out.text()) as { msg: string; level: number; config: { kafka: { sasl: { username: string; password: string } } } };
  t.is(line.msg, 'cfg');
  t.is(line.level, 30);
  t.is(line.config.kafka.sasl.username, 'app');
  t.is(line.config.kafka.sasl.password, '[redacted]');
});

test('the level filters lines', (t) => {
  const out = collector();
  const logger = createLogger({ level: 'warn', pretty: false, destination: out.stream });
  logger.info('hidden');
  logger.warn('shown');
  t.false(out.text().includes('hidden'));
  t.true(out.text().includes('shown'));
});

test('an actor logger carries actorId, machine and the state at each call', (t) => {
  const out = collector();
  const logger = createLogger({ level: 'info', pretty: false, destination: out.stream });
  let state: unknown = 'connecting';
  const actor = childLogger(logger, { actorId: 'group:billing', machine: 'group', state: () => state });
  actor.info('first');
  state = { stable: { fetching: 'active' } };
  actor.child({ partition: 3 }).info('second');
  childLogger(logger, { actorId: 'producer', machine: 'producer' }).info('stateless');
  childLogger(logger, {
    actorId: 'x',
    machine: 'y',
    state: () => {
      throw new Error('not started');
    },
  }).info('before start');
  const lines = out.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.like(lines[0], { actorId: 'group:billing', machine: 'group', state: 'connecting', msg: 'first' });
  t.like(lines[1], { actorId: 'group:billing', state: 'stable.fetching.active', partition: 3, msg: 'second' });
  t.false('state' in (lines[2] ?? {}));
  t.like(lines[3], { state: 'unknown' });
});

test('state values and the pretty switch', (t) => {
  t.is(formatStateValue('idle'), 'idle');
  t.is(formatStateValue({ connected: 'idle' }), 'connected.idle');
  t.is(formatStateValue({ a: 'x', b: { c: 'y' } }), 'a.x,b.c.y');
  t.true(shouldPrettyPrint('auto', true));
  t.false(shouldPrettyPrint('auto', false));
  t.true(shouldPrettyPrint(true, false));
  t.false(shouldPrettyPrint(false, true));
});
