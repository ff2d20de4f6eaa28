// The client library against a real daemon IPC layer, over the Unix socket and over NATS.
import test from 'ava';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, ConnectError, ConnectionLostError, SidecarError, type SidecarClient } from '../../../client/index.js';
import { method } from '../../../ipc/method-table.js';
import { params, string } from '../../../ipc/params.js';
import { natsEnv } from '../../helpers/nats.js';
import { startServer, tempSocketDir, type ServerFixture } from './fixture.js';

function addPushMethod(f: ServerFixture): void {
  f.server.methods.register(
    'push',
    method('notifies twice', params({ text: string(), deliverSubject: string() }), async (p, ctx) => {
      setTimeout(() => {
        ctx.session.notify('echo', { text: p.text, n: 1 });
        ctx.session.notify('other', { n: 2 });
        ctx.session.notify('echo', { text: p.text, n: 3 });
      }, 10);
      return {};
    }),
  );
}

async function behavesAlike(t: import('ava').ExecutionContext, client: SidecarClient, f: ServerFixture): Promise<void> {
  t.like(client.server, { server: 'kafka-sidecar', version: '9.9.9', protocol: 1 });
  const status = await client.status();
  t.true(status.sessions.some((s) => s.client === 'client-test'), 'connect said hello with the client name');
  const unknown = await t.throwsAsync(client.call('produce', { topic: 't' }), { instanceOf: SidecarError });
  t.is(unknown?.code, 'METHOD_NOT_FOUND');
  t.is(unknown?.rpcCode, -32601);
  const invalid = await t.throwsAsync(client.call('hello', { client: 5 }), { instanceOf: SidecarError });
  t.is(invalid?.code, 'INVALID_PARAMS');
  t.is(invalid?.data.field, 'params.client');

  addPushMethod(f);
  const echoes = client.notifications('echo');
  const all: string[] = [];
  client.on('notification', (n) => all.push(n.method));
  await client.call('push', { text: 'hi', deliverSubject: client.deliverSubject ?? 'unused-on-the-socket' });
  const got: unknown[] = [];
  for await (const n of echoes) {
    got.push(n.params);
    if (got.length === 2) break;
  }
  t.deepEqual(got, [
    { text: 'hi', n: 1 },
    { text: 'hi', n: 3 },
  ]);
  t.deepEqual(all, ['echo', 'other', 'echo']);
}

test('over the Unix socket: hello, status, typed errors, notifications', async (t) => {
  const f = await startServer();
  t.teardown(() => f.stop());
  const client = await connect({ socketPath: f.path, client: 'client-test' });
  t.teardown(() => client.close());
  t.is(client.deliverSubject, null);
  await behavesAlike(t, client, f);
});

test('over NATS: the same behaviour', async (t) => {
  const { url } = await natsEnv();
  const prefix = `ks-client-${process.pid}`;
  const f = await startServer({ nats: { servers: [url], prefix } });
  t.teardown(() => f.stop());
  const client = await connect({ nats: { servers: url, prefix }, client: 'client-test' });
  t.teardown(() => client.close());
  t.truthy(client.deliverSubject);
  await behavesAlike(t, client, f);
});

test('connect fails with ConnectError when no daemon listens', async (t) => {
  const dir = await tempSocketDir();
  await t.throwsAsync(connect({ socketPath: join(dir, 'none.sock') }), { instanceOf: ConnectError, message: /cannot connect to kafka-sidecar at/ });
  const { url } = await natsEnv();
  await t.throwsAsync(connect({ nats: { servers: url, prefix: `ks-nobody-${process.pid}` } }), {
    instanceOf: ConnectError,
    message: /no kafka-sidecar serves ks-nobody-\d+\.\* on this NATS server/,
  });
});

test('the socket client reconnects after a daemon restart; calls in flight fail as ConnectionLostError', async (t) => {
  const first = await startServer();
  let release: () => void = () => undefined;
  first.server.methods.register('slow', method('waits', params({}), () => new Promise((r) => (release = () => r({}))) as Promise<object>));
  const client = await connect({ socketPath: first.path, client: 'restarts', reconnect: { minMs: 20, maxMs: 100 } });
  t.teardown(() => client.close());
  const events: string[] = [];
  client.on('disconnected', () => events.push('disconnected'));
  const reconnected = new Promise<void>((resolve) => client.once('reconnected', () => resolve()));
  const inFlight = client.call('slow');
  await sleep(30);
  const stopping = first.server.shutdown(100);
  await t.throwsAsync(inFlight, { instanceOf: ConnectionLostError });
  release();
  await stopping;
  const second = await startServer({ socket: { path: first.path, mode: 0o600 } }, first.dir);
  t.teardown(() => second.stop());
  await reconnected;
  t.deepEqual(events, ['disconnected']);
  const status = await client.status();
  t.true(status.sessions.some((s) => s.client === 'restarts'), 'hello was repeated on the new session');
});

test('a call made while the daemon is away waits for the reconnect', async (t) => {
  const first = await startServer();
  const client = await connect({ socketPath: first.path, reconnect: { minMs: 20, maxMs: 50 } });
  t.teardown(() => client.close());
  await first.server.shutdown(100);
  await sleep(50);
  const pending = client.call('hello', {}, { timeoutMs: 5000 });
  await sleep(100);
  const second = await startServer({ socket: { path: first.path, mode: 0o600 } }, first.dir);
  t.teardown(() => second.stop());
  t.like(await pending, { server: 'kafka-sidecar' });
});
