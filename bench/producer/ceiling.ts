/**
 * The producer benchmark's reference line, not a client: what the broker accepts over one
 * connection when the client costs next to nothing. Every Produce request of a case is encoded
 * before the clock starts (one batch of BATCH_BYTES for each partition of the topic, the most a
 * request can carry with that batch size; no idempotence; the case's acks and codec), then
 * written to a plain socket with IN_FLIGHT outstanding, the next one as each answer comes back. A Kafka broker handles one request per connection at a time, so this is the most any
 * one-connection producer can get from this broker on this machine; a client's ratio to it says
 * how much of that it reaches.
 */
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame, FrameSplitter } from '../../protocol/frame.js';
import { ApiVersionsApi } from '../../protocol/messages/api-versions.js';
import { ProduceApi } from '../../protocol/messages/produce.js';
import { CompressionCodec } from '../../protocol/records/record-types.js';
import { encodeRecordBatch } from '../../protocol/records/record-batch-encode.js';
import type { RunContext } from '../lib/scenario.js';
import { BATCH_BYTES, IN_FLIGHT, measureCases, type CaseRun, type ProducerSetup } from './cases.js';

const CLIENT_ID = 'bench-ceiling';
const MAX_FRAME = 64 * 1024 * 1024;
/** Produce v3 is the first with v2 record batches; v12+ is not needed for a plain producer. */
const PRODUCE_VERSIONS = { min: 3, max: 11 } as const;

/** One connection that answers requests in order, as a broker does on one connection. */
class RawConnection {
  private readonly splitter = new FrameSplitter(MAX_FRAME);
  private readonly waiting: { resolve: (frame: Buffer) => void; reject: (err: Error) => void }[] = [];
  private failure: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(chunk)) this.waiting.shift()?.resolve(frame);
    });
    const fail = (err: Error): void => {
      this.failure ??= err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the broker closed the connection')));
  }

  static async open(address: string): Promise<RawConnection> {
    const at = address.lastIndexOf(':');
    const socket = connect(Number(address.slice(at + 1)), address.slice(0, at));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawConnection(socket);
  }

  /** Writes one size-prefixed request; resolves with its response frame. */
  request(frame: Buffer | readonly Buffer[]): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const answer = new Promise<Buffer>((resolve, reject) => this.waiting.push({ resolve, reject }));
    for (const part of Array.isArray(frame) ? frame : [frame]) this.socket.write(part);
    return answer;
  }

  close(): void {
    this.socket.destroy();
  }
}

async function produceVersion(conn: RawConnection): Promise<number> {
  const frame = await conn.request(encodeRequestFrame(ApiVersionsApi, 0, 0, CLIENT_ID, { clientSoftwareName: '', clientSoftwareVersion: '' }));
  const { body } = decodeResponseFrame(ApiVersionsApi, 0, frame);
  const range = body.apiKeys.find((k) => k.apiKey === ProduceApi.key);
  if (body.errorCode !== 0 || !range) throw new Error(`ApiVersions failed (error ${body.errorCode})`);
  const version = Math.min(range.maxVersion, PRODUCE_VERSIONS.max);
  if (version < PRODUCE_VERSIONS.min) throw new Error(`the broker's Produce versions ${range.minVersion}-${range.maxVersion} carry no v2 record batches`);
  return version;
}

/**
 * The most records of `value` whose uncompressed batch fits BATCH_BYTES, found by encoding. Like
 * the clients' accumulators, batches are sized by what goes in, compressed or not.
 */
function recordsPerBatch(value: Buffer): number {
  const fits = (n: number): boolean => encodeRecordBatch({ records: Array.from({ length: n }, () => ({ key: null, value, timestamp: 0 })) }).length <= BATCH_BYTES;
  let n = Math.max(1, Math.floor(BATCH_BYTES / (value.length + 8)));
  while (n > 1 && !fits(n)) n--;
  return n;
}

/**
 * Every request of the case, encoded now so that sending them costs the client almost nothing:
 * each carries one full batch for every partition (the last ones what is left).
 */
function encodeCase(run: CaseRun, payloads: readonly Buffer[], version: number): Buffer[] {
  const compression = run.compression === 'lz4' ? CompressionCodec.lz4 : CompressionCodec.none;
  const perBatch = recordsPerBatch(payloads[0]!);
  const frames: Buffer[] = [];
  const timestamp = Date.now();
  let first = 0;
  for (let correlationId = 1; first < run.records; correlationId++) {
    const partitionData: { index: number; records: Buffer }[] = [];
    for (let index = 0; index < run.partitions && first < run.records; index++, first += perBatch) {
      const count = Math.min(perBatch, run.records - first);
      const records = Array.from({ length: count }, (_, i) => ({ key: null, value: payloads[(first + i) % payloads.length]!, timestamp }));
      partitionData.push({ index, records: encodeRecordBatch({ records, compression }) });
    }
    const body = { transactionalId: null, acks: run.acks === 'all' ? -1 : 1, timeoutMs: 30_000, topicData: [{ name: run.topic, partitionData }] };
    frames.push(Buffer.concat(encodeRequestFrame(ProduceApi, version, correlationId, CLIENT_ID, body)));
  }
  return frames;
}

function checkAnswer(frame: Buffer, version: number, topic: string): void {
  const { body } = decodeResponseFrame(ProduceApi, version, frame);
  for (const t of body.responses) {
    for (const p of t.partitionResponses) {
      if (p.errorCode !== 0) throw new Error(`${topic}[${p.index}]: Produce failed with error ${p.errorCode}${p.errorMessage ? ` (${p.errorMessage})` : ''}`);
    }
  }
}

export async function runCeiling(ctx: RunContext): Promise<Record<string, number>> {
  const setup = ctx.setup as unknown as ProducerSetup;
  // The bench broker is one node, so it leads every partition; the first address is it.
  const conn = await RawConnection.open(setup.brokers.split(',')[0]!);
  try {
    const version = await produceVersion(conn);
    const prepared = new Map<string, Buffer[]>();
    return await measureCases(
      'broker-ceiling',
      setup,
      async (run) => {
        const frames = prepared.get(run.id)!;
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < frames.length) checkAnswer(await conn.request(frames[next++]!), version, run.topic);
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
      },
      (run, payloads) => {
        prepared.clear();
        prepared.set(run.id, encodeCase(run, payloads, version));
      },
    );
  } finally {
    conn.close();
  }
}
