import test from 'ava';
import { RpcDispatcher } from '../../../ipc/dispatcher.js';
import { NotReadyError } from '../../../ipc/errors.js';
import { parseFrameText, type RpcFailure, type RpcResponse, type RpcSuccess } from '../../../ipc/jsonrpc.js';
import { method, MethodTable } from '../../../ipc/method-table.js';
import { integer, params } from '../../../ipc/params.js';
import { SessionRegistry } from '../../../ipc/session.js';
import { captureLogger } from './log-capture.js';

function setup() {
  const { logger, lines } = captureLogger();
  const table = new MethodTable();
  const releases: Array<() => void> = [];
  table.register('add', method('adds', params({ a: integer(), b: integer() }), async (p) => ({ sum: p.a + p.b })));
  table.register('slow', method('waits to be released', params({}), () => new Promise((resolve) => releases.push(() => resolve({ done: true })))));
  table.register('broken', method('throws', params({}), async () => Promise.reject(new Error('boom'))));
  table.register('notReady', method('not ready', params({}), async () => Promise.reject(new NotReadyError('no broker yet'))));
  table.register('nothing', method('returns undefined', params({}), async () => undefined));
  const dispatcher = new RpcDispatcher(table, logger);
  const session = new SessionRegistry().open('unix', () => true, logger);
  const answer = (text: string) => dispatcher.answer(parseFrameText(text), session);
  return { dispatcher, session, answer, releases, lines };
}

const errorOf = (r: unknown) => (r as RpcFailure).error;

test('a call gets its result under its id; undefined results become {}', async (t) => {
  const { answer } = setup();
  t.deepEqual(await answer('{"jsonrpc":"2.0","id":"x","method":"add","params":{"a":1,"b":2}}'), { jsonrpc: '2.0', id: 'x', result: { sum: 3 } });
  t.deepEqual(((await answer('{"jsonrpc":"2.0","id":1,"method":"nothing"}')) as RpcSuccess).result, {});
});

test('unknown methods: -32601 naming the method and the methods served', async (t) => {
  const { answer } = setup();
  const e = errorOf(await answer('{"jsonrpc":"2.0","id":1,"method":"produce"}'));
  t.is(e.code, -32601);
  t.is(e.message, 'unknown method "produce"; this daemon serves: add, broken, notReady, nothing, slow');
});

test('invalid params: -32602 with the field', async (t) => {
  const { answer } = setup();
  const e = errorOf(await answer('{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1,"b":"2"}}'));
  t.is(e.code, -32602);
  t.is(e.data.field, 'params.b');
});

test('handler failures: typed errors pass through, others become -32603 and are logged', async (t) => {
  const { answer, lines } = setup();
  const notReady = errorOf(await answer('{"jsonrpc":"2.0","id":1,"method":"notReady"}'));
  t.like(notReady, { code: -32001, message: 'no broker yet', data: { code: 'NOT_READY', retriable: true } });
  const broken = errorOf(await answer('{"jsonrpc":"2.0","id":2,"method":"broken"}'));
  t.like(broken, { code: -32603, message: 'internal error: boom' });
  t.true(lines.some((l) => l.msg === 'IPC handler failed' && l.method === 'broken'));
});

test('notifications run but are never answered, even when they fail', async (t) => {
  const { answer } = setup();
  t.is(await answer('{"jsonrpc":"2.0","method":"add","params":{"a":1,"b":2}}'), undefined);
  t.is(await answer('{"jsonrpc":"2.0","method":"nope"}'), undefined);
  t.is(await answer('{"jsonrpc":"2.0","method":"add","params":{}}'), undefined);
});

test('batches answer in order, leave out notifications, and all-notification batches get nothing', async (t) => {
  const { answer } = setup();
  const out = (await answer(
    '[{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1,"b":1}},{"jsonrpc":"2.0","method":"add","params":{"a":0,"b":0}},"junk",{"jsonrpc":"2.0","id":3,"method":"nope"}]',
  )) as RpcResponse[];
  t.is(out.length, 3);
  t.deepEqual(out.map((r) => r.id), [1, null, 3]);
  t.deepEqual((out[0] as RpcSuccess).result, { sum: 2 });
  t.is(errorOf(out[1]).code, -32600);
  t.is(errorOf(out[2]).code, -32601);
  t.is(await answer('[{"jsonrpc":"2.0","method":"add","params":{"a":0,"b":0}}]'), undefined);
});

test('drain: calls in flight finish, new calls get SHUTTING_DOWN', async (t) => {
  const { dispatcher, answer, releases, session } = setup();
  const running = answer('{"jsonrpc":"2.0","id":1,"method":"slow"}');
  await new Promise((r) => setImmediate(r));
  t.is(dispatcher.callsInFlight, 1);
  t.is(session.callsInFlight, 1);
  const drained = dispatcher.drain(5000);
  const refused = errorOf(await answer('{"jsonrpc":"2.0","id":2,"method":"add","params":{"a":1,"b":1}}'));
  t.like(refused, { code: -32002, data: { code: 'SHUTTING_DOWN', retriable: true } });
  t.regex(refused.message, /shutting down/);
  releases[0]?.();
  t.deepEqual(((await running) as RpcSuccess).result, { done: true });
  t.true(await drained);
  t.is(session.callsInFlight, 0);
});

test('drain gives up after its timeout when a call never finishes', async (t) => {
  const { dispatcher, answer } = setup();
  void answer('{"jsonrpc":"2.0","id":1,"method":"slow"}');
  await new Promise((r) => setImmediate(r));
  t.false(await dispatcher.drain(50));
  t.true(dispatcher.isDraining);
});
