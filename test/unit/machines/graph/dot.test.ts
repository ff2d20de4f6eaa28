import test from 'ava';
import { machineToDot } from '../../../../machines/graph/dot.js';
import { machineGraph } from '../../../../machines/graph/from-machine.js';
import { sampleMachine } from './sample-machines.js';

const text = machineToDot(machineGraph(sampleMachine));
const lines = text.trimEnd().split('\n').map((l) => l.trim());

test('a compound digraph named after the machine, balanced braces', (t) => {
  t.is(lines[0], 'digraph "sample" {');
  t.true(lines.includes('compound=true;'));
  t.is((text.match(/\{/g) ?? []).length, (text.match(/\}/g) ?? []).length);
});

test('compound and parallel states are clusters with an anchor; regions are dashed', (t) => {
  t.true(lines.includes('subgraph "cluster_sample.working" {'));
  t.true(lines.includes('label="working (parallel)";'));
  t.true(lines.includes('label="left"; style=dashed;'));
  t.true(lines.includes('"sample.working.left/anchor" [shape=point, width=0.12, label=""];'));
  t.true(lines.includes('"sample.working.left/anchor" -> "sample.working.left.l1" [style=dotted];'));
});

test('edges into and out of clusters are clipped to the cluster border', (t) => {
  t.true(lines.includes('"sample.idle" -> "sample.working/anchor" [label="start [isReady]", lhead="cluster_sample.working"];'));
  t.true(lines.includes('"sample.working/anchor" -> "sample.done" [label="done", ltail="cluster_sample.working"];'));
  // Not clipped where one end lies inside the other's cluster (Graphviz cannot).
  t.true(lines.includes('"sample/anchor" -> "sample.done" [label="stop"];'));
});

test('final states double-bordered, history a circle, targetless transitions dashed loops', (t) => {
  t.true(lines.includes('"sample.done" [label="done", peripheries=2];'));
  t.true(lines.includes('"sample.working.left.hist" [label="H*", shape=circle];'));
  t.true(lines.includes('"sample.idle" -> "sample.idle" [label="tick", style=dashed];'));
});

test('quotes and backslashes in names are escaped', (t) => {
  const graph = machineGraph(sampleMachine, 'odd "name" \\ here');
  t.is(machineToDot(graph).split('\n')[0], 'digraph "odd \\"name\\" \\\\ here" {');
});
