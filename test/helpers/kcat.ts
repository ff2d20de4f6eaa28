/** Runs kcat, an independent Kafka client (librdkafka), to prove interoperability. */
import { spawn } from 'node:child_process';

export interface KcatResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly code: number | null;
}

export function kcat(args: string[], input?: Buffer | string, timeoutMs = 60_000): Promise<KcatResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run kcat: ${err.message} (apt-get install kcat)`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolveResult({ stdout: Buffer.concat(out), stderr, code });
    });
    // kcat in consumer or metadata mode may exit before it reads stdin; the EPIPE that writing
    // then raises says nothing that its exit code and stderr do not.
    child.stdin.on('error', () => undefined);
    if (input === undefined || input.length === 0) child.stdin.end();
    else child.stdin.end(input);
  });
}

/** kcat, failing with its stderr when it exits non-zero. */
export async function kcatOk(args: string[], input?: Buffer | string, timeoutMs?: number): Promise<Buffer> {
  const result = await kcat(args, input, timeoutMs);
  if (result.code !== 0) throw new Error(`kcat ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Produces one fresh value to a fresh topic and reads it back; `extra` carries -X options. */
export async function kcatRoundTrip(brokers: string, extra: string[] = []): Promise<string> {
  const topic = `roundtrip-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const value = `value-${Math.random().toString(36).slice(2)}`;
  await kcatOk(['-b', brokers, ...extra, '-P', '-t', topic], `${value}\n`);
  const out = await kcatOk(['-b', brokers, ...extra, '-C', '-t', topic, '-o', 'beginning', '-c', '1', '-e']);
  return out.toString('utf8') === `${value}\n` ? 'ok' : `read back ${JSON.stringify(out.toString('utf8'))}`;
}
