/**
 * A session is one app's presence at a transport: a socket connection, or a NATS deliver
 * subject. Handlers see only this object, never the transport: they push notifications with
 * `notify` and register cleanups (release unacked messages, drop subscriptions) with `onClose`,
 * which run once when the session ends, however it ends.
 */
import type { Logger } from 'pino';

export const TransportName = { unix: 'unix', nats: 'nats' } as const;
export type TransportName = (typeof TransportName)[keyof typeof TransportName];

/** How a transport delivers a notification; false when it could not (session gone, buffer over its bound). */
export type NotificationSink = (method: string, params: unknown) => boolean;

export type Cleanup = () => void | Promise<void>;

/** What status reports about a session. */
export interface SessionInfo {
  readonly id: string;
  readonly transport: TransportName;
  readonly client: string | null;
  readonly openedAt: string;
  readonly callsInFlight: number;
}

export class Session {
  readonly id: string;
  readonly transport: TransportName;
  readonly openedAt = new Date();
  /** The name the app gave in hello, for logs and status. */
  client: string | null = null;
  callsInFlight = 0;
  private readonly sink: NotificationSink;
  private readonly logger: Logger;
  private cleanups: Cleanup[] = [];
  private closing: Promise<void> | null = null;
  private isDraining = false;
  private markDrainingStarted!: () => void;
  private markEnded!: () => void;
  /**
   * Resolves when the session stops taking new calls (the app ended its input, or the daemon is
   * shutting down) and answers those in flight before it closes; at the latest when it closes.
   */
  readonly draining: Promise<void> = new Promise((resolve) => (this.markDrainingStarted = resolve));
  /** Resolves once the session has closed and its cleanups have run (for transports and the registry). */
  readonly ended: Promise<void> = new Promise((resolve) => (this.markEnded = resolve));

  constructor(id: string, transport: TransportName, sink: NotificationSink, logger: Logger) {
    this.id = id;
    this.transport = transport;
    this.sink = sink;
    this.logger = logger;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  /** The transport takes no more calls from this app; those in flight are still answered. */
  drain(): void {
    if (this.isDraining) return;
    this.isDraining = true;
    this.markDrainingStarted();
  }

  /** Pushes a JSON-RPC notification to the app; false when the session is closed or cannot take more. */
  notify(method: string, params: unknown): boolean {
    if (this.closing !== null) return false;
    return this.sink(method, params);
  }

  /**
   * Registers work to do when the session ends; returns a function that unregisters it (for a
   * subscription that ends before its session). On a closed session the cleanup runs at once.
   */
  onClose(cleanup: Cleanup): () => void {
    if (this.closing !== null) {
      void this.runCleanup(cleanup);
      return () => undefined;
    }
    this.cleanups.push(cleanup);
    return () => {
      this.cleanups = this.cleanups.filter((c) => c !== cleanup);
    };
  }

  /** Ends the session: cleanups run newest first, each once; a failing cleanup is logged, not fatal. */
  close(reason: string): Promise<void> {
    this.drain();
    this.closing ??= (async () => {
      this.logger.debug({ session: this.id, reason }, 'session closed');
      const cleanups = this.cleanups.reverse();
      this.cleanups = [];
      for (const cleanup of cleanups) await this.runCleanup(cleanup);
      this.markEnded();
    })();
    return this.closing;
  }

  /** Cleanups registered by handlers: while there are any, the session holds something (a subscription, leases). */
  get cleanupCount(): number {
    return this.cleanups.length;
  }

  info(): SessionInfo {
    return {
      id: this.id,
      transport: this.transport,
      client: this.client,
      openedAt: this.openedAt.toISOString(),
      callsInFlight: this.callsInFlight,
    };
  }

  private async runCleanup(cleanup: Cleanup): Promise<void> {
    try {
      await cleanup();
    } catch (err) {
      this.logger.error({ session: this.id, err }, 'session cleanup failed');
    }
  }
}

/** The live sessions of all transports, for status and for closing them all at shutdown. */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private next = 1;

  open(transport: TransportName, sink: NotificationSink, logger: Logger): Session {
    const session = new Session(`${transport}:${this.next++}`, transport, sink, logger);
    this.sessions.set(session.id, session);
    void session.ended.then(() => this.sessions.delete(session.id));
    return session;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => s.info());
  }

  async closeAll(reason: string, transport?: TransportName): Promise<void> {
    const closing = [...this.sessions.values()].filter((s) => transport === undefined || s.transport === transport);
    await Promise.all(closing.map((s) => s.close(reason)));
  }
}
