import net from 'node:net';
import { Duplex } from 'node:stream';
import test from 'ava';
import { ConnectionClosedError, ProtocolViolationError, RequestTimeoutError } from '../../../../machines/connection/errors.js';
import { RequestPipeline } from '../../../../machines/connection/pipeline.js';
import { encodeResponseFrame } from '../../../../protocol/frame.js';
import { MetadataApi } from '../../../../protocol/messages/metadata.js';
import { HeartbeatApi } from '../../../../protocol/messages/heartbeat.js';
import { FakeBroker, type ReceivedRequest } from '../fake-broker.js';

/** Polls until `condition` holds (timing-free under a loaded CI machine). */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const metadataBody = { throttleTimeMs: 0, brokers: [], clusterId: 'c', controllerId: 1, topics: [] };

async function connect(broker: FakeBroker, maxInFlight = 8, requestTimeoutMs = 2000): Promise<RequestPipeline> {
  const socket = net.connect(broker.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  return new RequestPipeline(socket, { broker: `127.0.0.1:${broker.port}`, clientId: 'unit', maxInFlight, maxFrameBytes: 1 << 20, requestTimeoutMs });
}

test('requests are pipelined with distinct correlation ids and answered in order', async (t) => {
  const broker = await new FakeBroker().on(3, () => ({ body: metadataBody })).listen();
  const p = await connect(broker);
  const answers = await Promise.all([1, 2, 3, 4, 5].map(() => p.send(MetadataApi, 12, { topics: null })));
  t.is(answers.length, 5);
  t.is(answers[0].clusterId, 'c');
  const ids = broker.received.map((r) => r.correlationId);
  t.is(new Set(ids).size, 5);
  t.is(broker.received[0].clientId, 'unit');
  p.close();
  await broker.close();
});

test('at most maxInFlight requests are unanswered; the rest wait their turn', async (t) => {
  const held: Array<() => void> = [];
  const broker = await new FakeBroker()
    .on(3, () => new Promise((resolve) => held.push(() => resolve({ body: metadataBody }))))
    .listen();
  const p = await connect(broker, 2);
  const all = Promise.all([1, 2, 3, 4].map(() => p.send(MetadataApi, 12, { topics: null })));
  await until(() => broker.received.length >= 2);
  await new Promise((r) => setTimeout(r, 50));
  t.is(broker.received.length, 2);
  t.is(p.inFlightCount, 2);
  t.is(p.queuedCount, 2);
  held.shift()?.();
  await until(() => broker.received.length >= 3);
  t.is(p.inFlightCount, 2);
  while (held.length > 0 || broker.received.length < 4) {
    held.shift()?.();
    await new Promise((r) => setTimeout(r, 20));
  }
  t.is((await all).length, 4);
  p.close();
  await broker.close();
});

test('a disconnect fails every in-flight and queued request with a retriable CONNECTION_CLOSED', async (t) => {
  const broker = await new FakeBroker().on(3, () => 'silent').listen();
  const p = await connect(broker, 1);
  const pending = [1, 2, 3].map(() => p.send(MetadataApi, 12, { topics: null }));
  await until(() => broker.received.length >= 1);
  let closedWith: Error | null = null;
  p.onClose((e) => (closedWith = e));
  broker.dropConnections();
  for (const r of pending) {
    const error = await t.throwsAsync(r, { instanceOf: ConnectionClosedError });
    t.true(error?.retriable);
    t.regex(error?.message ?? '', /Metadata request lost: .*(closed by the broker|connection reset)/);
  }
  t.truthy(closedWith);
  await t.throwsAsync(p.send(MetadataApi, 12, { topics: null }), { instanceOf: ConnectionClosedError, message: /not sent/ });
  await broker.close();
});

test('an unanswered request times out on its own, and the connection is rebuilt', async (t) => {
  const broker = await new FakeBroker().on(3, () => 'silent').listen();
  const p = await connect(broker);
  const started = Date.now();
  const other = p.send(MetadataApi, 12, { topics: null }, { timeoutMs: 5000 });
  const error = await t.throwsAsync(p.send(MetadataApi, 12, { topics: null }, { timeoutMs: 150 }), { instanceOf: RequestTimeoutError });
  t.true(Date.now() - started < 2000);
  t.is(error?.code, 'REQUEST_TIMEOUT');
  t.true(error?.retriable);
  t.regex(error?.message ?? '', /Metadata request got no response within 150 ms \(sent, unanswered\)/);
  await t.throwsAsync(other, { instanceOf: ConnectionClosedError, message: /went unanswered for 150 ms/ });
  t.true(p.closed);
  await broker.close();
});

test('a queued request that times out before it is sent leaves the connection alone', async (t) => {
  const held: Array<() => void> = [];
  const broker = await new FakeBroker().on(3, () => new Promise((res) => held.push(() => res({ body: metadataBody })))).listen();
  const p = await connect(broker, 1);
  const first = p.send(MetadataApi, 12, { topics: null }, { timeoutMs: 5000 });
  await t.throwsAsync(p.send(MetadataApi, 12, { topics: null }, { timeoutMs: 100 }), { message: /never sent: 1 requests in flight/ });
  t.false(p.closed);
  held.shift()?.();
  t.is((await first).clusterId, 'c');
  p.close();
  await broker.close();
});

test('paused pipelines only send priority requests (re-authentication)', async (t) => {
  const broker = await new FakeBroker().on(3, () => ({ body: metadataBody })).listen();
  const p = await connect(broker);
  p.pause();
  const normal = p.send(MetadataApi, 12, { topics: null });
  const urgent = await p.send(MetadataApi, 12, { topics: null }, { priority: true });
  t.is(urgent.clusterId, 'c');
  t.is(broker.received.length, 1);
  p.resume();
  t.is((await normal).clusterId, 'c');
  p.close();
  await broker.close();
});

test('a response for no request in flight is a protocol violation that closes the connection', async (t) => {
  const broker = await new FakeBroker()
    .on(3, (req: ReceivedRequest) => {
      for (const b of encodeResponseFrame(MetadataApi, 12, req.correlationId + 1000, metadataBody)) req.socket.write(b);
      return 'silent';
    })
    .listen();
  const p = await connect(broker);
  await t.throwsAsync(p.send(MetadataApi, 12, { topics: null }), { instanceOf: ConnectionClosedError });
  t.true(p.error instanceof ProtocolViolationError);
  t.regex(p.error?.message ?? '', /correlation id \d+, which no request in flight has/);
  await broker.close();
});

test('requests without a response resolve once written; encode errors reject without sending', async (t) => {
  const broker = await new FakeBroker().listen();
  const p = await connect(broker);
  const sent: unknown = await p.send(HeartbeatApi, 4, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }, { expectResponse: false });
  t.is(sent, undefined);
  await t.throwsAsync(p.send(MetadataApi, 99, { topics: null }), { code: 'UNSUPPORTED_VERSION' });
  p.close();
  await broker.close();
});

test('socket backpressure holds further writes until the buffer drains', async (t) => {
  const chunks: Buffer[] = [];
  let release: (() => void) | null = null;
  const socket = new Duplex({
    writableHighWaterMark: 1,
    read() {},
    write(chunk: Buffer, _enc, callback) {
      chunks.push(chunk);
      release = () => callback();
    },
  });
  const p = new RequestPipeline(socket as unknown as net.Socket, { broker: 'fake', clientId: 'x', maxInFlight: 10, maxFrameBytes: 1024, requestTimeoutMs: 1000 });
  void p.send(MetadataApi, 12, { topics: null }).catch(() => undefined);
  void p.send(MetadataApi, 12, { topics: null }).catch(() => undefined);
  await new Promise((r) => setImmediate(r));
  const written = chunks.length;
  t.is(p.inFlightCount, 1, 'the second request waits for drain');
  t.is(p.queuedCount, 1);
  while (release) {
    const r: () => void = release;
    release = null;
    r();
    await new Promise((res) => setImmediate(res));
  }
  t.true(chunks.length > written);
  t.is(p.inFlightCount, 2);
  p.close();
});
