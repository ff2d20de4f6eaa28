// A cluster actor for a scenario's setup and teardown (creating and deleting topics): started,
// handed to `body` once bootstrapped, stopped afterwards whatever happens.
import { createActor } from 'xstate';
import { ClusterClient } from '../../machines/cluster/cluster-client.js';
import { clusterMachine } from '../../machines/cluster/cluster-machine.js';

export async function withCluster<T>(brokers: readonly string[], clientId: string, timeoutMs: number, body: (client: ClusterClient) => Promise<T>): Promise<T> {
  const backoff = { minMs: 100, maxMs: 2000 };
  const actor = createActor(clusterMachine, {
    input: {
      bootstrap: brokers,
      connection: { clientId, connectTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxInFlight: 5, backoff },
      metadataRefreshMs: 60_000,
      brokerRestarts: { maxRestarts: 5, windowMs: 60_000, backoff },
    },
  });
  actor.subscribe({ error: () => undefined });
  actor.start();
  try {
    const client = new ClusterClient(actor);
    await client.whenReady(timeoutMs);
    return await body(client);
  } finally {
    actor.send({ type: 'cluster.stop' });
    actor.stop();
  }
}
