/**
 * A real cluster actor and ClusterClient over one in-process fake broker (node 1), whose
 * Metadata answer the test sets, for admin operations whose retry and version paths a real
 * broker will not show on demand (NOT_CONTROLLER, NOT_COORDINATOR, a leader moving).
 */
import { createActor } from 'xstate';
import { ClusterClient } from '../../../../machines/cluster/cluster-client.js';
import { clusterMachine } from '../../../../machines/cluster/cluster-machine.js';
import type { MetadataResponseTopic } from '../../../../protocol/messages/metadata.js';
import { allVersions, FakeBroker, type ReceivedRequest } from '../fake-broker.js';

export const ApiKey = {
  listOffsets: 2,
  metadata: 3,
  offsetFetch: 9,
  findCoordinator: 10,
  describeGroups: 15,
  listGroups: 16,
  apiVersions: 18,
  createTopics: 19,
  deleteTopics: 20,
} as const;

export interface FakeCluster {
  readonly broker: FakeBroker;
  readonly client: ClusterClient;
  /** Topics the Metadata answer lists: name -> partition count, all led by node 1 at epoch 7. */
  readonly topics: Map<string, number>;
  /** Requests of one API the broker received, in order. */
  received(apiKey: number): ReceivedRequest[];
  stop(): Promise<void>;
}

function metadataTopic(name: string, partitions: number): MetadataResponseTopic {
  return {
    errorCode: 0,
    name,
    isInternal: false,
    partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
      errorCode: 0,
      partitionIndex,
      leaderId: 1,
      leaderEpoch: 7,
      replicaNodes: [1],
      isrNodes: [1],
      offlineReplicas: [],
    })),
  };
}

/** `versions` caps APIs, e.g. {[ApiKey.deleteTopics]: {min: 0, max: 5}}, to take an older code path. */
export async function startFakeCluster(versions: Record<number, { min: number; max: number }> = {}): Promise<FakeCluster> {
  const broker = await new FakeBroker().listen();
  const topics = new Map<string, number>();
  broker.on(ApiKey.apiVersions, () => ({ body: allVersions(versions) }));
  broker.on(ApiKey.metadata, () => ({
    body: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: broker.port, rack: null }],
      clusterId: 'fake',
      controllerId: 1,
      topics: [...topics].map(([name, count]) => metadataTopic(name, count)),
    },
  }));
  broker.on(ApiKey.findCoordinator, () => ({
    body: { throttleTimeMs: 0, coordinators: [] as unknown[] },
  }));
  const backoff = { minMs: 10, maxMs: 50, jitter: 0 };
  const actor = createActor(clusterMachine, {
    input: {
      bootstrap: [`127.0.0.1:${broker.port}`],
      connection: { clientId: 'admin-unit', connectTimeoutMs: 2000, requestTimeoutMs: 2000, maxInFlight: 5, backoff },
      metadataRefreshMs: 60_000,
      minRefreshIntervalMs: 10,
      brokerRestarts: { maxRestarts: 3, windowMs: 10_000, backoff },
    },
  });
  actor.subscribe({ error: () => undefined });
  actor.start();
  const client = new ClusterClient(actor);
  await client.whenReady(5000);
  return {
    broker,
    client,
    topics,
    received: (apiKey) => broker.received.filter((r) => r.api.key === apiKey),
    stop: async () => {
      actor.send({ type: 'cluster.stop' });
      actor.stop();
      await broker.close();
    },
  };
}

/** Answers FindCoordinator (any version) with node 1 of `fake` for every key asked. */
export function coordinatorIsNode1(fake: FakeCluster): void {
  fake.broker.on(ApiKey.findCoordinator, (req) => {
    const body = req.body as { key?: string; coordinatorKeys?: string[] };
    if (req.version >= 4) {
      return {
        body: {
          throttleTimeMs: 0,
          coordinators: (body.coordinatorKeys ?? []).map((key) => ({ key, nodeId: 1, host: '127.0.0.1', port: fake.broker.port, errorCode: 0, errorMessage: null })),
        },
      };
    }
    return { body: { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 1, host: '127.0.0.1', port: fake.broker.port } };
  });
}
