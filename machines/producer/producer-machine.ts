/**
 * The producer (system id `producer`): the life cycle around the data plane in
 * producer.ts. Records flow through plain calls (`producerOf(system).send(...)`); this
 * machine only sees the control events: initialised, epoch bump needed, close.
 *
 *   initialising --(producer id)--> ready <--> retrying (epoch bump, KIP-360)
 *        |  ^ retriable failure                  |
 *        v  |                                    v refused for good
 *   initBackoff            flushing --> closed   fatal (every record fails with the cause;
 *                                                       also when a transactional id is fenced)
 *
 * Records appended while initialising wait in the accumulator. `producer.close` flushes what
 * is buffered (bounded by the caller's stop timeout) and ends in `closed`. When the actor
 * stops (daemon stop, supervisor restart) whatever is still buffered fails with
 * ProducerClosedError instead of waiting forever.
 */
import { assign, fromCallback, fromPromise, setup, type ActorRefFrom, type AnyActorRef, type SnapshotFrom } from 'xstate';
import { backoffDelayMs, type BackoffPolicy } from '../backoff.js';
import { ProducerClosedError, ProducerFatalError } from './errors.js';
import { Producer, type ProducerSettings } from './producer.js';
import type { ProducerCluster } from './sender.js';
import { transactionMachine } from './transaction-machine.js';

export const PRODUCER_SYSTEM_ID = 'producer';

/** System id of the transactional producer of one transactional id (apps begin transactions on it over IPC). */
export function transactionalProducerSystemId(transactionalId: string): string {
  return `producer:txn:${transactionalId}`;
}
/** Id of a transactional producer's transaction life-cycle child. */
export const TRANSACTION_CHILD_ID = 'transaction';

export interface ProducerInput {
  readonly settings: ProducerSettings;
  /** The current cluster client; throws while the cluster actor restarts. */
  readonly cluster: () => ProducerCluster;
  /** Backoff between failed InitProducerId attempts. */
  readonly backoff: BackoffPolicy;
  /** Time one initialisation or bump may take. */
  readonly initTimeoutMs: number;
}

export interface ProducerContext {
  readonly producer: Producer;
  readonly input: ProducerInput;
  /** Consecutive failed initialisations: the backoff exponent. */
  failures: number;
  lastError: Error | null;
  /** Why the last epoch bump was needed. */
  bumpReason: string | null;
  bumps: number;
}

export type ProducerEvent =
  | { type: 'producer.bump'; reason: string }
  | { type: 'producer.close' }
  | { type: 'producer.fatal'; error: Error };

function isRetriable(error: unknown): boolean {
  return (error as { retriable?: unknown })?.retriable === true;
}

export const producerMachine = setup({
  types: {
    context: {} as ProducerContext,
    input: {} as ProducerInput,
    events: {} as ProducerEvent,
  },
  actors: {
    transaction: transactionMachine,
    initialize: fromPromise<void, { producer: Producer; timeoutMs: number }>(({ input }) => input.producer.initialize(input.timeoutMs)),
    bumpEpoch: fromPromise<void, { producer: Producer; timeoutMs: number }>(({ input }) => input.producer.bumpEpoch(input.timeoutMs)),
    flush: fromPromise<void, { producer: Producer }>(({ input }) => input.producer.close()),
    /** Lives as long as the machine: when the machine stops, leftovers fail instead of waiting. */
    lifetime: fromCallback<ProducerEvent, { producer: Producer }>(({ input }) => {
      return () => input.producer.abort(new ProducerClosedError('the producer stopped'));
    }),
  },
  delays: {
    initBackoff: ({ context }) => backoffDelayMs(Math.max(0, context.failures - 1), context.input.backoff),
  },
  guards: {
    retriable: ({ event }) => isRetriable((event as { error?: unknown }).error),
  },
  actions: {
    resume: ({ context }) => context.producer.resume(),
    noteFailure: assign(({ context, event }) => {
      const error = (event as unknown as { error?: unknown }).error;
      return { failures: context.failures + 1, lastError: error instanceof Error ? error : new Error(String(error)) };
    }),
    failEverything: ({ context }) => {
      context.producer.abort(new ProducerFatalError(`the producer stopped for good: ${context.lastError?.message ?? 'unknown cause'}`, { cause: context.lastError }));
    },
  },
}).createMachine({
  id: 'producer',
  context: ({ input, self, spawn }) => {
    const actor = self as AnyActorRef;
    // A transactional producer's transaction life cycle is a child, so the actor system (and the
    // statechart page) shows it; the TransactionManager drives it with one event per call.
    const lifecycle = (input.settings.transactionalId ?? null) === null ? undefined : spawn('transaction', { id: TRANSACTION_CHILD_ID });
    const producer = new Producer(input.settings, input.cluster, {
      onBumpNeeded: (reason) => actor.send({ type: 'producer.bump', reason }),
      // Fenced or unauthorised transactional id: the producer stops for good.
      onFatal: (error) => actor.send({ type: 'producer.fatal', error }),
    }, lifecycle);
    return { producer, input, failures: 0, lastError: null, bumpReason: null, bumps: 0 };
  },
  invoke: { src: 'lifetime', input: ({ context }) => ({ producer: context.producer }) },
  initial: 'initialising',
  on: {
    'producer.close': { target: '.flushing' },
    'producer.fatal': { target: '.fatal', actions: assign(({ event }) => ({ lastError: event.error })) },
  },
  states: {
    initialising: {
      invoke: {
        src: 'initialize',
        input: ({ context }) => ({ producer: context.producer, timeoutMs: context.input.initTimeoutMs }),
        onDone: { target: 'ready', actions: assign({ failures: 0, lastError: null }) },
        onError: [
          { guard: 'retriable', target: 'initBackoff', actions: 'noteFailure' },
          { target: 'fatal', actions: 'noteFailure' },
        ],
      },
    },
    initBackoff: {
      after: { initBackoff: { target: 'initialising' } },
    },
    ready: {
      entry: 'resume',
      on: { 'producer.bump': { target: 'retrying', actions: assign(({ context, event }) => ({ bumpReason: event.reason, bumps: context.bumps + 1 })) } },
    },
    /** The idempotent lane waits for its requests in flight, then takes a new epoch. */
    retrying: {
      invoke: {
        src: 'bumpEpoch',
        input: ({ context }) => ({ producer: context.producer, timeoutMs: context.input.initTimeoutMs }),
        onDone: { target: 'ready' },
        onError: [
          { guard: 'retriable', target: 'retryBackoff', actions: 'noteFailure' },
          { target: 'fatal', actions: 'noteFailure' },
        ],
      },
    },
    retryBackoff: {
      after: { initBackoff: { target: 'retrying' } },
    },
    fatal: {
      entry: 'failEverything',
      on: { 'producer.close': { target: 'closed' } },
    },
    flushing: {
      invoke: {
        src: 'flush',
        input: ({ context }) => ({ producer: context.producer }),
        onDone: { target: 'closed' },
        onError: { target: 'closed' },
      },
    },
    closed: { type: 'final' },
  },
});

export type ProducerActor = ActorRefFrom<typeof producerMachine>;
export type ProducerSnapshot = SnapshotFrom<typeof producerMachine>;

/** The running producer's data plane, found by system id; undefined while it restarts or after it closed. */
export function producerOf(system: { get(id: string): AnyActorRef | undefined }, systemId: string = PRODUCER_SYSTEM_ID): Producer | undefined {
  const actor = system.get(systemId) as ProducerActor | undefined;
  const snapshot = actor?.getSnapshot();
  if (snapshot === undefined || snapshot.status !== 'active') return undefined;
  return snapshot.context.producer;
}
