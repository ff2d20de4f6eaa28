/**
 * The client side of the Unix socket: one JSON-RPC message per line, calls matched to answers
 * by id, notifications passed up. When the daemon goes away (a restart) the calls in flight
 * fail with ConnectionLostError and the transport reconnects with a capped backoff; calls made
 * meanwhile wait for the link until their own timeout.
 */
import { connect, type Socket } from 'node:net';
import { LineSplitter } from '../ipc/line-splitter.js';
import { CallTimeoutError, ClientClosedError, ConnectError, ConnectionLostError } from './errors.js';
import { resultOf, type ClientTransport, type TransportEvents } from './transport.js';

export interface UnixTransportOptions {
  readonly socketPath: string;
  /** Longest answer line accepted from the daemon; default 64 MiB. */
  readonly maxLineBytes?: number;
  /** Reconnect backoff bounds, or false to stay disconnected. */
  readonly reconnect?: { readonly minMs: number; readonly maxMs: number } | false;
}

interface PendingCall {
  readonly method: string;
  resolve(result: unknown): void;
  reject(err: Error): void;
  readonly timer: NodeJS.Timeout;
}

function openSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => reject(new ConnectError(`cannot connect to kafka-sidecar at ${path}: ${err.message}`)));
  });
}

export class UnixClientTransport implements ClientTransport {
  private readonly options: UnixTransportOptions;
  private socket: Socket | null = null;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private closed = false;
  private events: TransportEvents | null = null;
  private linkWaiters: Array<() => void> = [];
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  /** An error the daemon sent with id null (e.g. FRAME_TOO_LARGE) just before closing: the reason for the loss. */
  private lastUnmatchedError: string | null = null;

  private constructor(options: UnixTransportOptions) {
    this.options = options;
    this.backoffMs = options.reconnect === false ? 0 : (options.reconnect?.minMs ?? 100);
  }

  /** Connects once (failing with ConnectError when nothing listens) and returns the transport. */
  static async open(options: UnixTransportOptions): Promise<UnixClientTransport> {
    const transport = new UnixClientTransport(options);
    transport.attach(await openSocket(options.socketPath));
    return transport;
  }

  setListener(events: TransportEvents): void {
    this.events = events;
  }

  async request(method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    const socket = await this.linkBefore(deadline, method, timeoutMs);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CallTimeoutError(method, timeoutMs));
      }, Math.max(0, deadline - Date.now()));
      this.pending.set(id, { method, resolve, reject, timer });
      socket.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  }

  async notify(method: string, params: unknown): Promise<void> {
    const socket = await this.linkBefore(Date.now() + 30_000, method, 30_000);
    socket.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    for (const wake of this.linkWaiters.splice(0)) wake();
    this.failPending(() => new ClientClosedError());
    const socket = this.socket;
    this.socket = null;
    if (socket !== null && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      });
    }
  }

  /** The connected socket, waiting for a reconnect if needed, until the deadline. */
  private async linkBefore(deadline: number, method: string, timeoutMs: number): Promise<Socket> {
    while (true) {
      if (this.closed) throw new ClientClosedError();
      if (this.socket !== null) return this.socket;
      if (this.options.reconnect === false) throw new ConnectionLostError('not connected to kafka-sidecar (reconnect is off)');
      const left = deadline - Date.now();
      if (left <= 0) throw new CallTimeoutError(method, timeoutMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.linkWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    this.lastUnmatchedError = null;
    this.backoffMs = this.options.reconnect === false ? 0 : (this.options.reconnect?.minMs ?? 100);
    const splitter = new LineSplitter(this.options.maxLineBytes ?? 64 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      const { lines, overflow } = splitter.push(chunk);
      for (const line of lines) if (line.length > 0) this.onLine(line.toString('utf8'));
      if (overflow) socket.destroy(new Error('the daemon sent a line longer than maxLineBytes'));
    });
    socket.on('error', () => undefined);
    socket.once('close', () => this.onClose(socket));
    for (const wake of this.linkWaiters.splice(0)) wake();
  }

  private onLine(line: string): void {
    let message: { id?: unknown; method?: unknown; params?: unknown; error?: { message?: unknown } };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    if (typeof message.method === 'string' && message.id === undefined) {
      this.events?.notification({ method: message.method, params: message.params });
      return;
    }
    if (typeof message.id !== 'number') {
      if (message.error !== undefined) this.lastUnmatchedError = String(message.error.message);
      return;
    }
    const call = this.pending.get(message.id);
    if (call === undefined) return;
    this.pending.delete(message.id);
    clearTimeout(call.timer);
    try {
      call.resolve(resultOf(message));
    } catch (err) {
      call.reject(err as Error);
    }
  }

  private onClose(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    const reason = this.lastUnmatchedError ?? 'the daemon closed the connection';
    this.failPending((call) => new ConnectionLostError(`connection to kafka-sidecar lost before "${call.method}" was answered: ${reason}`));
    if (this.closed) return;
    this.events?.link('disconnected', reason);
    if (this.options.reconnect !== false) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const max = this.options.reconnect === false ? 0 : (this.options.reconnect?.maxMs ?? 5000);
    const delay = Math.round(this.backoffMs * (0.5 + Math.random() / 2));
    this.backoffMs = Math.min(max, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed) return;
      openSocket(this.options.socketPath).then(
        (socket) => {
          if (this.closed) {
            socket.destroy();
            return;
          }
          this.attach(socket);
          this.events?.link('connected');
        },
        () => this.scheduleReconnect(),
      );
    }, delay);
  }

  private failPending(errorFor: (call: PendingCall) => Error): void {
    for (const [id, call] of this.pending) {
      this.pending.delete(id);
      clearTimeout(call.timer);
      call.reject(errorFor(call));
    }
  }
}
