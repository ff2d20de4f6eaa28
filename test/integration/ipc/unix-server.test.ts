// The Unix socket transport against real sockets: framing, every error, lifecycle of the socket
// file, many sessions, misbehaving apps, backpressure and shutdown.
import test from 'ava';
import { spawn } from 'node:child_process';
import { lstat, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IpcServer } from '../../../ipc/ipc-server.js';
import { SocketInUseError } from '../../../ipc/listen-errors.js';
import { method } from '../../../ipc/method-table.js';
import { integer, params } from '../../../ipc/params.js';
import { captureLogger } from '../../unit/ipc/log-capture.js';
import { RawSession, startServer, tempSocketDir } from './fixture.js';

type Answer = { id: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data: Record<string, unknown> } };

test('hello and status over the socket; the socket file has mode 0600', async (t) => {
  const f = await startServer();
  t.teardown(() => f.stop());
  t.is((await stat(f.path)).mode & 0o777, 0o600);
  const s = await RawSession.open(f.path);
  const hello = await s.call<Answer>({ jsonrpc: '2.0', id: 1, method: 'hello', params: { client: 'test-app' } });
  t.deepEqual(hello.result, { server: 'kafka-sidecar', version: '9.9.9', protocol: 1, maxFrameBytes: 65536, session: 'unix:1' });
  const status = await s.call<Answer>({ jsonrpc: '2.0', id: 2, method: 'status' });
  t.is(status.result?.version, '9.9.9');
  t.deepEqual(status.result?.actors, [{ id: 'cluster', machine: 'cluster', state: 'ready' }]);
  t.like((status.result?.sessions as unknown[])[0], { id: 'unix:1', client: 'test-app', transport: 'unix' });
  s.destroy();
});

test('a configured mode such as 0660 is applied exactly', async (t) => {
  const dir = await tempSocketDir();
  const f = await startServer({ socket: { path: join(dir, 'g.sock'), mode: 0o660 } }, dir);
  t.teardown(() => f.stop());
  t.is((await stat(f.path)).mode & 0o777, 0o660);
});

test('every JSON-RPC error, each saying what was wrong, on one session that keeps working', async (t) => {
  const f = await startServer();
  t.teardown(() => f.stop());
  const s = await RawSession.open(f.path);
  const expectError = async (line: string, code: number, dataCode: string, message: RegExp, id: unknown = null): Promise<void> => {
    s.send(line + '\n');
    const answer = await s.next<Answer>();
    t.is(answer.error?.code, code, line);
    t.is(answer.error?.data.code, dataCode, line);
    t.regex(answer.error?.message ?? '', message, line);
    t.is(answer.id, id, line);
  };
  await expectError('{"jsonrpc":"2.0","id":1,"method":', -32700, 'PARSE_ERROR', /invalid JSON/);
  await expectError('{"id":1,"method":"hello"}', -32600, 'INVALID_REQUEST', /"jsonrpc" must be the string "2.0"/, 1);
  await expectError('[]', -32600, 'INVALID_REQUEST', /empty batch/);
  await expectError('{"jsonrpc":"2.0","id":2,"method":"produce","params":{}}', -32601, 'METHOD_NOT_FOUND', /unknown method "produce"/, 2);
  await expectError('{"jsonrpc":"2.0","id":3,"method":"hello","params":{"client":42}}', -32602, 'INVALID_PARAMS', /params\.client: expected a string/, 3);
  await expectError('{"jsonrpc":"2.0","id":4,"method":"status","params":[1]}', -32602, 'INVALID_PARAMS', /positional params/, 4);
  // A notification gets no answer: the next line is the answer to the request after it.
  s.send('{"jsonrpc":"2.0","method":"hello"}\n{"jsonrpc":"2.0","method":"nope"}\n');
  const after = await s.call<Answer>({ jsonrpc: '2.0', id: 5, method: 'hello' });
  t.is(after.id, 5);
  t.is(after.result?.server, 'kafka-sidecar');
  s.destroy();
});

test('a batch is answered as one array in order, notifications left out', async (t) => {
  const f = await startServer();
  t.teardown(() => f.stop());
  const s = await RawSession.open(f.path);
  s.send('[{"jsonrpc":"2.0","id":"a","method":"hello"},{"jsonrpc":"2.0","method":"hello"},{"jsonrpc":"2.0","id":"b","method":"nope"},17]\r\n');
  const answers = await s.next<Answer[]>();
  t.deepEqual(answers.map((a) => a.id), ['a', 'b', null]);
  t.is(answers[0]?.result?.server, 'kafka-sidecar');
  t.is(answers[1]?.error?.code, -32601);
  t.is(answers[2]?.error?.code, -32600);
  s.destroy();
});

test('an over-long line gets FRAME_TOO_LARGE and a closed connection; others are unaffected', async (t) => {
  const f = await startServer({ maxFrameBytes: 1024 });
  t.teardown(() => f.stop());
  const bystander = await RawSession.open(f.path);
  const s = await RawSession.open(f.path);
  // 1 MiB without a newline: the server must stop at 1 KiB, not wait for the end of the line.
  s.send(Buffer.alloc(1024 * 1024, 0x61));
  const answer = await s.next<Answer>();
  t.is(answer.error?.code, -32600);
  t.is(answer.error?.data.code, 'FRAME_TOO_LARGE');
  t.is(answer.error?.data.maxFrameBytes, 1024);
  await s.closed;
  t.true(f.logs.some((l) => l.msg === 'line over ipc.maxFrameBytes; closing the connection'));
  const ok = await bystander.call<Answer>({ jsonrpc: '2.0', id: 1, method: 'hello' });
  t.is(ok.result?.server, 'kafka-sidecar');
  bystander.destroy();
});

test('binary garbage gets parse errors while another session works normally', async (t) => {
  const f = await startServer();
  t.teardown(() => f.stop());
  const garbage = await RawSession.open(f.path);
  const worker = await RawSession.open(f.path);
  const work = (async () => {
    for (let i = 0; i < 50; i++) {
      const a = await worker.call<Answer>({ jsonrpc: '2.0', id: i, method: 'hello' });
      if (a.id !== i || a.result?.server !== 'kafka-sidecar') throw new Error(`bad answer ${JSON.stringify(a)}`);
    }
  })();
  for (let i = 0; i < 20; i++) {
    const bytes = Buffer.from(Array.from({ length: 64 }, (_, j) => (i * 31 + j * 7) % 256).map((b) => (b === 0x0a ? 0 : b)));
    garbage.send(Buffer.concat([bytes, Buffer.from('\n')]));
    const a = await garbage.next<Answer>();
    t.is(a.error?.code, -32700);
  }
  await t.notThrowsAsync(work);
  worker.destroy();
  garbage.destroy();
});

test('a half-written line then a disconnect: dropped quietly, the server stays up', async (t) => {
  const f = await startServer();
  t.teardown(() => f.stop());
  const s = await RawSession.open(f.path);
  s.send('{"jsonrpc":"2.0","id":1,"meth');
  s.socket.end();
  await s.closed;
  const next = await RawSession.open(f.path);
  const a = await next.call<Answer>({ jsonrpc: '2.0', id: 1, method: 'hello' });
  t.is(a.result?.server, 'kafka-sidecar');
  t.true(f.logs.some((l) => String(l.msg).includes('in the middle of a line')));
  next.destroy();
});

test('requests sent before a half-close are all answered, then the server closes', async (t) => {
  const f = await startServer();
  t.teardown(() => f.stop());
  const s = await RawSession.open(f.path);
  s.send('{"jsonrpc":"2.0","id":1,"method":"hello"}\n{"jsonrpc":"2.0","id":2,"method":"status"}\n');
  s.socket.end();
  const ids = [(await s.next<Answer>()).id, (await s.next<Answer>()).id].sort();
  t.deepEqual(ids, [1, 2]);
  await s.closed;
});

test('a stale socket file from a dead daemon is replaced', async (t) => {
  const dir = await tempSocketDir();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 's.sock');
  // A process that listens and is killed with SIGKILL leaves its socket file behind.
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => child.stdout?.once('data', resolve));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  t.true((await lstat(path)).isSocket(), 'the dead process left its socket file');
  const f = await startServer({ socket: { path, mode: 0o600 } }, dir);
  t.teardown(() => f.stop());
  t.true(f.logs.some((l) => l.msg === 'removed a stale socket file left by a daemon that is gone'));
  const s = await RawSession.open(path);
  t.is((await s.call<Answer>({ jsonrpc: '2.0', id: 1, method: 'hello' })).result?.server, 'kafka-sidecar');
  s.destroy();
});

test('a live daemon on the socket makes a second start refuse; a non-socket file is never replaced', async (t) => {
  const f = await startServer();
  t.teardown(() => f.stop());
  const { logger } = captureLogger();
  const second = new IpcServer(
    { version: '1', socket: { path: f.path, mode: 0o600 }, maxFrameBytes: 1024, nats: null },
    { logger, status: { actors: () => [], subscriptions: () => [] } },
  );
  const err = await t.throwsAsync(second.start(), { instanceOf: SocketInUseError });
  t.regex(err?.message ?? '', /another process is listening on .*s\.sock \(is a kafka-sidecar already running\?\)/);
  const s = await RawSession.open(f.path);
  t.is((await s.call<Answer>({ jsonrpc: '2.0', id: 1, method: 'hello' })).result?.version, '9.9.9', 'the first daemon still serves');
  s.destroy();

  const plain = join(f.dir, 'plain-file');
  await writeFile(plain, 'keep me');
  const third = new IpcServer(
    { version: '1', socket: { path: plain, mode: 0o600 }, maxFrameBytes: 1024, nats: null },
    { logger, status: { actors: () => [], subscriptions: () => [] } },
  );
  await t.throwsAsync(third.start(), { instanceOf: SocketInUseError, message: /exists and is not a socket/ });
  t.true((await lstat(plain)).isFile());
});

test('1000 concurrent sessions each get their hello answered', async (t) => {
  const f = await startServer();
  t.teardown(() => f.stop());
  const sessions = await Promise.all(Array.from({ length: 1000 }, () => RawSession.open(f.path)));
  // Every one is answered; how fast is not this test's business (a loaded machine takes seconds).
  const answers = await Promise.all(
    sessions.map((s, i) => s.call<Answer>({ jsonrpc: '2.0', id: i, method: 'hello', params: { client: `app-${i}` } }, 60_000)),
  );
  t.true(answers.every((a, i) => a.id === i && a.result?.server === 'kafka-sidecar'));
  t.is(new Set(answers.map((a) => a.result?.session)).size, 1000, 'each connection is its own session');
  const probe = await RawSession.open(f.path);
  const status = await probe.call<Answer>({ jsonrpc: '2.0', id: 'x', method: 'status' });
  t.is((status.result?.sessions as unknown[]).length, 1001);
  for (const s of sessions) s.destroy();
  await Promise.all(sessions.map((s) => s.closed));
  await sleep(50);
  t.is(f.server.sessions.size, 1);
  probe.destroy();
});

test('an app that does not read is disconnected past the output bound, with a log line', async (t) => {
  const f = await startServer({ maxQueuedBytes: 256 * 1024 });
  t.teardown(() => f.stop());
  f.server.methods.register(
    'flood',
    method('pushes n notifications of 16 KiB', params({ n: integer({ min: 1 }) }), async (p, ctx) => {
      const blob = 'x'.repeat(16 * 1024);
      let sent = 0;
      while (sent < p.n && ctx.session.notify('blob', { blob })) sent++;
      return { sent };
    }),
  );
  const s = await RawSession.open(f.path);
  s.socket.pause();
  s.send('{"jsonrpc":"2.0","id":1,"method":"flood","params":{"n":100000}}\n');
  const disconnected = (): boolean => f.logs.some((l) => l.msg === 'app does not read its answers; disconnecting it');
  for (let waited = 0; !disconnected() && waited < 5000; waited += 20) await sleep(20);
  t.true(disconnected());
  // Reading now drains what the kernel held and then meets the end of the connection.
  s.socket.resume();
  await s.closed;
  const other = await RawSession.open(f.path);
  t.is((await other.call<Answer>({ jsonrpc: '2.0', id: 1, method: 'hello' })).result?.server, 'kafka-sidecar');
  other.destroy();
});

test('shutdown: the call in flight is answered, new calls get SHUTTING_DOWN, the socket file goes away', async (t) => {
  const f = await startServer();
  let release: () => void = () => undefined;
  f.server.methods.register(
    'slow',
    method('waits', params({}), () => new Promise((resolve) => (release = () => resolve({ finished: true })))),
  );
  const busy = await RawSession.open(f.path);
  const late = await RawSession.open(f.path);
  busy.send('{"jsonrpc":"2.0","id":1,"method":"slow"}\n');
  await sleep(50);
  const stopping = f.server.shutdown(5000);
  const refused = await late.call<Answer>({ jsonrpc: '2.0', id: 2, method: 'hello' });
  t.is(refused.error?.code, -32002);
  t.is(refused.error?.data.code, 'SHUTTING_DOWN');
  t.true(refused.error?.data.retriable);
  t.regex(refused.error?.message ?? '', /shutting down/);
  release();
  t.deepEqual((await busy.next<Answer>()).result, { finished: true });
  await stopping;
  await t.throwsAsync(lstat(f.path), { code: 'ENOENT' });
  await Promise.all([busy.closed, late.closed]);
  await rm(f.dir, { recursive: true, force: true });
});
