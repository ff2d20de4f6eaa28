/** The connection actor end to end against an in-process fake broker, with real sockets and timers. */
import test from 'ava';
import { createActor } from 'xstate';
import { request, whenReady } from '../../../../machines/connection/connection-client.js';
import { connectionMachine } from '../../../../machines/connection/connection-machine.js';
import { ConnectionClosedError, RequestTimeoutError, SaslAuthenticationError } from '../../../../machines/connection/errors.js';
import type { ConnectionOptions } from '../../../../machines/connection/options.js';
import { MetadataApi } from '../../../../protocol/messages/metadata.js';
import { FakeBroker } from '../fake-broker.js';

const metadataBody = { throttleTimeMs: 0, brokers: [], clusterId: 'fake', controllerId: 1, topics: [] };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function connectionTo(port: number, extra: Partial<ConnectionOptions> = {}) {
  const actor = createActor(connectionMachine, {
    input: {
      host: '127.0.0.1',
      port,
      clientId: 'unit',
      connectTimeoutMs: 5000,
      requestTimeoutMs: 5000,
      maxInFlight: 4,
      backoff: { minMs: 50, maxMs: 400 },
      ...extra,
    },
  });
  const errors: unknown[] = [];
  actor.subscribe({ error: (e) => errors.push(e) });
  actor.start();
  return { actor, errors };
}

test('a request waits for the connection, then goes straight through the pipeline', async (t) => {
  const broker = await new FakeBroker().on(3, () => ({ body: metadataBody })).listen();
  const { actor } = connectionTo(broker.port);
  const response = await request(actor, MetadataApi, { topics: null });
  t.is(response.clusterId, 'fake');
  t.deepEqual(actor.getSnapshot().value, { ready: 'serving' });
  actor.send({ type: 'connection.close' });
  await broker.close();
});

test('requests issued while the broker is away succeed after the reconnect', async (t) => {
  const broker = await new FakeBroker().on(3, () => ({ body: metadataBody })).listen();
  const { actor, errors } = connectionTo(broker.port);
  await whenReady(actor, 10_000);
  const port = broker.port;
  await broker.close();
  for (let i = 0; i < 500 && actor.getSnapshot().value !== 'backoff'; i++) await sleep(10);
  t.is(actor.getSnapshot().value, 'backoff');
  const pending = request(actor, MetadataApi, { topics: null }, { timeoutMs: 5000 });
  await sleep(300);
  const again = await new FakeBroker().on(3, () => ({ body: metadataBody })).listen(port);
  t.is((await pending).clusterId, 'fake');
  t.deepEqual(errors, []);
  actor.send({ type: 'connection.close' });
  await again.close();
});

test('with nothing listening, a request fails with a retriable REQUEST_TIMEOUT naming the last connection error', async (t) => {
  const broker = await new FakeBroker().listen();
  const port = broker.port;
  await broker.close();
  const { actor } = connectionTo(port);
  const started = Date.now();
  const error = await t.throwsAsync(request(actor, MetadataApi, { topics: null }, { timeoutMs: 300 }), { instanceOf: RequestTimeoutError });
  t.true(Date.now() - started < 2000);
  t.true(error?.retriable);
  t.regex(error?.message ?? '', /not connected, last error: .*connection refused/);
  actor.send({ type: 'connection.close' });
});

test('a refused password fails requests at once with the SASL error, and reconnects only with backoff', async (t) => {
  const broker = await new FakeBroker()
    .on(17, () => ({ body: { errorCode: 0, mechanisms: ['PLAIN'] } }))
    .on(36, () => ({ body: { errorCode: 58, errorMessage: 'Invalid username or password', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n } }))
    .listen();
  const { actor } = connectionTo(broker.port, {
    sasl: { mechanism: 'PLAIN', username: 'alice', password: 'wrong' },
    backoff: { minMs: 200, maxMs: 2000 },
  });
  const error = await t.throwsAsync(request(actor, MetadataApi, { topics: null }, { timeoutMs: 5000 }), { instanceOf: SaslAuthenticationError });
  t.is(error?.code, 'SASL_AUTHENTICATION_FAILED');
  t.regex(error?.message ?? '', /SASL PLAIN authentication of user "alice" failed: SASL_AUTHENTICATION_FAILED: Invalid username or password/);
  await sleep(1000);
  t.true(broker.connections <= 4, `${broker.connections} connections in a second is a reconnect storm`);
  actor.send({ type: 'connection.close' });
  await broker.close();
});

test('OAUTHBEARER re-authenticates on the same connection before the session lifetime ends', async (t) => {
  const tokens: string[] = [];
  const broker = await new FakeBroker()
    .on(17, () => ({ body: { errorCode: 0, mechanisms: ['OAUTHBEARER'] } }))
    .on(36, (req) => {
      tokens.push((req.body as { authBytes: Buffer }).authBytes.toString());
      return { body: { errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 400n } };
    })
    .on(3, () => ({ body: metadataBody }))
    .listen();
  let n = 0;
  const { actor } = connectionTo(broker.port, {
    sasl: { mechanism: 'OAUTHBEARER', tokenProvider: () => Promise.resolve({ value: `token-${++n}` }) },
  });
  await whenReady(actor, 10_000);
  for (let i = 0; i < 10; i++) {
    t.is((await request(actor, MetadataApi, { topics: null })).clusterId, 'fake');
    await sleep(100);
  }
  t.true(tokens.length >= 2, `${tokens.length} authentications`);
  t.regex(tokens[1], /auth=Bearer token-2/);
  t.is(broker.connections, 1, 'all on one connection');
  actor.send({ type: 'connection.close' });
  await broker.close();
});

test('a closed connection refuses requests with CONNECTION_CLOSED', async (t) => {
  const broker = await new FakeBroker().listen();
  const { actor } = connectionTo(broker.port);
  actor.send({ type: 'connection.close' });
  await t.throwsAsync(request(actor, MetadataApi, { topics: null }), { instanceOf: ConnectionClosedError });
  await broker.close();
});
