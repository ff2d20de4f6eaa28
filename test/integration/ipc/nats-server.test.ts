// The NATS transport against a real nats-server: micro service discovery, the same answers as
// over the socket, batches, deliver-subject sessions and shutdown.
import test from 'ava';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { method } from '../../../ipc/method-table.js';
import { params, string } from '../../../ipc/params.js';
import { natsEnv } from '../../helpers/nats.js';
import { startServer, type ServerFixture } from './fixture.js';

type Answer = { id: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data: Record<string, unknown> } };

let prefixCounter = 0;

async function natsFixture(idleSessionMs?: number): Promise<{ f: ServerFixture; nc: NatsConnection; prefix: string }> {
  const { url } = await natsEnv();
  const prefix = `ks-test-${process.pid}-${++prefixCounter}`;
  const f = await startServer({ nats: { servers: [url], prefix, idleSessionMs } });
  const nc = await connect({ servers: url });
  return { f, nc, prefix };
}

const body = (msg: Msg): unknown => JSON.parse(msg.string());

test('discovered as a NATS micro service: $SRV.PING and $SRV.INFO answer with every method endpoint', async (t) => {
  const { f, nc, prefix } = await natsFixture();
  t.teardown(async () => {
    await nc.close();
    await f.stop();
  });
  const id = f.server.nats?.serviceId;
  t.truthy(id);
  const ping = body(await nc.request(`$SRV.PING.kafka-sidecar.${id}`, '', { timeout: 3000 })) as Record<string, unknown>;
  t.like(ping, { type: 'io.nats.micro.v1.ping_response', name: 'kafka-sidecar', id, version: '9.9.9' });
  const info = body(await nc.request(`$SRV.INFO.kafka-sidecar.${id}`, '', { timeout: 3000 })) as {
    endpoints: Array<{ name: string; subject: string }>;
    metadata: Record<string, string>;
  };
  t.deepEqual(
    info.endpoints.map((e) => `${e.name}=${e.subject}`).sort(),
    [`hello=${prefix}.hello`, `rpc=${prefix}.rpc`, `status=${prefix}.status`],
  );
  t.like(info.metadata, { protocol: '1', prefix });
  // Methods registered after start become endpoints too.
  f.server.methods.register('later', method('registered late', params({}), async () => ({ late: true })));
  await f.server.nats!.flush();
  const late = body(await nc.request(`${prefix}.later`, '', { timeout: 3000 })) as Answer;
  t.deepEqual(late.result, { late: true });
});

test('hello, status and every error over NATS, as over the socket', async (t) => {
  const { f, nc, prefix } = await natsFixture();
  t.teardown(async () => {
    await nc.close();
    await f.stop();
  });
  const ask = async (subject: string, text: string): Promise<{ answer: Answer; msg: Msg }> => {
    const msg = await nc.request(`${prefix}.${subject}`, text, { timeout: 3000 });
    return { answer: body(msg) as Answer, msg };
  };
  const hello = await ask('hello', '{"jsonrpc":"2.0","id":1,"method":"hello","params":{"client":"nats-app"}}');
  t.like(hello.answer.result, { server: 'kafka-sidecar', version: '9.9.9', protocol: 1, maxFrameBytes: 65536 });
  t.regex(String(hello.answer.result?.session), /^nats:\d+$/);
  t.is((await ask('status', '')).answer.result?.version, '9.9.9', 'an empty body means a call without params');

  const expectError = async (subject: string, text: string, code: number, dataCode: string, message: RegExp): Promise<void> => {
    const { answer, msg } = await ask(subject, text);
    t.is(answer.error?.code, code, text);
    t.is(answer.error?.data.code, dataCode, text);
    t.regex(answer.error?.message ?? '', message, text);
    t.truthy(msg.headers?.get('Nats-Service-Error-Code'), 'micro service error headers are set');
  };
  await expectError('hello', 'not json', -32700, 'PARSE_ERROR', /invalid JSON/);
  await expectError('hello', '{"id":1,"method":"hello"}', -32600, 'INVALID_REQUEST', /"jsonrpc"/);
  await expectError('hello', '{"jsonrpc":"2.0","id":1,"method":"status"}', -32600, 'INVALID_REQUEST', /names method "status" but was sent to/);
  await expectError('hello', '{"jsonrpc":"2.0","id":1,"method":"hello","params":{"client":1}}', -32602, 'INVALID_PARAMS', /params\.client/);
  await expectError('rpc', '{"jsonrpc":"2.0","id":1,"method":"produce"}', -32601, 'METHOD_NOT_FOUND', /unknown method "produce"/);
  await expectError('rpc', '[]', -32600, 'INVALID_REQUEST', /empty batch/);
  await expectError('hello', Buffer.alloc(70 * 1024, 0x20).toString(), -32600, 'FRAME_TOO_LARGE', /maxFrameBytes/);
  await expectError('hello', '[{"jsonrpc":"2.0","id":1,"method":"hello"}]', -32600, 'INVALID_REQUEST', /batch must be sent to/);
});

test('batches go to <prefix>.rpc and come back as one array', async (t) => {
  const { f, nc, prefix } = await natsFixture();
  t.teardown(async () => {
    await nc.close();
    await f.stop();
  });
  const reply = await nc.request(
    `${prefix}.rpc`,
    '[{"jsonrpc":"2.0","id":1,"method":"hello"},{"jsonrpc":"2.0","method":"hello"},{"jsonrpc":"2.0","id":2,"method":"nope"}]',
    { timeout: 3000 },
  );
  const answers = body(reply) as Answer[];
  t.deepEqual(answers.map((a) => a.id), [1, 2]);
  t.is(answers[1]?.error?.code, -32601);
});

test('a deliverSubject names a lasting session whose notifications are published there', async (t) => {
  const { f, nc, prefix } = await natsFixture();
  t.teardown(async () => {
    await nc.close();
    await f.stop();
  });
  f.server.methods.register(
    'echoLater',
    method('notifies the text on the session', params({ deliverSubject: string(), text: string() }), async (p, ctx) => {
      setTimeout(() => ctx.session.notify('echo', { text: p.text }), 10);
      return { session: ctx.session.id };
    }),
  );
  await f.server.nats!.flush();
  const inbox = `${prefix}.deliver.app1`;
  const received: unknown[] = [];
  const sub = nc.subscribe(inbox, { callback: (_err, msg) => void received.push(body(msg)) });
  const call = (text: string) =>
    nc.request(`${prefix}.echoLater`, JSON.stringify({ jsonrpc: '2.0', id: text, method: 'echoLater', params: { deliverSubject: inbox, text } }), { timeout: 3000 });
  const first = body(await call('one')) as Answer;
  const second = body(await call('two')) as Answer;
  t.is(first.result?.session, second.result?.session, 'the same deliver subject is the same session');
  for (let waited = 0; received.length < 2 && waited < 3000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(received, [
    { jsonrpc: '2.0', method: 'echo', params: { text: 'one' } },
    { jsonrpc: '2.0', method: 'echo', params: { text: 'two' } },
  ]);
  t.true(f.server.sessions.list().some((s) => s.id === first.result?.session));
  sub.unsubscribe();
});

test('while shutting down, NATS calls get SHUTTING_DOWN', async (t) => {
  const { f, nc, prefix } = await natsFixture();
  t.teardown(async () => {
    await nc.close();
    await f.stop();
  });
  await f.server.dispatcher.drain(100);
  const answer = body(await nc.request(`${prefix}.hello`, '', { timeout: 3000 })) as Answer;
  t.like(answer.error, { code: -32002, data: { code: 'SHUTTING_DOWN', retriable: true } });
});

test('an idle deliver-subject session ends unless a handler holds it with a cleanup', async (t) => {
  // Idle sessions end after 1 s: long enough that a loaded machine answers both calls first.
  const { f, nc, prefix } = await natsFixture(1000);
  t.teardown(async () => {
    await nc.close();
    await f.stop();
  });
  let released = 0;
  f.server.methods.register(
    'hold',
    method('registers a cleanup, as a subscription would', params({ deliverSubject: string() }), async (_p, ctx) => {
      ctx.session.onClose(() => void released++);
      return { session: ctx.session.id };
    }),
  );
  await f.server.nats!.flush();
  const call = async (m: string, deliverSubject: string) =>
    (body(await nc.request(`${prefix}.${m}`, JSON.stringify({ jsonrpc: '2.0', id: 1, method: m, params: { deliverSubject } }), { timeout: 3000 })) as Answer)
      .result?.session;
  const idle = await call('hello', `${prefix}.deliver.idle`);
  const held = await call('hold', `${prefix}.deliver.held`);
  t.true(f.server.sessions.list().some((s) => s.id === idle));
  await new Promise((r) => setTimeout(r, 2500));
  const live = f.server.sessions.list().map((s) => s.id);
  t.false(live.includes(String(idle)), 'the session that holds nothing ended');
  t.true(live.includes(String(held)), 'the session with a cleanup stays');
  await f.server.shutdown(1000);
  t.is(released, 1, 'its cleanup ran when the transport stopped');
});
