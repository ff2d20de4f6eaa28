import test from 'ava';
import { machineGraph } from '../../../../machines/graph/from-machine.js';
import { parseDiagramFormat, renderGraphs, UnknownDiagramFormatError } from '../../../../machines/graph/render.js';
import { childMachine, sampleMachine } from './sample-machines.js';

const graphs = [machineGraph(sampleMachine), machineGraph(childMachine)];

test('json: one graph as an object, several as an array', (t) => {
  t.deepEqual(JSON.parse(renderGraphs(graphs.slice(0, 1), 'json')), graphs[0]);
  t.deepEqual(JSON.parse(renderGraphs(graphs, 'json')), graphs);
});

test('mermaid and dot: one diagram per machine, in order', (t) => {
  const mermaid = renderGraphs(graphs, 'mermaid');
  t.deepEqual(mermaid.match(/^%% .*$/gm), ['%% sample', '%% child']);
  t.is(mermaid.match(/^stateDiagram-v2$/gm)?.length, 2);
  t.deepEqual(renderGraphs(graphs, 'dot').match(/^digraph .*$/gm), ['digraph "sample" {', 'digraph "child" {']);
});

test('formats are parsed strictly, with a typed error naming the bad one', (t) => {
  t.is(parseDiagramFormat('dot'), 'dot');
  const err = t.throws(() => parseDiagramFormat('svg'), { instanceOf: UnknownDiagramFormatError });
  t.is(err?.code, 'UNKNOWN_DIAGRAM_FORMAT');
  t.regex(err?.message ?? '', /"svg".*mermaid, json, dot/);
});
