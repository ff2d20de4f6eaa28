// `kafka-sidecar produce` as users run it: the CLI in its own process, stdin piped in, talking
// to a real daemon connected to a real broker; what it wrote is read back with kcat.
import test from 'ava';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { rpcCall, startDaemon } from '../../helpers/daemon-process.js';
import { kafkaEnv } from '../../helpers/kafka.js';
import { repoRoot } from '../../helpers/repo.js';
import { kcatRead } from '../machines/producer/producer-fixture.js';

const cliPath = join(repoRoot, 'dist', 'daemon', 'cli.js');

function runCli(args: string[], stdin: string | Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A child that dies early reports through its exit code; its stdin's EPIPE must not crash the file.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

test('produce: stdin lines with -K, headers and a partition, then --value in base64, read back exactly by kcat', async (t) => {
  const env = await kafkaEnv();
  const brokers = env.brokers.join(',');
  const daemon = await startDaemon({ KAFKA_SIDECAR_KAFKA_BROKERS: brokers, KAFKA_SIDECAR_SHUTDOWN_TIMEOUT_MS: '15000' });
  t.teardown(() => void daemon.stop('SIGKILL'));
  const topic = `cli-produce-${process.pid}-${Date.now()}`;
  const created = await rpcCall(daemon.socketPath, 'createTopics', { topics: [{ name: topic, partitions: 3 }] }, 60_000);
  t.is(created.error, undefined, JSON.stringify(created));

  const lines = ['k1:v1', 'k2:value:with:colons', 'no separator', '', 'k5:ünïcode'];
  const first = await runCli(
    ['produce', topic, '--socket', daemon.socketPath, '-K', ':', '--header', 'src=cli', '--header', 'src=again', '--partition', '2', '--acks', 'all'],
    `${lines.join('\n')}\n`,
  );
  t.is(first.code, 0, first.stderr);
  const results = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as { partition: number; offset: string });
  t.deepEqual(
    results.map((r) => [r.partition, r.offset]),
    lines.map((_, i) => [2, String(i)]),
  );

  const binary = Buffer.from([0x00, 0xff, 0x0a, 0x7e, 0x7c, 0x7e]);
  const second = await runCli(['produce', topic, '--socket', daemon.socketPath, '--partition', '2', '--acks', 'leader', '--encoding', 'base64', '--key', Buffer.from('bin').toString('base64'), '--value', binary.toString('base64')], '');
  t.is(second.code, 0, second.stderr);
  t.deepEqual(JSON.parse(second.stdout), { partition: 2, offset: String(lines.length) });

  const read = await kcatRead(brokers, topic, lines.length + 1, ['-p', '2']);
  t.deepEqual(
    read.slice(0, lines.length).map((r) => [r.key?.toString() ?? null, r.value?.toString(), r.headers]),
    [
      ['k1', 'v1', 'src=cli,src=again'],
      ['k2', 'value:with:colons', 'src=cli,src=again'],
      [null, 'no separator', 'src=cli,src=again'],
      [null, '', 'src=cli,src=again'],
      ['k5', 'ünïcode', 'src=cli,src=again'],
    ],
  );
  t.deepEqual(read[lines.length]!.value, binary);
  t.is(read[lines.length]!.key?.toString(), 'bin');

  // A partition the topic lacks fails that message alone, with a typed error and exit 1.
  const bad = await runCli(['produce', topic, '--socket', daemon.socketPath, '--partition', '7', '--value', 'x'], '');
  t.is(bad.code, 1);
  const error = (JSON.parse(bad.stdout) as { error?: { code: string } }).error;
  t.truthy(error?.code, bad.stdout);
  t.is(await daemon.stop('SIGTERM'), 0);
});
