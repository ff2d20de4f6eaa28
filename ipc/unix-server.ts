/**
 * The Unix socket transport: listens on ipc.socket.path with ipc.socket.mode, one
 * UnixConnection per app. The socket file is created with the right mode from the start (the
 * umask is narrowed around listen), so there is no moment where other users could connect.
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { RpcDispatcher } from './dispatcher.js';
import { SocketPathError } from './listen-errors.js';
import type { SessionRegistry } from './session.js';
import { prepareSocketPath } from './socket-path.js';
import { UnixConnection } from './unix-connection.js';

/**
 * Pending connections the kernel queues before accept (capped by net.core.somaxconn). Node's
 * default of 511 makes a burst of app processes (a PHP-FPM pool starting) fail with EAGAIN.
 */
const LISTEN_BACKLOG = 4096;

export interface UnixServerOptions {
  readonly path: string;
  /** File mode of the socket, e.g. 0o600. */
  readonly mode: number;
  readonly maxFrameBytes: number;
  /** Unsent output a session may queue before it is disconnected; default 2 × maxFrameBytes, at least 16 MiB. */
  readonly maxQueuedBytes?: number;
}

export class UnixSocketServer {
  private readonly options: UnixServerOptions;
  private readonly dispatcher: RpcDispatcher;
  private readonly sessions: SessionRegistry;
  private readonly logger: Logger;
  private readonly connections = new Set<UnixConnection>();
  private server: Server | null = null;
  /** Inode of the socket file we created: at stop we remove the file only if it is still ours. */
  private socketInode: number | null = null;

  constructor(options: UnixServerOptions, deps: { dispatcher: RpcDispatcher; sessions: SessionRegistry; logger: Logger }) {
    this.options = options;
    this.dispatcher = deps.dispatcher;
    this.sessions = deps.sessions;
    this.logger = deps.logger.child({ transport: 'unix' });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async start(): Promise<void> {
    if (this.server !== null) throw new Error('the Unix socket server is already started');
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
    server.on('error', (err) => this.logger.error({ err }, 'Unix socket server error'));
    // The umask can only take permissions away; chmod sets exactly the configured mode.
    await chmod(path, mode);
    this.socketInode = (await lstat(path)).ino;
    this.server = server;
    this.logger.info({ path, mode: `0${mode.toString(8)}` }, 'listening on the Unix socket');
  }

  /**
   * Stops accepting connections, lets each connection finish its calls in flight (up to
   * graceMs), closes them and removes the socket file.
   */
  async stop(graceMs = 5000): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
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
  }

  private async removeSocketFile(): Promise<void> {
    try {
      if ((await lstat(this.options.path)).ino === this.socketInode) await unlink(this.options.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn({ err }, 'cannot remove the socket file');
    }
  }
}
