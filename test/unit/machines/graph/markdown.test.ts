import test from 'ava';
import { machineGraph } from '../../../../machines/graph/from-machine.js';
import { MACHINES_BEGIN, MACHINES_END, machinesMarkdown, MissingMarkersError, replaceMachinesBlock } from '../../../../machines/graph/markdown.js';
import { sampleMachine } from './sample-machines.js';

const block = machinesMarkdown([{ graph: machineGraph(sampleMachine, 'sample'), summary: 'A sample.' }]);

test('the block: markers, a heading and summary per machine, a mermaid fence', (t) => {
  t.true(block.startsWith(MACHINES_BEGIN));
  t.true(block.endsWith(MACHINES_END));
  t.regex(block, /\n### sample\n\nA sample\. \(machine id `sample`; 12 states, \d+ transitions\)\n\n```mermaid\nstateDiagram-v2\n/);
  t.regex(block, /\n```\n<!-- machines:end -->$/);
});

test('replacing keeps the text around the markers and is idempotent', (t) => {
  const doc = `# Design\n\nintro\n\n${MACHINES_BEGIN}\nold stuff\n${MACHINES_END}\n\ntail\n`;
  const once = replaceMachinesBlock(doc, block, 'DESIGN.md');
  t.is(once, `# Design\n\nintro\n\n${block}\n\ntail\n`);
  t.is(replaceMachinesBlock(once, block, 'DESIGN.md'), once);
});

test('a document without the markers gets a typed error naming it', (t) => {
  const err = t.throws(() => replaceMachinesBlock('# nothing here\n', block, 'DESIGN.md'), { instanceOf: MissingMarkersError });
  t.is(err?.code, 'MISSING_MARKERS');
  t.regex(err?.message ?? '', /^DESIGN\.md has no/);
  t.throws(() => replaceMachinesBlock(`${MACHINES_END}\n${MACHINES_BEGIN}\n`, block, 'DESIGN.md'), { instanceOf: MissingMarkersError });
});
