/**
 * The dot diagrams of `kafka-sidecar machines --format dot`, laid out by Graphviz itself:
 * every machine (and the sample with parallel and history states) must lay out without an
 * error or a warning (a warning means an edge was drawn other than as written).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { machineToDot } from '../../../machines/graph/dot.js';
import { machineGraph } from '../../../machines/graph/from-machine.js';
import { registeredGraphs } from '../../../daemon/machine-registry.js';
import { sampleMachine } from '../../unit/machines/graph/sample-machines.js';

for (const graph of [...registeredGraphs(), machineGraph(sampleMachine)]) {
  test(`${graph.name}: Graphviz lays the dot diagram out cleanly`, (t) => {
    const result = spawnSync('dot', ['-Tsvg'], { input: machineToDot(graph), encoding: 'utf8' });
    t.is(result.error, undefined, 'Graphviz (dot) must be installed: scripts/ensure-deps --test-tools');
    t.is(result.status, 0);
    t.is(result.stderr, '');
    for (const node of graph.nodes.slice(1)) t.true(result.stdout.includes(`<title>${node.id}</title>`) || result.stdout.includes(`cluster_${node.id}`), node.id);
  });
}
