import test from 'ava';
import { machineGraph } from '../../../../machines/graph/from-machine.js';
import type { GraphEdge, MachineGraph } from '../../../../machines/graph/model.js';
import { inlineInvokeMachine, sampleMachine } from './sample-machines.js';

const graph: MachineGraph = machineGraph(sampleMachine);

function node(id: string) {
  const found = graph.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

function edgesFrom(source: string): GraphEdge[] {
  return graph.edges.filter((e) => e.source === source);
}

test('states: root first, depth first, with types, parents, children and initial', (t) => {
  t.deepEqual(
    graph.nodes.map((n) => n.id),
    [
      'sample',
      'sample.idle',
      'sample.working',
      'sample.working.left',
      'sample.working.left.l1',
      'sample.working.left.l2',
      'sample.working.left.hist',
      'sample.working.right',
      'sample.working.right.fetching',
      'sample.working.right.fetched',
      'sample.working.right.failed',
      'sample.working.right.settled',
      'sample.done',
    ],
  );
  t.is(graph.root, 'sample');
  t.is(node('sample').type, 'compound');
  t.is(node('sample').initial, 'sample.idle');
  t.is(node('sample').parent, undefined);
  t.is(node('sample.working').type, 'parallel');
  t.is(node('sample.working').initial, undefined, 'a parallel state has no single initial child');
  t.deepEqual(node('sample.working').children, ['sample.working.left', 'sample.working.right']);
  t.is(node('sample.working.left').type, 'compound');
  t.is(node('sample.working.left').parent, 'sample.working');
  t.is(node('sample.working.left').initial, 'sample.working.left.l1');
  t.is(node('sample.working.left.l2').type, 'final');
  t.is(node('sample.working.left.hist').type, 'history');
  t.is(node('sample.working.left.hist').history, 'deep');
  t.is(node('sample.idle').type, 'atomic');
});

test('events: target, guard, actions; targetless transitions keep their actions', (t) => {
  const [start, tick, wildcard, after] = edgesFrom('sample.idle');
  t.like(start, { trigger: 'event', eventType: 'start', targets: ['sample.working'], guard: 'isReady', actions: ['log'], label: 'start' });
  t.like(tick, { trigger: 'event', eventType: 'tick', targets: [], actions: ['bump', 'log'] });
  t.like(wildcard, { trigger: 'event', eventType: 'any.*', targets: [] });
  t.like(after, { trigger: 'after', delay: 1000, targets: ['sample.working'], label: 'after 1000ms' });
  t.is(edgesFrom('sample.idle').length, 4);
});

test('a root-level transition has the root as its source and targets the child', (t) => {
  t.like(edgesFrom('sample'), [{ eventType: 'stop', targets: ['sample.done'], trigger: 'event' }]);
});

test('delays by name, invoke done and error with the src, onDone of a parallel state', (t) => {
  t.like(edgesFrom('sample.working.right.failed'), [{ trigger: 'after', delay: 'retryDelay', targets: ['sample.working.right.fetching'], label: 'after retryDelay' }]);
  t.like(edgesFrom('sample.working.right.fetching'), [
    { trigger: 'invoke.done', invokeSrc: 'fetchThing', targets: ['sample.working.right.fetched'], label: 'done(fetchThing)' },
    { trigger: 'invoke.error', invokeSrc: 'fetchThing', targets: ['sample.working.right.failed'], actions: ['sendTo(spawned)'] },
  ]);
  t.like(edgesFrom('sample.working'), [{ trigger: 'state.done', targets: ['sample.done'], label: 'done' }]);
});

test('combined, parameterised, stateIn and inline guards get readable names', (t) => {
  t.is(edgesFrom('sample.working.left.l1')[0]?.guard, 'and(isReady, not(isBig))');
  const always = edgesFrom('sample.working.right.fetched');
  t.like(always, [
    { trigger: 'always', eventType: '', guard: 'in(#sample.working.left.l2)', label: 'always' },
    { trigger: 'always', guard: 'inline' },
  ]);
});

test('invoked actors by name and inline, spawn actions, and the setup declarations', (t) => {
  t.deepEqual(node('sample.working.right.fetching').invoke.map((i) => i.src), ['fetchThing']);
  t.deepEqual(node('sample.working').entry, ['spawnChild(child)']);
  t.deepEqual(graph.actors, [
    { name: 'fetchThing', kind: 'logic' },
    { name: 'child', kind: 'machine', machineId: 'child' },
  ]);
  t.deepEqual(graph.delays, ['retryDelay']);
  t.deepEqual(graph.guards, ['isReady', 'isBig']);
  t.deepEqual(graph.actionNames, ['log', 'bump']);
});

test('the timers XState adds for `after` do not show as entry or exit actions', (t) => {
  t.deepEqual(node('sample.idle').entry, []);
  t.deepEqual(node('sample.idle').exit, []);
  t.deepEqual(node('sample.working.right.failed').entry, []);
});

test('edge ids are unique and every edge endpoint is a node', (t) => {
  const ids = new Set(graph.nodes.map((n) => n.id));
  t.is(new Set(graph.edges.map((e) => e.id)).size, graph.edges.length);
  for (const e of graph.edges) {
    t.true(ids.has(e.source), e.id);
    for (const target of e.targets) t.true(ids.has(target), `${e.id} -> ${target}`);
  }
});

test('the graph survives JSON unchanged', (t) => {
  t.deepEqual(JSON.parse(JSON.stringify(graph)), graph);
});

test('the registry name defaults to the machine id and can be given', (t) => {
  t.is(graph.name, 'sample');
  t.is(machineGraph(sampleMachine, 'other').name, 'other');
});

test('logic invoked in place: a machine by its id, other logic as inline; system ids kept', (t) => {
  const outer = machineGraph(inlineInvokeMachine);
  t.deepEqual(outer.nodes.find((n) => n.id === 'outer.x')?.invoke, [
    { id: 'inlineChild', src: 'child' },
    { id: 'inlinePromise', src: 'inline', systemId: 'promise:1' },
  ]);
  t.like(outer.edges, [{ source: 'outer.x', trigger: 'invoke.done', invokeSrc: 'child', label: 'done(child)', targets: ['outer.y'] }]);
});
