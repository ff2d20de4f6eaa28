// `kafka-sidecar produce` against a real IpcServer on a temporary socket whose `produce`
// method is the daemon's own (params validation, encodings) over a recording fake producer.
import test from 'ava';
import { Readable } from 'node:stream';
import { BATCH_MESSAGES, lineToMessage, parseProduceArguments, readLines, runProduceCommand } from '../../../../daemon/commands/produce.js';
import { registerProduceMethod } from '../../../../ipc/methods/produce.js';
import type { RecordOutcome } from '../../../../machines/producer/delivery.js';
import type { AcksMode, OutgoingRecord, Producer } from '../../../../machines/producer/producer.js';
import { startServer } from '../../../integration/ipc/fixture.js';

interface SentCall {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
  readonly acks: AcksMode;
}

/** A producer that records each send and answers offsets counting from 0 (or fails values named "bad"). */
function recordingProducer(): { producer: Producer; calls: SentCall[] } {
  const calls: SentCall[] = [];
  let offset = 0n;
  const fake = {
    settings: { acks: 'all' as AcksMode },
    send: async (topic: string, records: readonly OutgoingRecord[], acks: AcksMode): Promise<RecordOutcome[]> => {
      calls.push({ topic, records, acks });
      return records.map((r) =>
        r.value?.toString() === 'bad'
          ? { ok: false as const, partition: -1, error: Object.assign(new Error('too large'), { code: 'MESSAGE_TOO_LARGE', retriable: false }) }
          : { ok: true as const, partition: r.partition ?? 0, offset: offset++, timestamp: r.timestamp },
      ) as RecordOutcome[];
    },
  };
  return { producer: fake as unknown as Producer, calls };
}

async function serverWithProducer() {
  const server = await startServer();
  const { producer, calls } = recordingProducer();
  registerProduceMethod(server.server.methods, () => producer);
  return { server, calls };
}

function io(stdinText: string | string[] = '') {
  const out = { stdout: '', stderr: '' };
  const chunks = Array.isArray(stdinText) ? stdinText : [stdinText];
  return {
    out,
    io: {
      env: {},
      cwd: process.cwd(),
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
      stdin: Readable.from(chunks.map((c) => Buffer.from(c))),
    },
  };
}

const lines = (text: string): unknown[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);

test('parseProduceArguments reads every flag and rejects bad ones with the flag named', (t) => {
  const o = parseProduceArguments(['orders', '--key', 'k', '--partition', '2', '--header', 'a=1', '--header', 'a=x=y', '--acks', 'leader', '--encoding', 'base64', '-K', ':']);
  t.deepEqual(o, { topic: 'orders', value: undefined, key: 'k', keySeparator: ':', partition: 2, headers: [['a', '1'], ['a', 'x=y']], acks: 'leader', encoding: 'base64' });
  t.throws(() => parseProduceArguments([]), { message: /a TOPIC is required/ });
  t.throws(() => parseProduceArguments(['a', 'b']), { message: /unexpected argument "b"/ });
  t.throws(() => parseProduceArguments(['a', '--partition', '-1']), { message: /--partition must be/ });
  t.throws(() => parseProduceArguments(['a', '--partition', 'x']), { message: /--partition must be/ });
  t.throws(() => parseProduceArguments(['a', '--header', 'novalue']), { message: /--header must be name=value/ });
  t.throws(() => parseProduceArguments(['a', '--header', '=v']), { message: /--header must be name=value/ });
  t.throws(() => parseProduceArguments(['a', '--acks', '1']), { message: /--acks must be one of all, leader, none/ });
  t.throws(() => parseProduceArguments(['a', '--encoding', 'json']), { message: /--encoding must be one of utf8, base64/ });
  t.throws(() => parseProduceArguments(['a', '--key']), { message: /--key needs a value/ });
  t.throws(() => parseProduceArguments(['a', '-K', '']), { message: /non-empty separator/ });
  t.throws(() => parseProduceArguments(['a', '--value', 'v', '-K', ':']), { message: /-K splits stdin lines/ });
  t.throws(() => parseProduceArguments(['a', '--frob']), { message: /unknown argument "--frob"/ });
});

test('lineToMessage splits at the first separator only; a line without it keeps the --key', (t) => {
  const base = { topic: 't', headers: [] };
  t.deepEqual(lineToMessage('k:v:w', { ...base, keySeparator: ':' }), { key: 'k', value: 'v:w' });
  t.deepEqual(lineToMessage('plain', { ...base, keySeparator: ':', key: 'dflt' }), { key: 'dflt', value: 'plain' });
  t.deepEqual(lineToMessage('k::v', { ...base, keySeparator: '::' }), { key: 'k', value: 'v' });
  t.deepEqual(lineToMessage('', base), { key: null, value: '' });
  t.deepEqual(lineToMessage('v', { ...base, headers: [['h', '1']], partition: 3 }), { key: null, value: 'v', headers: [['h', '1']], partition: 3 });
});

test('readLines joins lines split across chunks (and a UTF-8 character split across chunks); the last line may lack its newline', async (t) => {
  const euro = Buffer.from('€');
  const chunks = [Buffer.from('ab\nc'), Buffer.from('d\n\n'), euro.subarray(0, 1), Buffer.concat([euro.subarray(1), Buffer.from('\nlast')])];
  const all: string[] = [];
  for await (const batch of readLines(Readable.from(chunks))) all.push(...batch);
  t.deepEqual(all, ['ab', 'cd', '', '€', 'last']);
});

test('produce sends stdin lines with key, headers, partition, acks; prints one result line per message in order', async (t) => {
  const { server, calls } = await serverWithProducer();
  t.teardown(() => server.stop());
  const run = io(['k1:one\nk2:t', 'wo\nno-key\n']);
  const code = await runProduceCommand(['orders', '--socket', server.path, '-K', ':', '--header', 'src=cli', '--header', 'src=again', '--partition', '1', '--acks', 'leader'], run.io);
  t.is(code, 0, run.out.stderr);
  t.deepEqual(lines(run.out.stdout), [
    { partition: 1, offset: '0' },
    { partition: 1, offset: '1' },
    { partition: 1, offset: '2' },
  ]);
  const records = calls.flatMap((c) => c.records);
  t.deepEqual(
    records.map((r) => [r.key?.toString() ?? null, r.value?.toString(), r.headers.map(([k, v]) => `${k}=${v?.toString()}`).join(','), r.partition]),
    [
      ['k1', 'one', 'src=cli,src=again', 1],
      ['k2', 'two', 'src=cli,src=again', 1],
      [null, 'no-key', 'src=cli,src=again', 1],
    ],
  );
  t.true(calls.every((c) => c.topic === 'orders' && c.acks === 'leader'));
});

test('produce --value sends one message; --encoding base64 carries binary keys, values and headers', async (t) => {
  const { server, calls } = await serverWithProducer();
  t.teardown(() => server.stop());
  const binary = Buffer.from([0, 0xff, 0x0a, 0x80]);
  const run = io();
  const b64 = binary.toString('base64');
  t.is(await runProduceCommand(['bin', '--socket', server.path, '--value', b64, '--key', b64, '--header', `h=${b64}`, '--encoding', 'base64'], run.io), 0, run.out.stderr);
  t.deepEqual(lines(run.out.stdout), [{ partition: 0, offset: '0' }]);
  const [record] = calls[0]!.records;
  t.deepEqual(record!.value, binary);
  t.deepEqual(record!.key, binary);
  t.deepEqual(record!.headers[0]![1], binary);
  t.is(calls[0]!.acks, 'all', 'the daemon default when --acks is absent');

  const invalid = io();
  t.is(await runProduceCommand(['bin', '--socket', server.path, '--value', 'not base64!', '--encoding', 'base64'], invalid.io), 1);
  t.regex(invalid.out.stderr, /messages\[0\]\.value/);
});

test('produce: a failed message prints its error line and the command exits 1; others still print their offsets', async (t) => {
  const { server } = await serverWithProducer();
  t.teardown(() => server.stop());
  const run = io('good\nbad\ngood\n');
  t.is(await runProduceCommand(['t', '--socket', server.path], run.io), 1);
  const out = lines(run.out.stdout) as Record<string, unknown>[];
  t.is(out.length, 3);
  t.deepEqual(out[0], { partition: 0, offset: '0' });
  t.deepEqual(out[1], { error: { code: 'MESSAGE_TOO_LARGE', message: 'too large', retriable: false } });
  t.deepEqual(out[2], { partition: 0, offset: '1' });
  t.regex(run.out.stderr, /1 message\(s\) failed/);
});

test('produce splits a long input into calls of at most BATCH_MESSAGES messages, results in input order', async (t) => {
  const { server, calls } = await serverWithProducer();
  t.teardown(() => server.stop());
  const count = BATCH_MESSAGES * 2 + 7;
  const input = Array.from({ length: count }, (_, i) => `v${i}`).join('\n');
  const run = io(input);
  t.is(await runProduceCommand(['t', '--socket', server.path], run.io), 0, run.out.stderr);
  const out = lines(run.out.stdout) as { offset: string }[];
  t.is(out.length, count);
  t.deepEqual(
    out.map((o) => o.offset),
    Array.from({ length: count }, (_, i) => String(i)),
  );
  t.true(calls.length >= 3 && calls.every((c) => c.records.length <= BATCH_MESSAGES), `${calls.map((c) => c.records.length).join(',')}`);
  t.is(calls.flatMap((c) => c.records).at(-1)!.value!.toString(), `v${count - 1}`);
});

test('produce: usage mistakes exit 2; no daemon exits 1; --help prints the usage', async (t) => {
  const server = await startServer();
  t.teardown(() => server.stop());
  const noTopic = io();
  t.is(await runProduceCommand(['--socket', server.path], noTopic.io), 2);
  t.regex(noTopic.out.stderr, /a TOPIC is required/);
  const missing = io();
  t.is(await runProduceCommand(['t', '--socket', `${server.dir}/none.sock`, '--value', 'v'], missing.io), 1);
  t.regex(missing.out.stderr, /no daemon answers/);
  const help = io();
  t.is(await runProduceCommand(['--help'], help.io), 0);
  t.regex(help.out.stdout, /usage: kafka-sidecar produce TOPIC/);
});
