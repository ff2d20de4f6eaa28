/**
 * What a listener actor (ipc/listener-machine.ts) needs from a transport: start it, stop it
 * gracefully, abort it, and hear about the few things that change its lifecycle. Frames never
 * pass through here: a transport answers calls itself, through the shared dispatcher; only
 * per-session and per-link events reach the actor.
 */
import type { Session } from './session.js';

/** Lifecycle events a running transport reports; each is rare (per session, per link change). */
export interface ListenerEvents {
  /** The link to the outside went down and the transport is re-establishing it by itself (NATS). */
  down(reason: string): void;
  /** The link is back: calls are served again. */
  up(): void;
  /**
   * The transport failed for good (its server errored, its socket file is gone, its NATS
   * connection closed); it has released what it held before reporting this.
   */
  failed(error: Error): void;
  /** A long-lived app session opened (a socket connection, a NATS deliver subject). */
  session(session: Session): void;
}

/** Events nobody listens to, for a transport started without a listener actor. */
export const NO_LISTENER_EVENTS: ListenerEvents = { down: () => undefined, up: () => undefined, failed: () => undefined, session: () => undefined };

export interface ListenerTransport {
  /** Starts serving; rejects (having released everything) when it cannot. */
  start(events: ListenerEvents): Promise<void>;
  /** Stops taking connections, lets calls in flight finish (up to graceMs), closes its sessions. */
  stop(graceMs: number): Promise<void>;
  /** Releases everything at once, without grace; safe to call at any time and more than once. */
  abort(): Promise<void>;
}
