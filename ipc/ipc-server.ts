/**
 * The IPC layer as the daemon sees it: one method table and session registry, served over the
 * Unix socket and, when configured, NATS. The daemon registers its Kafka methods on `methods`
 * and calls start() and shutdown(); hello and status are built in.
 */
import type { Logger } from 'pino';
import { RpcDispatcher } from './dispatcher.js';
import { MethodTable } from './method-table.js';
import { helloMethod } from './methods/hello.js';
import { statusMethod, type StatusSource } from './methods/status.js';
import { NatsRpcServer, type NatsServerOptions } from './nats-server.js';
import { SessionRegistry } from './session.js';
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
  readonly unix: UnixSocketServer;
  readonly nats: NatsRpcServer | null;
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
    this.unix = new UnixSocketServer({ ...options.socket, maxFrameBytes: options.maxFrameBytes, maxQueuedBytes: options.maxQueuedBytes }, shared);
    this.nats =
      options.nats === null
        ? null
        : new NatsRpcServer({ ...options.nats, version: options.version, maxFrameBytes: options.maxFrameBytes }, { ...shared, table: this.methods });
  }

  /** Listens on the socket, then joins NATS; if NATS fails the socket is closed again and the error thrown. */
  async start(): Promise<void> {
    await this.unix.start();
    try {
      await this.nats?.start();
    } catch (err) {
      await this.unix.stop(0);
      throw err;
    }
  }

  /**
   * Refuses new calls (they get SHUTTING_DOWN), waits up to timeoutMs for calls in flight, then
   * closes both transports and ends every session (running their cleanups).
   */
  async shutdown(timeoutMs: number): Promise<void> {
    const drained = await this.dispatcher.drain(timeoutMs);
    if (!drained) this.logger.warn({ callsInFlight: this.dispatcher.callsInFlight, timeoutMs }, 'calls still running at the shutdown timeout');
    await Promise.all([this.unix.stop(Math.min(timeoutMs, 1000)), this.nats?.stop()]);
    await this.sessions.closeAll('daemon shutting down');
  }
}
