import test from 'ava';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { assign, createActor, setup } from 'xstate';
import { InspectionHub } from '../../../../daemon/http/inspector.js';
import { createSupervisorMachine } from '../../../../machines/supervision/supervisor-machine.js';

/** A worker that fails on `boom`, under a supervisor that restarts it. */
const worker = setup({ types: { events: {} as { type: 'go' } | { type: 'back' } | { type: 'boom' } | { type: 'noop' } } }).createMachine({
  id: 'worker',
  initial: 'idle',
  states: {
    idle: { on: { go: 'busy', noop: { actions: assign({}) } } },
    busy: {
      initial: 'a',
      states: { a: {} },
      on: {
        back: 'idle',
        boom: {
          actions: () => {
            throw new Error('worker blew up');
          },
        },
      },
    },
  },
});
const supervisor = createSupervisorMachine(worker);

function start(hub: InspectionHub) {
  const root = createActor(supervisor, {
    systemId: 'root',
    inspect: hub.inspect,
    input: { childSystemId: 'worker:1', childInput: undefined, policy: { maxRestarts: 3, windowMs: 60_000, backoff: { minMs: 1, maxMs: 1 } }, stableAfterMs: 60_000 },
  });
  root.start();
  const child = () => root.system.get('worker:1') as ReturnType<typeof createActor<typeof worker>> | undefined;
  return { root, child };
}

const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));

test('the table: every actor with parent, machine, system id, state and time in state', (t) => {
  let now = 1000;
  const hub = new InspectionHub({ now: () => now });
  const { root, child } = start(hub);
  now = 2000;
  child()?.send({ type: 'go' });
  const rows = hub.actors();
  const sup = rows.find((r) => r.systemId === 'root');
  const w = rows.find((r) => r.systemId === 'worker:1');
  t.like(sup, { machineId: 'supervisor', machine: 'supervisor', status: 'active', state: ['running'], activeIds: ['supervisor.running'], parent: undefined });
  t.like(w, { machineId: 'worker', src: 'child', status: 'active', state: ['busy.a'], activeIds: ['worker.busy', 'worker.busy.a'], since: 2000, startedAt: 1000 });
  t.is(w?.parent, sup?.sessionId);
  t.is(w?.machine, undefined, 'not a registered machine');
  root.stop();
});

test('the event log: event, from, to, and the graph edges of the transitions taken', (t) => {
  const hub = new InspectionHub();
  const { root, child } = start(hub);
  child()?.send({ type: 'go' });
  child()?.send({ type: 'noop' });
  child()?.send({ type: 'back' });
  const w = hub.actors().find((r) => r.systemId === 'worker:1');
  const log = hub.events(w?.sessionId ?? '') ?? [];
  t.deepEqual(
    log.map((e) => [e.event, e.from.join(), e.to.join(), e.edges.join()]),
    [
      ['xstate.init', '', 'idle', ''],
      ['go', 'idle', 'busy.a', 'worker.idle#0'],
      ['noop', 'busy.a', 'busy.a', ''],
      ['back', 'busy.a', 'idle', 'worker.busy#0'],
    ],
  );
  t.true(log.every((e, i) => i === 0 || e.seq > (log[i - 1]?.seq ?? 0)));
  t.is(hub.events('no-such-session'), undefined);
  root.stop();
});

test('the event log of an actor is bounded', (t) => {
  const hub = new InspectionHub({ eventLogSize: 5 });
  const { root, child } = start(hub);
  for (let i = 0; i < 50; i++) child()?.send({ type: i % 2 === 0 ? 'go' : 'back' });
  const w = hub.actors().find((r) => r.systemId === 'worker:1');
  const log = hub.events(w?.sessionId ?? '') ?? [];
  t.is(log.length, 5);
  t.is(log.at(-1)?.event, 'back');
  t.is(w?.events, 51);
  root.stop();
});

test('a failure is marked, and the supervisor\'s restart counts on the new instance of the lineage', async (t) => {
  const hub = new InspectionHub();
  const { root, child } = start(hub);
  const first = hub.actors().find((r) => r.systemId === 'worker:1');
  child()?.send({ type: 'go' });
  child()?.send({ type: 'boom' });
  await settle();
  const rows = hub.actors().filter((r) => r.systemId === 'worker:1');
  t.is(rows.length, 2);
  t.like(rows[0], { sessionId: first?.sessionId, status: 'error', failures: 1, restarts: 0 });
  t.regex(rows[0]?.error ?? '', /worker blew up/);
  t.like(rows[1], { status: 'active', restarts: 1, failures: 1, state: ['idle'] });
  t.like(hub.actors().find((r) => r.systemId === 'root'), { state: ['running'] });
  root.stop();
});

test('ended actors are forgotten beyond retainEnded, active ones never', async (t) => {
  const hub = new InspectionHub({ retainEnded: 2 });
  const { root, child } = start(hub);
  for (let i = 0; i < 3; i++) {
    child()?.send({ type: 'go' });
    child()?.send({ type: 'boom' });
    await settle();
  }
  const workers = hub.actors().filter((r) => r.systemId === 'worker:1');
  t.deepEqual(workers.map((w) => w.status), ['error', 'error', 'active']);
  t.like(workers[2], { restarts: 3, failures: 3 });
  root.stop();
});

class FakeStream extends EventEmitter {
  chunks: string[] = [];
  writeHead(): this {
    return this;
  }
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  end(): this {
    return this;
  }
}

test('streams: a hello with the table, then a transition per processed event', (t) => {
  const hub = new InspectionHub();
  const { root, child } = start(hub);
  const stream = new FakeStream();
  hub.attachStream(stream as unknown as ServerResponse);
  t.is(hub.streams, 1);
  child()?.send({ type: 'go' });
  const parsed = stream.chunks.map((c) => {
    const [event, data] = c.split('\n');
    return { event: event?.slice('event: '.length), data: JSON.parse(data?.slice('data: '.length) ?? 'null') };
  });
  t.is(parsed[0]?.event, 'hello');
  t.true(parsed[0]?.data.actors.some((r: { systemId?: string }) => r.systemId === 'worker:1'));
  t.like(parsed.at(-1), { event: 'transition', data: { row: { systemId: 'worker:1', state: ['busy.a'] }, entry: { event: 'go', from: ['idle'], to: ['busy.a'] } } });
  stream.emit('close');
  t.is(hub.streams, 0);
  root.stop();
});

test('streams: a failure is pushed as an actor event without anyone asking for the table', async (t) => {
  const hub = new InspectionHub();
  const { root, child } = start(hub);
  const stream = new FakeStream();
  hub.attachStream(stream as unknown as ServerResponse);
  child()?.send({ type: 'go' });
  child()?.send({ type: 'boom' });
  await settle(0);
  const failed = stream.chunks.find((c) => c.startsWith('event: actor\n'));
  t.truthy(failed);
  t.like(JSON.parse(failed?.split('\n')[1]?.slice('data: '.length) ?? 'null'), { row: { systemId: 'worker:1', status: 'error', failures: 1, error: 'Error: worker blew up' } });
  root.stop();
});
