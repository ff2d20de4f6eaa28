/**
 * One connected app as an actor (`session:<id>`, a child of its listener), so the actor tree,
 * `status` and the statechart page show who is connected. It only mirrors the session's
 * lifecycle: open, draining (no new calls; those in flight are answered), closed. Frames never
 * reach it: calls go from the transport to the dispatcher directly.
 */
import { fromCallback, setup } from 'xstate';
import type { Session } from './session.js';
import type { TransportName } from './session.js';

export interface SessionActorInput {
  readonly session: Session;
}

export interface SessionActorContext {
  /** The session's id as hello reports it, e.g. "unix:3". */
  readonly id: string;
  readonly transport: TransportName;
  readonly session: Session;
}

type SessionLifecycleEvent = { type: 'session.draining' } | { type: 'session.closed' };

/** The actor's system id for a session: `session:unix:3`. */
export function sessionSystemId(sessionId: string): string {
  return `session:${sessionId}`;
}

export const sessionMachine = setup({
  types: {
    input: {} as SessionActorInput,
    context: {} as SessionActorContext,
    events: {} as SessionLifecycleEvent,
  },
  actors: {
    /** Turns the session's two lifecycle promises into events; nothing per call. */
    lifecycle: fromCallback<SessionLifecycleEvent, Session>(({ input, sendBack }) => {
      let live = true;
      void input.draining.then(() => live && sendBack({ type: 'session.draining' }));
      void input.ended.then(() => live && sendBack({ type: 'session.closed' }));
      return () => {
        live = false;
      };
    }),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({ id: input.session.id, transport: input.session.transport, session: input.session }),
  invoke: { id: 'lifecycle', src: 'lifecycle', input: ({ context }) => context.session },
  initial: 'open',
  states: {
    open: {
      on: { 'session.draining': 'draining', 'session.closed': 'closed' },
    },
    draining: {
      on: { 'session.closed': 'closed' },
    },
    closed: { type: 'final' },
  },
});
