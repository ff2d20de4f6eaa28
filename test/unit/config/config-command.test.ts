import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConfigCommand, command } from '../../../daemon/commands/config.js';

const SECRET = 'pa55-w0rd-secret';

async function run(argv: string[], env: Record<string, string> = {}, cwd = tmpdir()): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runConfigCommand(argv, {
    env,
    cwd,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
  });
  return { code, out, err };
}

test('has the shape the CLI dispatcher expects', (t) => {
  t.is(command.name, 'config');
  t.true(command.summary.length > 0);
  t.regex(command.usage, /--print/);
});

test('a valid configuration exits 0 with a summary', async (t) => {
  const r = await run([], { KAFKA_SIDECAR_HTTP_PORT: '0' });
  t.is(r.code, 0);
  t.regex(r.out, /configuration is valid .*1 from the environment/);
  t.is(r.err, '');
});

test('--print shows every value with its source and redacts secrets', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-sidecar-cmd-'));
  writeFileSync(join(dir, 'c.yaml'), `kafka:\n  sasl:\n    mechanism: PLAIN\n    username: app\n    password: ${SECRET}\n`);
  const r = await run(['--print', '--config', 'c.yaml', '--set', 'producer.lingerMs=9'], { KAFKA_SIDECAR_NATS_TOKEN: SECRET }, dir);
  t.is(r.code, 0, r.err);
  t.false(r.out.includes(SECRET));
  t.regex(r.out, /^# configuration file: .*c\.yaml$/m);
  t.regex(r.out, /^kafka\.sasl\.password = "\[redacted\]" +# file .*c\.yaml$/m);
  t.regex(r.out, /^kafka\.sasl\.username = "app" +# file /m);
  t.regex(r.out, /^nats\.token = "\[redacted\]" +# env KAFKA_SIDECAR_NATS_TOKEN$/m);
  t.regex(r.out, /^producer\.lingerMs = 9 +# --set$/m);
  t.regex(r.out, /^producer\.acks = "all" +# default$/m);

  const json = await run(['--print', '--json', '--config', 'c.yaml'], {}, dir);
  const parsed = JSON.parse(json.out) as { config: { kafka: { sasl: { password: string } } }; provenance: Record<string, string> };
  t.is(parsed.config.kafka.sasl.password, '[redacted]');
  t.regex(parsed.provenance['kafka.sasl.username'] ?? '', /^file /);
  t.false(json.out.includes(SECRET));
});

test('an invalid configuration exits 2 with the problem on stderr', async (t) => {
  const r = await run(['--set', 'kafka.brokers=nope']);
  t.is(r.code, 2);
  t.is(r.out, '');
  t.regex(r.err, /^kafka-sidecar config: invalid configuration: kafka\.brokers \(from --set\): .*got \["nope"\]/);
  // Contradictions are checked once every value has the right format.
  const conflict = await run(['--set', `nats.password=${SECRET}`]);
  t.is(conflict.code, 2);
  t.regex(conflict.err, /nats\.password \(from --set\): needs nats\.user/);
  t.false(conflict.err.includes(SECRET));
});

test('usage mistakes exit 2, --help exits 0', async (t) => {
  t.is((await run(['--verbose'])).code, 2);
  t.is((await run(['--json'])).code, 2);
  t.is((await run(['--set', 'x'])).code, 2);
  const help = await run(['--help']);
  t.is(help.code, 0);
  t.regex(help.out, /usage: kafka-sidecar config/);
});
