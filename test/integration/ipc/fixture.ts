// Starting an IpcServer on a private socket for a test, and talking to it as a raw line client.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IpcServer, type IpcServerOptions } from '../../../ipc/ipc-server.js';
import { captureLogger } from '../../unit/ipc/log-capture.js';

export interface ServerFixture {
  readonly server: IpcServer;
  readonly path: string;
  readonly dir: string;
  readonly logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function tempSocketDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ks-ipc-'));
}

export async function startServer(overrides: Partial<IpcServerOptions> = {}, dir?: string): Promise<ServerFixture> {
  const socketDir = dir ?? (await tempSocketDir());
  const path = join(socketDir, 's.sock');
  const { logger, lines } = captureLogger();
  const server = new IpcServer(
    { version: '9.9.9', socket: { path, mode: 0o600 }, maxFrameBytes: 64 * 1024, nats: null, ...overrides },
    { logger, status: { actors: () => [{ id: 'cluster', machine: 'cluster', state: 'ready' }], subscriptions: () => [] } },
  );
  await server.start();
  return {
    server,
    path: overrides.socket?.path ?? path,
    dir: socketDir,
    logs: lines,
    stop: async () => {
      await server.shutdown(1000);
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}

/** A raw line-oriented connection: send text, read parsed lines in order. */
export class RawSession {
  readonly socket: Socket;
  private buffer = '';
  private readonly lines: unknown[] = [];
  private readonly waiters: Array<(v: unknown) => void> = [];
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      let at: number;
      while ((at = this.buffer.indexOf('\n')) !== -1) {
        const line = JSON.parse(this.buffer.slice(0, at)) as unknown;
        this.buffer = this.buffer.slice(at + 1);
        const waiter = this.waiters.shift();
        if (waiter) waiter(line);
        else this.lines.push(line);
      }
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(path: string): Promise<RawSession> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(new RawSession(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** The next line from the server, parsed; rejects after timeoutMs. */
  next<T = Record<string, unknown>>(timeoutMs = 5000): Promise<T> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no line from the server in time')), timeoutMs);
      this.waiters.push((v) => {
        clearTimeout(timer);
        resolve(v as T);
      });
    });
  }

  /** Sends one request line and waits for the next line. */
  async call<T = Record<string, unknown>>(request: object, timeoutMs?: number): Promise<T> {
    this.send(JSON.stringify(request) + '\n');
    return this.next<T>(timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
