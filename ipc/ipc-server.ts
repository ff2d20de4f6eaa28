/**
 * The IPC layer as the daemon sees it: one method table and session registry, served over the
 * Unix socket and, when configured, NATS. The daemon registers its Kafka methods on `methods`;
 * hello and status are built in.
 *
 * Each transport runs inside a listener actor (ipc/listener-machine.ts) built from
 * `listeners`: the daemon's root runs them under supervisors. start() runs them as actors of
 * their own instead, for tests and embedding; shutdown() stops either kind.
 */
import type { Logger } from 'pino';
import { createActor } from 'xstate';
import { RpcDispatcher } from './dispatcher.js';
import { listenerMachine, listening, stopListener, type ListenerActor, type ListenerInput } from './listener-machine.js';
import { MethodTable } from './method-table.js';
import { helloMethod } from './methods/hello.js';
import { statusMethod, type StatusSource } from './methods/status.js';
import { NatsRpcServer, type NatsServerOptions } from './nats-server.js';
import { SessionRegistry, TransportName } from './session.js';
import { UnixSocketServer } from './unix-server.js';

export interface IpcServerOptions {
  readonly version: string;
  readonly socket: { readonly path: string; readonly mode: number };
  readonly maxFrameBytes: number;
  /** Unsent output a socket session may queue before it is disconnected (see UnixServerOptions). */
  readonly maxQueuedBytes?: number;
  /** null: no NATS transport. */
  readonly nats: Omit<NatsServerOptions, 'version' | 'maxFrameBytes'> | null;
}

export class IpcServer {
  readonly methods = new MethodTable();
  readonly sessions = new SessionRegistry();
  readonly dispatcher: RpcDispatcher;
  /** One listener per transport: the Unix socket always, NATS when configured. */
  readonly listeners: readonly ListenerInput[];
  private currentUnix: UnixSocketServer | null = null;
  private currentNats: NatsRpcServer | null = null;
  /** Listener actors started by start() (not by the daemon's supervisors). */
  private ownListeners: ListenerActor[] = [];
  private readonly logger: Logger;

  constructor(options: IpcServerOptions, deps: { logger: Logger; status: StatusSource; startedAt?: Date }) {
    this.logger = deps.logger.child({ component: 'ipc' });
    this.dispatcher = new RpcDispatcher(this.methods, this.logger);
    this.methods.register('hello', helloMethod({ version: options.version, maxFrameBytes: options.maxFrameBytes }));
    this.methods.register(
      'status',
      statusMethod({ version: options.version, startedAt: deps.startedAt ?? new Date(), sessions: this.sessions, source: deps.status }),
    );
    const shared = { dispatcher: this.dispatcher, sessions: this.sessions, logger: this.logger };
    const unix: ListenerInput = {
      transport: TransportName.unix,
      // A fresh server per run of the actor: a restarted listener never reuses a failed one.
      open: () =>
        (this.currentUnix = new UnixSocketServer(
          { ...options.socket, maxFrameBytes: options.maxFrameBytes, maxQueuedBytes: options.maxQueuedBytes },
          shared,
        )),
    };
    const natsOptions = options.nats;
    const nats: ListenerInput | null =
      natsOptions === null
        ? null
        : {
            transport: TransportName.nats,
            open: () =>
              (this.currentNats = new NatsRpcServer(
                { ...natsOptions, version: options.version, maxFrameBytes: options.maxFrameBytes },
                { ...shared, table: this.methods },
              )),
          };
    this.listeners = nats === null ? [unix] : [unix, nats];
  }

  /** The Unix socket server of the listener's current run (replaced when the listener restarts). */
  get unix(): UnixSocketServer | null {
    return this.currentUnix;
  }

  /** The NATS transport of the listener's current run; null before it started or without NATS. */
  get nats(): NatsRpcServer | null {
    return this.currentNats;
  }

  /**
   * Runs the listeners as actors of their own (no supervisor) and resolves once all listen; if
   * one cannot start, the others are stopped again and its error is thrown.
   */
  async start(): Promise<void> {
    if (this.ownListeners.length > 0) throw new Error('the IPC listeners are already started');
    this.ownListeners = this.listeners.map((input) => createActor(listenerMachine, { input }));
    // Failures are read from the snapshot by listening(); an observer keeps XState from reporting them as unhandled.
    for (const actor of this.ownListeners) actor.subscribe({ error: () => undefined });
    for (const actor of this.ownListeners) actor.start();
    const results = await Promise.allSettled(this.ownListeners.map((actor) => listening(actor)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed === undefined) return;
    await Promise.all(this.ownListeners.map((actor) => stopListener(actor, 0)));
    this.ownListeners = [];
    throw failed.reason;
  }

  /**
   * Refuses new calls (they get SHUTTING_DOWN), waits up to timeoutMs for calls in flight, then
   * stops the listeners (those start() ran, or the daemon's) and ends every session (running
   * their cleanups).
   */
  async shutdown(timeoutMs: number, listeners: readonly ListenerActor[] = this.ownListeners): Promise<void> {
    const drained = await this.dispatcher.drain(timeoutMs);
    if (!drained) this.logger.warn({ callsInFlight: this.dispatcher.callsInFlight, timeoutMs }, 'calls still running at the shutdown timeout');
    await Promise.all(listeners.map((actor) => stopListener(actor, Math.min(timeoutMs, 1000))));
    if (listeners === this.ownListeners) this.ownListeners = [];
    await this.sessions.closeAll('daemon shutting down');
  }
}
