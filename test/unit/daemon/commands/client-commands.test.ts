// `kafka-sidecar status` and `call` against a real IpcServer on a temporary socket (no Kafka
// needed: the methods here are hello, status and one test method).
import test from 'ava';
import { join } from 'node:path';
import { runCallCommand, parseParams } from '../../../../daemon/commands/call.js';
import { formatStatus, runStatusCommand, stateLabel } from '../../../../daemon/commands/status.js';
import { method } from '../../../../ipc/method-table.js';
import { params, string } from '../../../../ipc/params.js';
import { startServer } from '../../../integration/ipc/fixture.js';

function io(env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { env, cwd: process.cwd(), stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } },
  };
}

test('stateLabel flattens nested and parallel state values', (t) => {
  t.is(stateLabel('ready'), 'ready');
  t.is(stateLabel({ running: 'connected' }), 'running.connected');
  t.is(stateLabel({ running: { lanes: 'open' } }), 'running.lanes.open');
  t.is(stateLabel({ a: 'x', b: 'y' }), '(a.x + b.y)');
});

test('status prints the actor table from the daemon, sorted by id', async (t) => {
  const server = await startServer();
  t.teardown(() => server.stop());
  const { out, io: cmdIo } = io();
  t.is(await runStatusCommand(['--socket', server.path], cmdIo), 0, out.stderr);
  t.regex(out.stdout, /^kafka-sidecar 9\.9\.9, up \d+s/);
  t.regex(out.stdout, /ACTOR +MACHINE +STATE\ncluster +cluster +ready/);
  t.regex(out.stdout, /SESSION +DETAILS\n\S+ +\{.*kafka-sidecar-cli/);

  const json = io();
  t.is(await runStatusCommand([`--socket=${server.path}`, '--json'], json.io), 0);
  t.is((JSON.parse(json.out.stdout) as { version: string }).version, '9.9.9');
});

test('status takes the socket path from the configuration when --socket is absent', async (t) => {
  const server = await startServer();
  t.teardown(() => server.stop());
  const { out, io: cmdIo } = io({ KAFKA_SIDECAR_IPC_SOCKET_PATH: server.path });
  t.is(await runStatusCommand([], cmdIo), 0, out.stderr);
  t.regex(out.stdout, /cluster +cluster +ready/);
  const viaSet = io();
  t.is(await runStatusCommand(['--set', `ipc.socket.path=${server.path}`], viaSet.io), 0, viaSet.out.stderr);
});

test('status: no daemon at the socket exits 1 naming the path; a bad flag exits 2', async (t) => {
  const missing = join('/tmp', `ks-missing-${process.pid}.sock`);
  const { out, io: cmdIo } = io();
  t.is(await runStatusCommand(['--socket', missing], cmdIo), 1);
  t.true(out.stderr.includes(`no daemon answers at ${missing}`), out.stderr);

  const server = await startServer();
  t.teardown(() => server.stop());
  const bad = io();
  t.is(await runStatusCommand(['--socket', server.path, '--frobnicate'], bad.io), 2);
  t.regex(bad.out.stderr, /unknown argument "--frobnicate"/);
  const noPath = io();
  t.is(await runStatusCommand(['--socket'], noPath.io), 2);
  t.regex(noPath.out.stderr, /--socket needs a path/);
  const badConfig = io({ KAFKA_SIDECAR_IPC_MAX_FRAME_BYTES: 'lots' });
  t.is(await runStatusCommand([], badConfig.io), 2);
  t.regex(badConfig.out.stderr, /ipc\.maxFrameBytes/);
});

test('call sends any method with JSON params and prints the result; errors carry their code', async (t) => {
  const server = await startServer();
  t.teardown(() => server.stop());
  server.server.methods.register(
    'echo',
    method('Echoes its text.', params({ text: string() }), async (p) => ({ echoed: p.text })),
  );
  const ok = io();
  t.is(await runCallCommand(['echo', '{"text":"héllo"}', '--socket', server.path], ok.io), 0, ok.out.stderr);
  t.deepEqual(JSON.parse(ok.out.stdout), { echoed: 'héllo' });

  const hello = io();
  t.is(await runCallCommand(['hello', '--socket', server.path], hello.io), 0);
  t.is((JSON.parse(hello.out.stdout) as { server: string }).server, 'kafka-sidecar');

  const unknown = io();
  t.is(await runCallCommand(['nosuch', '--socket', server.path], unknown.io), 1);
  t.regex(unknown.out.stderr, /METHOD_NOT_FOUND|nosuch/);

  const invalid = io();
  t.is(await runCallCommand(['echo', '{"text":5}', '--socket', server.path], invalid.io), 1);
  t.regex(invalid.out.stderr, /text/);
});

test('call: PARAMS_JSON must be a JSON object; a METHOD is required', async (t) => {
  t.deepEqual(parseParams(undefined), {});
  t.deepEqual(parseParams('{"a":1}'), { a: 1 });
  t.throws(() => parseParams('[1]'), { message: /must be a JSON object, got an array/ });
  t.throws(() => parseParams('{oops'), { message: /not valid JSON/ });
  const server = await startServer();
  t.teardown(() => server.stop());
  const none = io();
  t.is(await runCallCommand(['--socket', server.path], none.io), 2);
  t.regex(none.out.stderr, /a METHOD is required/);
  const bad = io();
  t.is(await runCallCommand(['hello', '7', '--socket', server.path], bad.io), 2);
  t.regex(bad.out.stderr, /must be a JSON object, got 7/);
});

test('formatStatus lists subscriptions when there are some', (t) => {
  const text = formatStatus({
    version: '1',
    startedAt: new Date(0).toISOString(),
    uptimeMs: 3_723_000,
    actors: [],
    sessions: [],
    subscriptions: [{ subscription: 's1', session: 'unix:1', group: 'g', topics: ['a', 'b'], inFlight: 3 }],
  });
  t.regex(text, /up 1h 2m 3s/);
  t.regex(text, /s1 +unix:1 +g +a,b +3/);
});
