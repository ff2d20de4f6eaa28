/**
 * TEST-ONLY hand-rolled Kafka requests, so the record-batch interop tests can move raw batch
 * bytes to and from a real broker before the project's connection layer exists. One request
 * per TCP connection, non-flexible versions that every broker from 2.8 to 4.1 accepts:
 * Metadata v4 (to auto-create a topic), Produce v7 (the first to allow zstd), Fetch v4.
 * Nothing here is used by the product.
 */
import { connect } from 'node:net';

const ApiKey = { produce: 0, fetch: 1, metadata: 3 } as const;

export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

/** KAFKA_BROKERS from the environment (the test command or scripts/kafka-local sets it). */
export function brokerFromEnv(): BrokerAddress {
  const list = process.env.KAFKA_BROKERS;
  if (!list) {
    throw new Error(
      'KAFKA_BROKERS is not set: start a broker with `eval "$(scripts/kafka-local start)"` or run the integration suite through scripts/test',
    );
  }
  const first = list.split(',')[0]!.trim();
  const colon = first.lastIndexOf(':');
  return { host: first.slice(0, colon), port: Number(first.slice(colon + 1)) };
}

class Bytes {
  private readonly parts: Buffer[] = [];
  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.push(b);
  }
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.push(b);
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.push(b);
  }
  int64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    return this.push(b);
  }
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const s = Buffer.from(v, 'utf8');
    return this.int16(s.length).push(s);
  }
  bytes(v: Buffer): this {
    return this.int32(v.length).push(v);
  }
  push(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  int8(): number {
    return this.buf.readInt8((this.pos += 1) - 1);
  }
  int16(): number {
    return this.buf.readInt16BE((this.pos += 2) - 2);
  }
  int32(): number {
    return this.buf.readInt32BE((this.pos += 4) - 4);
  }
  int64(): bigint {
    return this.buf.readBigInt64BE((this.pos += 8) - 8);
  }
  string(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    return this.buf.toString('utf8', this.pos, (this.pos += n));
  }
  bytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    return this.buf.subarray(this.pos, (this.pos += n));
  }
}

let correlation = 1;

/** Sends one request (header v1) and returns the response body after its correlation id. */
function request(broker: BrokerAddress, apiKey: number, version: number, body: Buffer): Promise<Buffer> {
  const id = correlation++;
  const payload = new Bytes().int16(apiKey).int16(version).int32(id).string('records-interop-test').push(body).build();
  const frame = new Bytes().int32(payload.length).push(payload).build();
  return new Promise((resolve, reject) => {
    const socket = connect(broker.port, broker.host);
    const chunks: Buffer[] = [];
    let received = 0;
    socket.setTimeout(20_000, () => socket.destroy(new Error('broker did not answer within 20 s')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < 4) return;
      const all = Buffer.concat(chunks);
      const size = all.readInt32BE(0);
      if (all.length < 4 + size) return;
      socket.end();
      if (all.readInt32BE(4) !== id) reject(new Error('correlation id mismatch'));
      else resolve(all.subarray(8, 4 + size));
    });
    socket.write(frame);
  });
}

/** Asks for the topic's metadata with auto-creation allowed (Metadata v4). */
async function requestTopicCreation(broker: BrokerAddress, topic: string): Promise<void> {
  const body = new Bytes().int32(1).string(topic).int8(1).build();
  await request(broker, ApiKey.metadata, 4, body);
}

const RETRIABLE_PRODUCE_ERRORS = new Set([3, 5, 6]); // unknown topic, leader not available, not leader

/** Produces one raw batch to partition 0 (acks=-1); returns the base offset the broker assigned. */
export async function produceBatch(broker: BrokerAddress, topic: string, batch: Buffer): Promise<bigint> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const body = new Bytes()
      .string(null) // transactional id
      .int16(-1) // acks: all
      .int32(10_000)
      .int32(1)
      .string(topic)
      .int32(1)
      .int32(0)
      .bytes(batch)
      .build();
    const r = new Reader(await request(broker, ApiKey.produce, 7, body));
    r.int32(); // topics
    r.string();
    r.int32(); // partitions
    r.int32();
    const error = r.int16();
    const baseOffset = r.int64();
    if (error === 0) return baseOffset;
    if (!RETRIABLE_PRODUCE_ERRORS.has(error)) throw new Error(`produce to ${topic} failed with error code ${error}`);
    await requestTopicCreation(broker, topic);
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`produce to ${topic}: the topic never became available`);
}

/** Fetch v4 of partition 0 from `offset`: the raw `records` bytes exactly as the broker sent them. */
export async function fetchRecordBytes(broker: BrokerAddress, topic: string, offset: bigint, maxBytes = 4 << 20): Promise<Buffer> {
  const body = new Bytes()
    .int32(-1) // replica id
    .int32(500) // max wait
    .int32(1) // min bytes
    .int32(maxBytes)
    .int8(0) // read uncommitted
    .int32(1)
    .string(topic)
    .int32(1)
    .int32(0)
    .int64(offset)
    .int32(maxBytes)
    .build();
  const r = new Reader(await request(broker, ApiKey.fetch, 4, body));
  r.int32(); // throttle
  r.int32(); // topics
  r.string();
  r.int32(); // partitions
  r.int32();
  const error = r.int16();
  if (error !== 0) throw new Error(`fetch from ${topic} failed with error code ${error}`);
  r.int64(); // high watermark
  r.int64(); // last stable offset
  const aborted = r.int32();
  for (let i = 0; i < aborted; i++) {
    r.int64();
    r.int64();
  }
  return r.bytes() ?? Buffer.alloc(0);
}
