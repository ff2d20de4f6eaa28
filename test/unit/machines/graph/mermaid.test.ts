import test from 'ava';
import { machineGraph } from '../../../../machines/graph/from-machine.js';
import { machineToMermaid } from '../../../../machines/graph/mermaid.js';
import { sampleMachine } from './sample-machines.js';

const text = machineToMermaid(machineGraph(sampleMachine));
const lines = text.trimEnd().split('\n');

test('a stateDiagram-v2 with the initial state of the machine', (t) => {
  t.is(lines[0], 'stateDiagram-v2');
  t.true(lines.includes('  [*] --> idle'));
});

test('nested states become composite states with their own initial marker', (t) => {
  const start = lines.indexOf('    state working_left {');
  t.true(start > 0);
  t.is(lines[start + 1], '      [*] --> working_left_l1');
  t.true(lines.includes('      state "l1" as working_left_l1'));
});

test('the regions of a parallel state are separated by --', (t) => {
  const open = lines.indexOf('  state working {');
  const close = lines.indexOf('  }', open);
  const body = lines.slice(open + 1, close);
  t.deepEqual(body.filter((l) => l.trim() === '--'), ['    --']);
  t.true(body.indexOf('    --') > body.indexOf('    state working_left {'));
  t.true(body.indexOf('    --') < body.indexOf('    state working_right {'));
});

test('final states lead to [*]; history states are marked H*', (t) => {
  t.true(lines.includes('  done --> [*]'));
  t.true(lines.includes('      working_left_l2 --> [*]'));
  t.true(lines.includes('      state "H* hist" as working_left_hist'));
});

test('transitions carry event, delay, invoke and guard; targetless ones loop', (t) => {
  t.true(lines.includes('  idle --> working : start [isReady]'));
  t.true(lines.includes('  idle --> working : after 1000ms'));
  t.true(lines.includes('  idle --> idle : tick'));
  t.true(lines.includes('  working_right_fetching --> working_right_fetched : done(fetchThing)'));
  t.true(lines.includes('  working_right_failed --> working_right_fetching : after retryDelay'));
  t.true(lines.includes('  working --> done : done'));
});

test('a root-level transition is drawn from every top-level state but final ones', (t) => {
  t.deepEqual(
    lines.filter((l) => l.endsWith(': stop')),
    ['  idle --> done : stop', '  working --> done : stop'],
  );
});

test('characters Mermaid reads as syntax are kept out of labels', (t) => {
  const guarded = lines.find((l) => l.startsWith('  working_right_fetched --> working_right_settled : always [in('));
  t.is(guarded, '  working_right_fetched --> working_right_settled : always [in( sample.working.left.l2)]');
  for (const l of lines.filter((x) => x.includes(' --> '))) t.false(/ : .*[:;#{}<>"]/.test(l), l);
});
