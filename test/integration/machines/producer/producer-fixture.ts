/**
 * A real cluster actor and a producer actor over it, for the producer's integration tests, and
 * kcat helpers that read what was produced back byte for byte (length-prefixed keys and values,
 * raw headers), so that a symmetric bug in our encoder and decoder cannot pass.
 */
import { createActor } from 'xstate';
import { createTopics } from '../../../../machines/admin/create-topics.js';
import { listOffsets } from '../../../../machines/admin/list-offsets.js';
import { Lane, type ClusterClient } from '../../../../machines/cluster/cluster-client.js';
import { producerMachine, type ProducerActor } from '../../../../machines/producer/producer-machine.js';
import type { ProducerSettings } from '../../../../machines/producer/producer.js';
import { KafkaProtocolError } from '../../../../protocol/errors/kafka-error.js';
import { CreateAclsApi } from '../../../../protocol/messages/create-acls.js';
import { CompressionCodec } from '../../../../protocol/records/record-types.js';
import { kcatOk } from '../../../helpers/kcat.js';
import { CALL_TIMEOUT_MS, eventually, uniqueName } from '../admin/cluster-fixture.js';

export const DEFAULT_SETTINGS: ProducerSettings = {
  acks: 'all',
  compression: CompressionCodec.none,
  idempotent: true,
  lingerMs: 5,
  batchBytes: 16_384,
  bufferBytes: 32 * 1024 * 1024,
  maxBlockMs: 30_000,
  deliveryTimeoutMs: 120_000,
  maxInFlightPerBroker: 5,
  retries: 2 ** 31 - 1,
  requestTimeoutMs: 30_000,
  retryBackoffMs: 100,
};

export function startProducer(cluster: ClusterClient, settings: Partial<ProducerSettings> = {}): ProducerActor {
  const actor = createActor(producerMachine, {
    input: {
      settings: { ...DEFAULT_SETTINGS, ...settings },
      cluster: () => cluster,
      backoff: { minMs: 100, maxMs: 2000 },
      initTimeoutMs: CALL_TIMEOUT_MS,
    },
  });
  actor.subscribe({ error: () => undefined });
  actor.start();
  return actor;
}

/** Creates a topic and waits until every partition has a leader that answers ListOffsets. */
export async function readyTopic(cluster: ClusterClient, prefix: string, partitions: number, configs?: Record<string, string>): Promise<string> {
  const topic = uniqueName(prefix);
  const [result] = await createTopics(cluster, [{ name: topic, partitions, configs }], { timeoutMs: CALL_TIMEOUT_MS });
  if (result!.error) throw result!.error;
  await eventually(`${topic} to have leaders`, async () => ((await listOffsets(cluster, topic, 'latest', { timeoutMs: CALL_TIMEOUT_MS })).length === partitions ? true : undefined));
  return topic;
}

export interface ReadRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: string;
}

/** A separator kcat prints between fields; no test data contains it. */
const SEP = '~|~';
const END = '~#END#~\n';

/**
 * Reads `count` records of `topic` with kcat: key and value by their lengths (exact bytes; -1
 * is null), headers as kcat prints them (name=value,...).
 */
export async function kcatRead(brokers: string, topic: string, count: number, extra: string[] = []): Promise<ReadRecord[]> {
  const format = `%p${SEP}%o${SEP}%T${SEP}%K${SEP}%k${SEP}%S${SEP}%s${SEP}%h${END}`;
  const out = await kcatOk(['-b', brokers, ...extra, '-C', '-t', topic, '-o', 'beginning', '-c', String(count), '-e', '-q', '-f', format], undefined, 120_000);
  const records: ReadRecord[] = [];
  let at = 0;
  const field = (): Buffer => {
    const end = out.indexOf(SEP, at);
    const value = out.subarray(at, end);
    at = end + SEP.length;
    return value;
  };
  const sized = (length: number): Buffer | null => {
    if (length < 0) {
      // kcat prints nothing for a null key or value.
      at += SEP.length;
      return null;
    }
    const value = out.subarray(at, at + length);
    at += length + SEP.length;
    return value;
  };
  while (at < out.length) {
    const partition = Number(field().toString());
    const offset = BigInt(field().toString());
    const timestamp = Number(field().toString());
    const key = sized(Number(field().toString()));
    const value = sized(Number(field().toString()));
    const end = out.indexOf(END, at);
    const headers = out.subarray(at, end).toString('latin1');
    at = end + END.length;
    records.push({ partition, offset, timestamp, key, value, headers });
  }
  return records;
}

/** ACL operation codes (AclOperation in Kafka) that the tests deny. */
export const AclOperation = { write: 4, create: 7, describe: 8 } as const;
const TOPIC_RESOURCE = 2;
const LITERAL_PATTERN = 3;
const DENY = 2;

/**
 * Denies `principal` the given operations on `topic` with ACLs. The run's brokers (kafka-local
 * --security) have an authorizer that allows whatever no ACL names, so only this topic is closed.
 */
export async function denyTopic(cluster: ClusterClient, topic: string, principal: string, operations: readonly number[]): Promise<void> {
  const response = await cluster.request(
    cluster.anyBroker(),
    Lane.control,
    CreateAclsApi,
    {
      creations: operations.map((operation) => ({
        resourceType: TOPIC_RESOURCE,
        resourceName: topic,
        resourcePatternType: LITERAL_PATTERN,
        principal,
        host: '*',
        operation,
        permissionType: DENY,
      })),
    },
    { timeoutMs: CALL_TIMEOUT_MS },
  );
  for (const result of response.results) if (result.errorCode !== 0) throw new KafkaProtocolError(result.errorCode, result.errorMessage);
}
