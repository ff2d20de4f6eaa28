// SIGTERM while apps are producing: every record the daemon acknowledged is in Kafka at the
// offset it reported, calls that arrive during the shutdown get SHUTTING_DOWN (or, once the
// socket is closed, no answer: unacknowledged), and the process exits 0 within shutdown.timeoutMs.
import test from 'ava';
import { connect, type Socket } from 'node:net';
import { rpcCall, startDaemon } from '../../helpers/daemon-process.js';
import { kafkaEnv } from '../../helpers/kafka.js';
import { kcatOk } from '../../helpers/kcat.js';

interface Answer {
  id: number;
  result?: { results: ({ partition: number; offset: string } | { error: { code: string } })[] };
  error?: { code: number; message: string; data?: { code?: string } };
}

/** A socket session that sends produce calls back to back and records every answer. */
function producingSession(socketPath: string, topic: string, prefix: string): { answers: Map<number, Answer>; sent: Map<number, string[]>; done: Promise<void> } {
  const answers = new Map<number, Answer>();
  const sent = new Map<number, string[]>();
  let socket: Socket;
  let buffer = '';
  let id = 0;
  const done = new Promise<void>((resolve) => {
    socket = connect(socketPath);
    const sendNext = (): void => {
      if (socket.destroyed || !socket.writable) return;
      const values = Array.from({ length: 20 }, (_, i) => `${prefix}-${id + 1}-${i}`);
      sent.set(++id, values);
      socket.write(`${JSON.stringify({ jsonrpc: '2.0', id, method: 'produce', params: { topic, messages: values.map((value) => ({ value })) } })}\n`);
    };
    socket.on('connect', () => {
      for (let i = 0; i < 4; i++) sendNext();
    });
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let at: number;
      while ((at = buffer.indexOf('\n')) >= 0) {
        const answer = JSON.parse(buffer.slice(0, at)) as Answer;
        buffer = buffer.slice(at + 1);
        answers.set(answer.id, answer);
        if (answer.result) sendNext();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
  return { answers, sent, done };
}

test('SIGTERM during produce: acknowledged records are in Kafka where reported; exit 0 within the shutdown timeout', async (t) => {
  const env = await kafkaEnv();
  const shutdownTimeoutMs = 15_000;
  const daemon = await startDaemon({
    KAFKA_SIDECAR_KAFKA_BROKERS: env.brokers.join(','),
    KAFKA_SIDECAR_SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    KAFKA_SIDECAR_PRODUCER_LINGER_MS: '20',
  });
  t.teardown(() => void daemon.stop('SIGKILL'));
  const topic = `shutdown-produce-${Date.now()}`;
  t.falsy((await rpcCall(daemon.socketPath, 'createTopics', { topics: [{ name: topic, partitions: 3 }] })).error);

  const sessions = [0, 1, 2].map((n) => producingSession(daemon.socketPath, topic, `s${n}`));
  // Let them produce for a while, then stop the daemon under load.
  await new Promise((r) => setTimeout(r, 1500));
  const stoppedAt = Date.now();
  daemon.child.kill('SIGTERM');
  const code = await daemon.exited;
  const tookMs = Date.now() - stoppedAt;
  await Promise.all(sessions.map((s) => s.done));
  t.is(code, 0, daemon.stderr());
  t.true(tookMs < shutdownTimeoutMs + 2000, `exited after ${tookMs} ms`);

  // Every acknowledged record, by value, at the partition and offset the daemon reported.
  const acknowledged = new Map<string, string>();
  let refused = 0;
  for (const { answers, sent } of sessions) {
    for (const [id, answer] of answers) {
      if (answer.error) {
        t.is(answer.error.data?.code, 'SHUTTING_DOWN', JSON.stringify(answer.error));
        refused++;
        continue;
      }
      answer.result!.results.forEach((r, i) => {
        if ('error' in r) t.fail(`record ${sent.get(id)![i]} failed: ${JSON.stringify(r.error)}`);
        else acknowledged.set(sent.get(id)![i]!, `${r.partition}:${r.offset}`);
      });
    }
  }
  t.true(acknowledged.size >= 100, `${acknowledged.size} records acknowledged before the shutdown`);
  const dump = (await kcatOk(['-b', env.brokers[0]!, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p:%o %s\n'])).toString();
  const inKafka = new Map<string, string>();
  for (const line of dump.split('\n').filter((l) => l.length > 0)) {
    const [where, value] = line.split(' ');
    inKafka.set(value!, where!);
  }
  const missing = [...acknowledged].filter(([value, where]) => inKafka.get(value) !== where);
  t.deepEqual(missing, [], 'every acknowledged record is in Kafka where the daemon said');
  const unanswered = sessions.reduce((n, s) => n + s.sent.size - s.answers.size, 0);
  t.log(`${acknowledged.size} records acknowledged, ${refused} calls refused with SHUTTING_DOWN, ${unanswered} unanswered, exit after ${tookMs} ms`);
});
