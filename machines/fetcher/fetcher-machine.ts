/**
 * The fetcher: fetches a set of partitions from their leaders and hands decoded records on,
 * per partition and response, to a consumer callback.
 *
 * Interface (what a group actor or a test uses; see createFetcher below):
 * - `assign([{topic, partition, position?}])`: start fetching; `position` is an offset, or
 *   'earliest' / 'latest'; without one the reset policy decides (policy "none": NoPositionError).
 * - `revoke([{topic, partition}])`: stop fetching; unreleased buffered bytes are forgotten.
 * - `seek({topic, partition}, position)`: fetch from there next; answers in flight for the old
 *   position are dropped. Also what restarts a partition that failed.
 * - `pause(partitions)` / `resume(partitions)`: backpressure; paused partitions are not fetched.
 * - `consumer.onBatch(batch)`: records of one partition, in order; `batch.release()` frees its
 *   bytes from the bounded buffer (a partition holding maxPartitionBufferedBytes, or all of them
 *   holding maxBufferedBytes, is not fetched until released).
 * - `consumer.onError(error)`: OffsetOutOfRangeError (policy "none"), NoPositionError,
 *   PartitionFetchError; the partition stops until sought.
 *
 * The machine is the control plane: idle without partitions, fetching with them (the engine's
 * per-leader loops run as the invoked `engine` actor), stopped at the end. Records never pass
 * through it: the engine calls the consumer directly.
 */
import { assign, createActor, fromCallback, setup, type ActorRefFrom } from 'xstate';
import type { ClusterClient } from '../cluster/cluster-client.js';
import { UnassignedPartitionError } from './errors.js';
import { FetchEngine, type PartitionPosition } from './fetch-engine.js';
import { defaultFetcherOptions, type FetcherConsumer, type FetcherOptions, type PartitionStart, type StartPosition, type TopicPartition } from './types.js';

export interface FetcherInput {
  readonly cluster: ClusterClient;
  readonly consumer: FetcherConsumer;
  readonly options?: Partial<FetcherOptions>;
}

export interface FetcherContext {
  readonly engine: FetchEngine;
  /** Partitions that stopped with an error so far. */
  failures: number;
  /** Partitions seen moving from one leader to another. */
  leaderMoves: number;
}

export type FetcherEvent =
  | { type: 'fetcher.assign'; partitions: readonly PartitionStart[] }
  | { type: 'fetcher.revoke'; partitions: readonly TopicPartition[] }
  | { type: 'fetcher.seek'; partition: TopicPartition; position: StartPosition }
  | { type: 'fetcher.pause'; partitions: readonly TopicPartition[] }
  | { type: 'fetcher.resume'; partitions: readonly TopicPartition[] }
  | { type: 'fetcher.stop' }
  | { type: 'engine.partitionFailed'; topic: string; partition: number; code: string }
  | { type: 'engine.leaderMoved'; topic: string; partition: number; from: number; to: number };

type EngineEvent = Extract<FetcherEvent, { type: `engine.${string}` }>;

/** Runs the engine's loops while the machine is in `fetching`; stopping the actor stops them. */
const engineRunner = fromCallback<{ type: 'none' }, { engine: FetchEngine }, EngineEvent>(({ input, sendBack }) => {
  const { engine } = input;
  engine.observe({
    partitionFailed: (error) => sendBack({ type: 'engine.partitionFailed', topic: error.topic, partition: error.partition, code: (error as { code?: string }).code ?? error.name }),
    leaderMoved: (topic, partition, from, to) => sendBack({ type: 'engine.leaderMoved', topic, partition, from, to }),
  });
  engine.start();
  return () => {
    void engine.stop();
  };
});

export const fetcherMachine = setup({
  types: {
    context: {} as FetcherContext,
    input: {} as FetcherInput,
    events: {} as FetcherEvent,
  },
  actors: { engine: engineRunner },
  guards: {
    nothingAssigned: ({ context }) => context.engine.assignedCount === 0,
  },
  actions: {
    assignPartitions: ({ context, event }) => {
      if (event.type === 'fetcher.assign') context.engine.assign(event.partitions);
    },
    revokePartitions: ({ context, event }) => {
      if (event.type === 'fetcher.revoke') context.engine.revoke(event.partitions);
    },
    seekPartition: ({ context, event }) => {
      if (event.type === 'fetcher.seek') context.engine.seek(event.partition, event.position);
    },
    pausePartitions: ({ context, event }) => {
      if (event.type === 'fetcher.pause') context.engine.pause(event.partitions);
    },
    resumePartitions: ({ context, event }) => {
      if (event.type === 'fetcher.resume') context.engine.resume(event.partitions);
    },
    countFailure: assign({ failures: ({ context }) => context.failures + 1 }),
    countLeaderMove: assign({ leaderMoves: ({ context }) => context.leaderMoves + 1 }),
  },
}).createMachine({
  id: 'fetcher',
  context: ({ input }) => ({
    engine: new FetchEngine(input.cluster, { ...defaultFetcherOptions, ...input.options }, input.consumer),
    failures: 0,
    leaderMoves: 0,
  }),
  initial: 'idle',
  on: {
    'fetcher.stop': '.stopped',
  },
  states: {
    idle: {
      on: {
        'fetcher.assign': { target: 'fetching', actions: 'assignPartitions' },
      },
    },
    fetching: {
      invoke: { id: 'engine', src: 'engine', input: ({ context }) => ({ engine: context.engine }) },
      always: { guard: 'nothingAssigned', target: 'idle' },
      on: {
        'fetcher.assign': { actions: 'assignPartitions' },
        'fetcher.revoke': { actions: 'revokePartitions' },
        'fetcher.seek': { actions: 'seekPartition' },
        'fetcher.pause': { actions: 'pausePartitions' },
        'fetcher.resume': { actions: 'resumePartitions' },
        'engine.partitionFailed': { actions: 'countFailure' },
        'engine.leaderMoved': { actions: 'countLeaderMove' },
      },
    },
    stopped: { type: 'final' },
  },
});

export type FetcherActor = ActorRefFrom<typeof fetcherMachine>;

/** The fetcher actor with typed calls; calls about unassigned partitions throw UnassignedPartitionError. */
export class Fetcher {
  constructor(readonly actor: FetcherActor) {}

  private get engine(): FetchEngine {
    return this.actor.getSnapshot().context.engine;
  }

  assign(partitions: readonly PartitionStart[]): void {
    this.actor.send({ type: 'fetcher.assign', partitions });
  }

  revoke(partitions: readonly TopicPartition[]): void {
    this.actor.send({ type: 'fetcher.revoke', partitions });
  }

  seek(partition: TopicPartition, position: StartPosition): void {
    this.check([partition]);
    this.actor.send({ type: 'fetcher.seek', partition, position });
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.check(partitions);
    this.actor.send({ type: 'fetcher.pause', partitions });
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.check(partitions);
    this.actor.send({ type: 'fetcher.resume', partitions });
  }

  positions(): PartitionPosition[] {
    return this.engine.positions();
  }

  /** One entry per leader broker being fetched from, with its fetch session id (0: full fetches). */
  loops(): Array<{ nodeId: number; sessionId: number }> {
    return this.engine.loopStatus();
  }

  /** Stops the actor and waits for the requests in flight to end. */
  async stop(): Promise<void> {
    const engine = this.engine;
    this.actor.send({ type: 'fetcher.stop' });
    this.actor.stop();
    await engine.stop();
  }

  private check(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) if (!this.engine.isAssigned(p)) throw new UnassignedPartitionError(p.topic, p.partition);
  }
}

/** Creates and starts a fetcher actor (a group actor would spawn `fetcherMachine` itself instead). */
export function createFetcher(input: FetcherInput, options: { systemId?: string } = {}): Fetcher {
  const actor = createActor(fetcherMachine, { input, ...(options.systemId ? { systemId: options.systemId } : {}) });
  actor.subscribe({ error: (error) => input.consumer.onError(error instanceof Error ? error : new Error(String(error))) });
  actor.start();
  return new Fetcher(actor);
}
