/**
 * The Unix socket transport: listens on ipc.socket.path with ipc.socket.mode, one
 * UnixConnection per app. The socket file is created with the right mode from the start (the
 * umask is narrowed around listen), so there is no moment where other users could connect.
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { RpcDispatcher } from './dispatcher.js';
import { ListenerFailedError, SocketPathError } from './listen-errors.js';
import { NO_LISTENER_EVENTS, type ListenerEvents, type ListenerTransport } from './listener-transport.js';
import type { SessionRegistry } from './session.js';
import { prepareSocketPath } from './socket-path.js';
import { UnixConnection } from './unix-connection.js';

/**
 * Pending connections the kernel queues before accept (capped by net.core.somaxconn). Node's
 * default of 511 makes a burst of app processes (a PHP-FPM pool starting) fail with EAGAIN.
 */
const LISTEN_BACKLOG = 4096;

/**
 * How often the socket file is checked while listening. A removed or replaced file (a tmp
 * cleaner, an operator's rm) leaves the server running but unreachable for new apps, which
 * only a new listen cures; a stat per second costs nothing.
 */
const SOCKET_CHECK_MS = 1000;

export interface UnixServerOptions {
  readonly path: string;
  /** File mode of the socket, e.g. 0o600. */
  readonly mode: number;
  readonly maxFrameBytes: number;
  /** Unsent output a session may queue before it is disconnected; default 2 × maxFrameBytes, at least 16 MiB. */
  readonly maxQueuedBytes?: number;
  /** How often the socket file is checked to be still ours; default 1 s. */
  readonly socketCheckMs?: number;
}

export class UnixSocketServer implements ListenerTransport {
  private readonly options: UnixServerOptions;
  private readonly dispatcher: RpcDispatcher;
  private readonly sessions: SessionRegistry;
  private readonly logger: Logger;
  private readonly connections = new Set<UnixConnection>();
  private server: Server | null = null;
  /** Inode of the socket file we created: at stop we remove the file only if it is still ours. */
  private socketInode: number | null = null;
  private events: ListenerEvents = NO_LISTENER_EVENTS;
  private socketCheck: NodeJS.Timeout | null = null;
  private failing = false;

  constructor(options: UnixServerOptions, deps: { dispatcher: RpcDispatcher; sessions: SessionRegistry; logger: Logger }) {
    this.options = options;
    this.dispatcher = deps.dispatcher;
    this.sessions = deps.sessions;
    this.logger = deps.logger.child({ transport: 'unix' });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async start(events: ListenerEvents = NO_LISTENER_EVENTS): Promise<void> {
    if (this.server !== null) throw new Error('the Unix socket server is already started');
    this.events = events;
    this.failing = false;
    const { path, mode } = this.options;
    await prepareSocketPath(path, this.logger);
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new SocketPathError(path, `cannot listen on ${path}: ${err.message}`)));
      const previous = process.umask(~mode & 0o777);
      try {
        server.listen({ path, backlog: LISTEN_BACKLOG }, () => resolve());
      } finally {
        process.umask(previous);
      }
    });
    this.server = server;
    server.on('error', (err) => this.fail(new ListenerFailedError(`the Unix socket server on ${path} failed: ${err.message}`, { cause: err })));
    try {
      // The umask can only take permissions away; chmod sets exactly the configured mode.
      await chmod(path, mode);
      this.socketInode = (await lstat(path)).ino;
    } catch (err) {
      await this.stop(0);
      throw new SocketPathError(path, `cannot set up the socket file ${path}: ${(err as Error).message}`);
    }
    this.socketCheck = setInterval(() => void this.checkSocketFile(), this.options.socketCheckMs ?? SOCKET_CHECK_MS);
    this.socketCheck.unref();
    this.logger.info({ path, mode: `0${mode.toString(8)}` }, 'listening on the Unix socket');
  }

  /** Closes everything at once: connections are ended without waiting for their calls. */
  abort(): Promise<void> {
    return this.stop(0);
  }

  /**
   * Stops accepting connections, lets each connection finish its calls in flight (up to
   * graceMs), closes them and removes the socket file.
   */
  async stop(graceMs = 5000): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    if (this.socketCheck !== null) clearInterval(this.socketCheck);
    this.socketCheck = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.shutdown(graceMs)));
    await closed;
    await this.removeSocketFile();
    this.logger.info('Unix socket closed');
  }

  private accept(socket: Socket): void {
    const maxQueuedBytes = this.options.maxQueuedBytes ?? Math.max(2 * this.options.maxFrameBytes, 16 * 1024 * 1024);
    const connection = new UnixConnection(socket, {
      dispatcher: this.dispatcher,
      sessions: this.sessions,
      logger: this.logger,
      limits: { maxFrameBytes: this.options.maxFrameBytes, maxQueuedBytes },
    });
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
    this.events.session(connection.session);
  }

  /** The socket file must still be the one we created; else new apps cannot reach us. */
  private async checkSocketFile(): Promise<void> {
    const { path } = this.options;
    let inode: number | null;
    try {
      inode = (await lstat(path)).ino;
    } catch (err) {
      // Gone, or its directory is gone (ENOTDIR: something else now stands at the directory's path).
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return;
      inode = null;
    }
    if (this.server === null || inode === this.socketInode) return;
    this.fail(new ListenerFailedError(`the socket file ${path} was ${inode === null ? 'removed' : 'replaced'}: apps can no longer connect`));
  }

  /** Releases everything, then reports the failure (to the listener actor, which fails for its supervisor). */
  private fail(error: Error): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.error({ err: error }, 'the Unix socket listener failed');
    void this.stop(0).finally(() => this.events.failed(error));
  }

  private async removeSocketFile(): Promise<void> {
    try {
      if ((await lstat(this.options.path)).ino === this.socketInode) await unlink(this.options.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.logger.warn({ err }, 'cannot remove the socket file');
    }
  }
}
