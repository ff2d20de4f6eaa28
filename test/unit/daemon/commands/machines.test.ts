import test from 'ava';
import { runMachinesCommand } from '../../../../daemon/commands/machines.js';
import { machineRegistry } from '../../../../daemon/machine-registry.js';

function io() {
  const out = { stdout: '', stderr: '', files: new Map<string, string>() };
  return {
    out,
    io: {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
      writeFile: async (path: string, text: string) => void out.files.set(path, text),
    },
  };
}

test('mermaid of every machine by default', async (t) => {
  const { out, io: cmdIo } = io();
  t.is(await runMachinesCommand([], cmdIo), 0);
  t.deepEqual(out.stdout.match(/^%% .*$/gm), machineRegistry.map((m) => `%% ${m.name}`));
});

test('--format json --machine NAME gives that machine\'s graph', async (t) => {
  const { out, io: cmdIo } = io();
  t.is(await runMachinesCommand(['--format', 'json', '--machine', 'connection'], cmdIo), 0);
  const graph = JSON.parse(out.stdout) as { name: string; root: string };
  t.is(graph.name, 'connection');
  t.is(graph.root, 'connection');
});

test('--format=dot --out FILE writes the file and nothing to stdout', async (t) => {
  const { out, io: cmdIo } = io();
  t.is(await runMachinesCommand(['--format=dot', '--machine=cluster', '--out', '/tmp/x.dot'], cmdIo), 0);
  t.is(out.stdout, '');
  t.regex(out.files.get('/tmp/x.dot') ?? '', /^digraph "cluster" \{/);
});

test('usage errors name the problem and exit 2', async (t) => {
  for (const [argv, problem] of [
    [['--format', 'svg'], /unknown diagram format "svg"/],
    [['--machine', 'nope'], /unknown machine "nope"/],
    [['--bogus'], /unknown argument "--bogus"/],
    [['--out'], /--out needs a value/],
  ] as const) {
    const { out, io: cmdIo } = io();
    t.is(await runMachinesCommand(argv, cmdIo), 2, argv.join(' '));
    t.regex(out.stderr, problem);
    t.regex(out.stderr, /usage: kafka-sidecar machines/);
  }
});

test('--help prints the usage with the machine names', async (t) => {
  const { out, io: cmdIo } = io();
  t.is(await runMachinesCommand(['--help'], cmdIo), 0);
  t.regex(out.stdout, /--machine NAME {2}one machine: connection, cluster/);
});
