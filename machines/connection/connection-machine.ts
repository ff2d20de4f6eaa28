/**
 * One broker connection as a statechart:
 *
 *   connecting (dialing -> negotiating -> authenticating) -> ready (serving <-> reauthenticating)
 *        ^                                                      |
 *        +------------------------- backoff <-------------------+  (any failure)
 *   closed: final, on `connection.close` from any state
 *   failed: an unexpected error (a bug, not a network or broker problem): the actor fails and
 *           its parent's supervisor decides.
 *
 * The request pipeline lives in the context; users send through it directly (see
 * connection-client.ts). The `linkOwner` callback actor owns the current pipeline: it reports
 * its closing and closes it when the link is dropped or the actor stops (XState runs no exit
 * actions on stop, but it does run a callback actor's cleanup).
 */
import { assign, enqueueActions, fromCallback, fromPromise, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { KafkaProtocolError } from '../../protocol/errors/kafka-error.js';
import { WireError } from '../../protocol/primitives/errors.js';
import { backoffDelayMs, checkBackoffPolicy } from '../backoff.js';
import { ConnectionError, ConnectTimeoutError } from './errors.js';
import {
  authenticateLink,
  brokerAddress,
  DEFAULT_STABLE_AFTER_MS,
  negotiateLink,
  openLink,
  type ConnectionOptions,
} from './options.js';
import type { RequestPipeline } from './pipeline.js';
import type { SaslSession } from './sasl/authenticate.js';
import type { ApiVersionTable } from './versions.js';

export type ConnectionEvent = { type: 'link.closed'; error: ConnectionError } | { type: 'connection.close' };

type LinkOwnerEvent = { type: 'link.attach'; pipeline: RequestPipeline } | { type: 'link.detach' };

export interface ConnectionContext {
  readonly options: ConnectionOptions;
  readonly broker: string;
  pipeline: RequestPipeline | null;
  versions: ApiVersionTable | null;
  /** From the last SASL exchange; 0 when the session does not expire. */
  sessionLifetimeMs: number;
  /** Reconnect attempts since the connection was last stable: the backoff exponent. */
  attempt: number;
  /** Why the connection is not ready (null while ready). */
  lastError: Error | null;
  backoffMs: number;
  /** What `connecting` is doing, for the connect timeout's message. */
  phase: string;
}

/** Errors a connection expects from networks and brokers; anything else is a bug to escalate. */
export function isExpectedFailure(error: unknown): boolean {
  return error instanceof ConnectionError || error instanceof KafkaProtocolError || error instanceof WireError;
}

const linkOwner = fromCallback<LinkOwnerEvent>(({ sendBack, receive }) => {
  let current: RequestPipeline | null = null;
  let unsubscribe: () => void = () => undefined;
  const detach = (): void => {
    unsubscribe();
    unsubscribe = () => undefined;
    current?.close();
    current = null;
  };
  receive((event) => {
    detach();
    if (event.type === 'link.attach') {
      current = event.pipeline;
      unsubscribe = current.onClose((error) => sendBack({ type: 'link.closed', error }));
    }
  });
  return detach;
});

/** onError of every step: expected failures back off, anything else fails the actor. */
const onStepError = [
  {
    guard: { type: 'expectedFailure', params: ({ event }: { event: { error: unknown } }) => ({ error: event.error }) },
    target: '#connection.backoff',
    actions: { type: 'recordFailure', params: ({ event }: { event: { error: unknown } }) => ({ error: event.error }) },
  },
  {
    target: '#connection.failed',
    actions: { type: 'recordFailure', params: ({ event }: { event: { error: unknown } }) => ({ error: event.error }) },
  },
] as const;

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    input: {} as ConnectionOptions,
    events: {} as ConnectionEvent,
  },
  actors: {
    linkOwner,
    openLink: fromPromise<RequestPipeline, ConnectionOptions>(({ input, signal }) => openLink(input, signal)),
    negotiate: fromPromise<ApiVersionTable, { pipeline: RequestPipeline; options: ConnectionOptions }>(({ input }) =>
      negotiateLink(input.pipeline, input.options),
    ),
    authenticate: fromPromise<SaslSession, { pipeline: RequestPipeline; versions: ApiVersionTable; options: ConnectionOptions }>(
      ({ input }) => authenticateLink(input.pipeline, input.versions, input.options),
    ),
  },
  delays: {
    connectTimeout: ({ context }) => context.options.connectTimeoutMs,
    stableAfter: ({ context }) => context.options.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS,
    backoffDelay: ({ context }) => context.backoffMs,
    // KIP-368: re-authenticate at a random point between 85% and 95% of the session lifetime.
    reauthenticateAfter: ({ context }) => Math.floor(context.sessionLifetimeMs * (0.85 + 0.1 * (context.options.random ?? Math.random)())),
  },
  guards: {
    saslConfigured: ({ context }) => Boolean(context.options.sasl),
    sessionExpires: ({ context }) => context.sessionLifetimeMs > 0,
    expectedFailure: (_, params: { error: unknown }) => isExpectedFailure(params.error),
  },
  actions: {
    detachLink: enqueueActions(({ enqueue }) => {
      enqueue.sendTo('linkOwner', { type: 'link.detach' });
      enqueue.assign({ pipeline: null, versions: null });
    }),
    chooseBackoff: assign(({ context }) => ({
      backoffMs: backoffDelayMs(context.attempt, context.options.backoff, context.options.random),
      attempt: context.attempt + 1,
    })),
    recordFailure: assign((_, params: { error: unknown }) => ({
      lastError: params.error instanceof Error ? params.error : new Error(String(params.error)),
    })),
    recordLinkError: assign({ lastError: ({ event }) => (event.type === 'link.closed' ? event.error : null) }),
    recordConnectTimeout: assign({
      lastError: ({ context }) => new ConnectTimeoutError(context.options.connectTimeoutMs, context.phase, context.broker),
    }),
    // A custom action runs at once, unlike detachLink's deferred message to the link owner, which
    // `escalate` throwing in the same entry would cancel: the socket must not outlive the actor.
    closeLink: ({ context }) => context.pipeline?.close(),
    pausePipeline: ({ context }) => context.pipeline?.pause(),
    resumePipeline: ({ context }) => context.pipeline?.resume(),
    escalate: ({ context }) => {
      // Thrown from an action, the error fails this actor and reaches the parent's supervisor.
      throw context.lastError ?? new Error(`${context.broker}: connection failed without an error`);
    },
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => {
    checkBackoffPolicy(input.backoff);
    return {
      options: input,
      broker: brokerAddress(input),
      pipeline: null,
      versions: null,
      sessionLifetimeMs: 0,
      attempt: 0,
      lastError: null,
      backoffMs: 0,
      phase: 'starting',
    };
  },
  invoke: { id: 'linkOwner', src: 'linkOwner' },
  on: { 'connection.close': { target: '.closed' } },
  initial: 'connecting',
  states: {
    connecting: {
      initial: 'dialing',
      after: { connectTimeout: { target: 'backoff', actions: 'recordConnectTimeout' } },
      on: { 'link.closed': { target: 'backoff', actions: 'recordLinkError' } },
      states: {
        dialing: {
          entry: assign({ phase: ({ context }) => (context.options.tls ? 'in the TCP or TLS handshake' : 'in the TCP handshake') }),
          invoke: {
            src: 'openLink',
            input: ({ context }) => context.options,
            onDone: {
              target: 'negotiating',
              actions: enqueueActions(({ enqueue, event }) => {
                enqueue.assign({ pipeline: event.output });
                enqueue.sendTo('linkOwner', { type: 'link.attach', pipeline: event.output });
              }),
            },
            onError: onStepError,
          },
        },
        negotiating: {
          entry: assign({ phase: 'negotiating API versions' }),
          invoke: {
            src: 'negotiate',
            input: ({ context }) => ({ pipeline: context.pipeline as RequestPipeline, options: context.options }),
            onDone: [
              { guard: 'saslConfigured', target: 'authenticating', actions: assign({ versions: ({ event }) => event.output }) },
              { target: '#connection.ready', actions: assign({ versions: ({ event }) => event.output }) },
            ],
            onError: onStepError,
          },
        },
        authenticating: {
          entry: assign({ phase: 'authenticating' }),
          invoke: {
            src: 'authenticate',
            input: ({ context }) => ({
              pipeline: context.pipeline as RequestPipeline,
              versions: context.versions as ApiVersionTable,
              options: context.options,
            }),
            onDone: { target: '#connection.ready', actions: assign({ sessionLifetimeMs: ({ event }) => event.output.sessionLifetimeMs }) },
            onError: onStepError,
          },
        },
      },
    },
    ready: {
      entry: assign({ lastError: null }),
      after: { stableAfter: { actions: assign({ attempt: 0 }) } },
      on: { 'link.closed': { target: 'backoff', actions: 'recordLinkError' } },
      initial: 'serving',
      states: {
        serving: {
          after: { reauthenticateAfter: { guard: 'sessionExpires', target: 'reauthenticating' } },
        },
        reauthenticating: {
          entry: 'pausePipeline',
          exit: 'resumePipeline',
          invoke: {
            src: 'authenticate',
            input: ({ context }) => ({
              pipeline: context.pipeline as RequestPipeline,
              versions: context.versions as ApiVersionTable,
              options: context.options,
            }),
            onDone: { target: 'serving', actions: assign({ sessionLifetimeMs: ({ event }) => event.output.sessionLifetimeMs }) },
            onError: onStepError,
          },
        },
      },
    },
    backoff: {
      entry: ['detachLink', 'chooseBackoff'],
      after: { backoffDelay: { target: 'connecting' } },
    },
    failed: { entry: ['closeLink', 'detachLink', 'escalate'] },
    closed: { type: 'final', entry: 'detachLink' },
  },
});

export type ConnectionActor = ActorRefFrom<typeof connectionMachine>;
export type ConnectionSnapshot = SnapshotFrom<typeof connectionMachine>;
