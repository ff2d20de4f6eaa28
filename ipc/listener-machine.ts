/**
 * One IPC listener as an actor (`ipc:unix`, `ipc:nats`), run by the daemon's root under a
 * supervisor. The transport itself (ipc/unix-server.ts, ipc/nats-server.ts) stays a plain
 * object that answers calls through the dispatcher; the actor owns its lifecycle:
 *
 *   starting → listening ⇄ reconnecting (NATS only: the client's own reconnect loop, not a crash)
 *            → stopping → stopped        (listener.stop: graceful, at shutdown)
 *   any running state → failed          (the transport failed: the actor fails, so its
 *                                        supervisor restarts it with backoff or escalates)
 *
 * Each long-lived app session becomes a child `session:<id>` (ipc/session-machine.ts). The
 * transport is created afresh by `open()` each time the actor starts, so a restart after a
 * failure never reuses a half-closed server.
 */
import { assign, enqueueActions, fromCallback, setup, type ActorRefFrom } from 'xstate';
import type { ListenerEvents, ListenerTransport } from './listener-transport.js';
import type { Session, TransportName } from './session.js';
import { startSessionActor } from './session-machine.js';

export interface ListenerInput {
  readonly transport: TransportName;
  /** Creates the transport for one run of the actor. */
  readonly open: () => ListenerTransport;
}

export interface ListenerContext {
  readonly transport: TransportName;
  readonly open: () => ListenerTransport;
  /** Why the transport went down or failed, for the page and the supervisor. */
  reason: string | null;
  error: Error | null;
}

/** Graceful stop: calls in flight get up to graceMs to be answered. */
export interface ListenerStopEvent {
  readonly type: 'listener.stop';
  readonly graceMs: number;
}

/** What the transport actor reports to the listener. */
type TransportEvent =
  | { type: 'transport.listening' }
  | { type: 'transport.down'; reason: string }
  | { type: 'transport.up' }
  | { type: 'transport.failed'; error: Error }
  | { type: 'transport.stopped' }
  | { type: 'transport.session'; session: Session };

export type ListenerEvent = ListenerStopEvent | TransportEvent;

/** The actor's system id for a transport: `ipc:unix`, `ipc:nats`. */
export function listenerSystemId(transport: TransportName): string {
  return `ipc:${transport}`;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Runs one transport for the actor's whole life: starts it, forwards its lifecycle events,
 * stops it gracefully on request and aborts it when the actor is stopped any other way.
 */
const transportLogic = fromCallback<ListenerStopEvent, ListenerInput['open'], TransportEvent>(({ input, sendBack, receive }) => {
  const transport = input();
  let ended = false;
  const events: ListenerEvents = {
    down: (reason) => !ended && sendBack({ type: 'transport.down', reason }),
    up: () => !ended && sendBack({ type: 'transport.up' }),
    failed: (error) => {
      if (ended) return;
      ended = true;
      sendBack({ type: 'transport.failed', error });
    },
    session: (session) => !ended && sendBack({ type: 'transport.session', session }),
  };
  const started = transport.start(events).then(
    () => !ended && sendBack({ type: 'transport.listening' }),
    (err: unknown) => events.failed(asError(err)),
  );
  // A stop or abort while the transport is still starting waits for the start to settle, so
  // that a server which comes up late is closed too.
  receive((event) => {
    if (ended) return;
    ended = true;
    void started
      .then(() => transport.stop(event.graceMs))
      .catch(() => undefined)
      .then(() => sendBack({ type: 'transport.stopped' }));
  });
  return () => {
    if (ended) return;
    ended = true;
    void started.then(() => transport.abort());
  };
});

export const listenerMachine = setup({
  types: {
    input: {} as ListenerInput,
    context: {} as ListenerContext,
    events: {} as ListenerEvent,
  },
  actors: { transport: transportLogic },
  actions: {
    forwardStop: enqueueActions(({ enqueue, event }) => {
      if (event.type === 'listener.stop') enqueue.sendTo('transport', event);
    }),
    /**
     * A session actor is created with this actor as its parent (so the actor tree, status and
     * the page show it under its listener) but kept out of the snapshot's children: XState
     * copies that map on every spawn and stop, which with thousands of connected apps would
     * cost milliseconds per connection. It ends by itself when its session closes (and the
     * transport closes every session when it stops or fails).
     */
    spawnSession: ({ event, self }) => {
      if (event.type !== 'transport.session') return;
      startSessionActor(event.session, self);
    },
    noteDown: assign({ reason: ({ event }) => (event.type === 'transport.down' ? event.reason : null) }),
    noteUp: assign({ reason: () => null }),
    noteFailure: assign({ error: ({ event }) => (event.type === 'transport.failed' ? event.error : null) }),
    escalate: ({ context }) => {
      // Throwing from an action fails the actor: its supervisor gets xstate.error.actor.child.
      throw context.error ?? new Error(`ipc:${context.transport}: the listener failed without an error`);
    },
  },
}).createMachine({
  id: 'listener',
  context: ({ input }) => ({ transport: input.transport, open: input.open, reason: null, error: null }),
  invoke: { id: 'transport', src: 'transport', input: ({ context }) => context.open },
  on: {
    'transport.session': { actions: 'spawnSession' },
  },
  initial: 'starting',
  states: {
    starting: {
      on: {
        'transport.listening': 'listening',
        'transport.failed': { target: 'failed', actions: 'noteFailure' },
        'listener.stop': { target: 'stopping', actions: 'forwardStop' },
      },
    },
    listening: {
      on: {
        'transport.down': { target: 'reconnecting', actions: 'noteDown' },
        'transport.failed': { target: 'failed', actions: 'noteFailure' },
        'listener.stop': { target: 'stopping', actions: 'forwardStop' },
      },
    },
    /** The link is down and the transport's client is re-establishing it by itself; calls wait or fail on their own. */
    reconnecting: {
      on: {
        'transport.up': { target: 'listening', actions: 'noteUp' },
        'transport.failed': { target: 'failed', actions: 'noteFailure' },
        'listener.stop': { target: 'stopping', actions: 'forwardStop' },
      },
    },
    stopping: {
      on: { 'transport.stopped': 'stopped' },
    },
    stopped: { type: 'final' },
    /** The transport released what it held before reporting; the actor fails for its supervisor. */
    failed: { entry: 'escalate' },
  },
});

export type ListenerActor = ActorRefFrom<typeof listenerMachine>;

interface ListenerSnapshotLike {
  readonly status: string;
  readonly error?: unknown;
  matches(state: string): boolean;
}

interface ListenerRefLike {
  getSnapshot(): ListenerSnapshotLike;
  subscribe(observer: { next: (snapshot: ListenerSnapshotLike) => void; error: (err: unknown) => void; complete: () => void }): { unsubscribe(): void };
  send(event: ListenerStopEvent): void;
}

/**
 * Resolves when the listener is listening; rejects with its error when it fails first (or
 * when it ends without ever listening). The daemon's start-up waits on this, so a socket held
 * by a live daemon stops the start instead of being retried.
 */
export function listening(actor: ListenerRefLike | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (actor === undefined) {
      reject(new Error('the listener actor is not running'));
      return;
    }
    const settle = (snapshot: ListenerSnapshotLike): boolean => {
      if (snapshot.status === 'active' && snapshot.matches('listening')) resolve();
      else if (snapshot.status === 'error') reject(asError(snapshot.error));
      else if (snapshot.status !== 'active') reject(new Error('the listener ended before it was listening'));
      else return false;
      return true;
    };
    if (settle(actor.getSnapshot())) return;
    const subscription = actor.subscribe({
      next: (snapshot) => {
        if (settle(snapshot)) subscription.unsubscribe();
      },
      error: (err) => reject(asError(err)),
      complete: () => settle(actor.getSnapshot()),
    });
  });
}

/** Stops a listener gracefully (calls in flight get graceMs) and resolves once it has ended, however it ends. */
export function stopListener(actor: ListenerRefLike, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (actor.getSnapshot().status !== 'active') {
      resolve();
      return;
    }
    const subscription = actor.subscribe({
      next: (snapshot) => {
        if (snapshot.status === 'active') return;
        subscription.unsubscribe();
        resolve();
      },
      error: () => resolve(),
      complete: () => resolve(),
    });
    actor.send({ type: 'listener.stop', graceMs });
  });
}
