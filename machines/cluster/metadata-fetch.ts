/**
 * Getting a Metadata response: at bootstrap from the configured broker list (all tried at
 * once, the first answer wins, so an unreachable broker costs no more than the connect timeout),
 * later over the control lane of a known broker, falling back to the bootstrap list when no
 * known broker answers.
 */
import type { ActorSystem, AnyActorRef } from 'xstate';
import { MetadataApi, type MetadataRequest, type MetadataResponse } from '../../protocol/messages/metadata.js';
import { request } from '../connection/connection-client.js';
import { openSession } from '../connection/options.js';
import { brokerLane, brokerSystemId, Lane, type BrokerActor, type ConnectionTemplate } from './broker-machine.js';
import { BootstrapError, parseBrokerAddress } from './errors.js';
import type { ClusterMetadata } from './metadata.js';

/** Every topic: the sidecar serves whatever topics its apps name, and one request covers them. */
function metadataRequest(version: number): MetadataRequest {
  return {
    topics: version === 0 ? [] : null,
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  };
}

async function metadataFrom(address: string, template: ConnectionTemplate, signal: AbortSignal): Promise<MetadataResponse> {
  const { host, port } = parseBrokerAddress(address);
  const session = await openSession({ ...template, host, port }, signal);
  try {
    const version = session.versions.pick(MetadataApi);
    return await session.pipeline.send(MetadataApi, version, metadataRequest(version), { timeoutMs: template.requestTimeoutMs });
  } finally {
    session.pipeline.close();
  }
}

/** The first Metadata answer from any of `addresses`; BootstrapError naming each failure otherwise. */
export async function bootstrapMetadata(addresses: readonly string[], template: ConnectionTemplate, signal?: AbortSignal): Promise<MetadataResponse> {
  if (addresses.length === 0) throw new BootstrapError([]);
  const losers = new AbortController();
  const onAbort = (): void => losers.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const failures: Array<{ broker: string; error: Error }> = [];
  try {
    return await Promise.any(
      addresses.map((address) =>
        metadataFrom(address, template, losers.signal).catch((error: Error) => {
          failures.push({ broker: address, error });
          throw error;
        }),
      ),
    );
  } catch {
    throw new BootstrapError(addresses.map((a) => failures.find((f) => f.broker === a) ?? { broker: a, error: new Error('no answer') }));
  } finally {
    signal?.removeEventListener('abort', onAbort);
    losers.abort();
  }
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export interface RefreshInput {
  readonly system: ActorSystem<never> | { get(id: string): AnyActorRef | undefined };
  readonly metadata: ClusterMetadata;
  readonly bootstrap: readonly string[];
  readonly connection: ConnectionTemplate;
  readonly random?: () => number;
}

/**
 * A fresh Metadata response from the least doubtful source: brokers whose control lane is
 * ready first, then the others (each within the connect timeout), then the bootstrap list.
 */
export async function refreshMetadata(input: RefreshInput, signal?: AbortSignal): Promise<MetadataResponse> {
  const brokers = shuffled([...input.metadata.brokers.keys()], input.random ?? Math.random)
    .map((id) => input.system.get(brokerSystemId(id)) as BrokerActor | undefined)
    .filter((b): b is BrokerActor => b !== undefined && b.getSnapshot().status === 'active');
  const isReady = (b: BrokerActor): boolean => b.getSnapshot().context.lanes.control?.getSnapshot().matches('ready') ?? false;
  const ordered = [...brokers.filter(isReady), ...brokers.filter((b) => !isReady(b))];
  const failures: Array<{ broker: string; error: Error }> = [];
  for (const broker of ordered) {
    if (signal?.aborted) break;
    const { nodeId, host, port } = broker.getSnapshot().context;
    try {
      const connection = brokerLane(broker, Lane.control);
      const version = connection.getSnapshot().context.versions?.pick(MetadataApi) ?? 1;
      return await request(connection, MetadataApi, metadataRequest(version), {
        timeoutMs: isReady(broker) ? input.connection.requestTimeoutMs : input.connection.connectTimeoutMs,
      });
    } catch (error) {
      failures.push({ broker: `${nodeId}@${host}:${port}`, error: error as Error });
    }
  }
  try {
    return await bootstrapMetadata(input.bootstrap, input.connection, signal);
  } catch (error) {
    throw new BootstrapError([...failures, ...(error instanceof BootstrapError ? error.failures : [{ broker: 'bootstrap', error: error as Error }])]);
  }
}
