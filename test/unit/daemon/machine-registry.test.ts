import test from 'ava';
import type { AnyStateMachine } from 'xstate';
import { findMachine, machineRegistry, registeredGraphs, registeredNameOfMachineId, UnknownMachineError } from '../../../daemon/machine-registry.js';
import { machineGraph } from '../../../machines/graph/from-machine.js';

type RawState = {
  on?: Record<string, unknown>;
  after?: Record<string, unknown>;
  always?: unknown;
  onDone?: unknown;
  invoke?: unknown;
  states?: Record<string, RawState>;
};

const count = (v: unknown): number => (v === undefined ? 0 : Array.isArray(v) ? v.length : 1);

/** Transitions counted from the raw config, independently of the resolved StateNode tree. */
function rawTransitions(state: RawState, path: string, out: string[]): void {
  for (const [event, v] of Object.entries(state.on ?? {})) for (let i = 0; i < count(v); i++) out.push(`${path} on ${event}`);
  for (const [delay, v] of Object.entries(state.after ?? {})) for (let i = 0; i < count(v); i++) out.push(`${path} after ${delay}`);
  for (let i = 0; i < count(state.always); i++) out.push(`${path} always`);
  for (let i = 0; i < count(state.onDone); i++) out.push(`${path} onDone`);
  const invokes = (state.invoke === undefined ? [] : Array.isArray(state.invoke) ? state.invoke : [state.invoke]) as RawState[];
  for (const inv of invokes) {
    const handlers = inv as { onDone?: unknown; onError?: unknown; onSnapshot?: unknown };
    for (const key of ['onDone', 'onError', 'onSnapshot'] as const) for (let i = 0; i < count(handlers[key]); i++) out.push(`${path} invoke ${key}`);
  }
  for (const [key, child] of Object.entries(state.states ?? {})) rawTransitions(child, `${path}.${key}`, out);
}

function rawStateIds(state: RawState, path: string, out: string[]): string[] {
  out.push(path);
  for (const [key, child] of Object.entries(state.states ?? {})) rawStateIds(child, `${path}.${key}`, out);
  return out;
}

for (const { name, machine } of machineRegistry) {
  test(`${name}: every state and every transition of the definition is in the graph`, (t) => {
    const graph = machineGraph(machine as AnyStateMachine, name);
    const config = machine.config as RawState;
    t.deepEqual(graph.nodes.map((n) => n.id).sort(), rawStateIds(config, machine.id, []).sort());
    const expected: string[] = [];
    rawTransitions(config, machine.id, expected);
    t.is(graph.edges.length, expected.length);
    // Per source state too, so that a lost transition cannot hide behind an extra one elsewhere.
    const bySource = (ids: string[]) => ids.reduce<Record<string, number>>((acc, id) => ((acc[id] = (acc[id] ?? 0) + 1), acc), {});
    t.deepEqual(bySource(graph.edges.map((e) => e.source)), bySource(expected.map((s) => s.split(' ')[0] as string)));
  });
}

test('the connection machine: nested connecting and ready, guarded invoke results, named delays', (t) => {
  const graph = registeredGraphs('connection')[0];
  t.truthy(graph);
  const edge = (source: string, label: string) => graph?.edges.filter((e) => e.source === source && e.label === label);
  t.like(edge('connection.connecting.negotiating', 'done(negotiate)'), [
    { guard: 'saslConfigured', targets: ['connection.connecting.authenticating'] },
    { targets: ['connection.ready'] },
  ]);
  t.like(edge('connection.connecting.dialing', 'error(openLink)'), [
    { guard: 'expectedFailure', targets: ['connection.backoff'], actions: ['recordFailure'] },
    { targets: ['connection.failed'] },
  ]);
  t.like(edge('connection.ready.serving', 'after reauthenticateAfter'), [{ guard: 'sessionExpires', delay: 'reauthenticateAfter', targets: ['connection.ready.reauthenticating'] }]);
  t.like(edge('connection.backoff', 'after backoffDelay'), [{ targets: ['connection.connecting'] }]);
  t.deepEqual(graph?.nodes.find((n) => n.id === 'connection')?.invoke, [{ id: 'linkOwner', src: 'linkOwner' }]);
});

test('the cluster machine lists the broker supervisor among the logic it runs', (t) => {
  const graph = registeredGraphs('cluster')[0];
  t.deepEqual(graph?.actors.find((a) => a.name === 'brokerSupervisor'), { name: 'brokerSupervisor', kind: 'machine', machineId: 'supervisor' });
});

test('lookup by name, by machine id, and a typed error naming an unknown machine', (t) => {
  t.is(findMachine('cluster').name, 'cluster');
  t.is(registeredGraphs().length, machineRegistry.length);
  t.is(registeredNameOfMachineId('connection'), 'connection');
  t.is(registeredNameOfMachineId('nope'), undefined);
  const err = t.throws(() => findMachine('nope'), { instanceOf: UnknownMachineError });
  t.is(err?.code, 'UNKNOWN_MACHINE');
  t.regex(err?.message ?? '', /"nope".*connection/);
});
