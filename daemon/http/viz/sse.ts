/**
 * Server-sent events to many browsers, each with a bounded queue. A browser that reads slower
 * than events arrive makes `res.write` return false; from then on its frames wait in a ring
 * buffer of `queueLimit` frames, the oldest dropped when it is full. When the socket drains,
 * the client first gets a `gap` event telling how many frames it missed (the page then reloads
 * the actor table), then the newest frames. Memory per client is thus bounded by the socket's
 * buffer plus `queueLimit` frames, however slow the browser.
 */
import type { ServerResponse } from 'node:http';
import { RingBuffer } from './ring-buffer.js';

export interface SseOptions {
  /** Frames kept per client while its socket is full. */
  readonly queueLimit: number;
  /** Most clients at once; more get 503 so that tabs left open cannot exhaust the daemon. */
  readonly maxClients: number;
  /** Comment lines at this interval keep proxies from closing an idle stream. */
  readonly heartbeatMs: number;
}

export const DEFAULT_SSE_OPTIONS: SseOptions = { queueLimit: 1000, maxClients: 32, heartbeatMs: 15_000 };

/** One frame of the text/event-stream format. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The part of ServerResponse a client writes to (a fake in unit tests). */
export type SseResponse = Pick<ServerResponse, 'write' | 'end' | 'on' | 'writeHead'>;

export class SseClient {
  private readonly queue: RingBuffer<string>;
  private dropped = 0;
  private blocked = false;
  /** Frames dropped over the client's life, for tests and the status line. */
  droppedTotal = 0;

  constructor(
    private readonly res: SseResponse,
    queueLimit: number,
  ) {
    this.queue = new RingBuffer(queueLimit);
    res.on('drain', () => this.flush());
  }

  get queued(): number {
    return this.queue.size;
  }

  send(frame: string): void {
    if (!this.blocked) {
      this.blocked = !this.res.write(frame);
      return;
    }
    if (this.queue.push(frame) !== undefined) {
      this.dropped++;
      this.droppedTotal++;
    }
  }

  private flush(): void {
    this.blocked = false;
    if (this.dropped > 0) {
      const dropped = this.dropped;
      this.dropped = 0;
      this.blocked = !this.res.write(sseFrame('gap', { dropped }));
    }
    while (!this.blocked && this.queue.size > 0) this.blocked = !this.res.write(this.queue.shift() as string);
  }
}

export class SseFanout {
  private readonly clients = new Set<SseClient>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: SseOptions = DEFAULT_SSE_OPTIONS) {}

  get size(): number {
    return this.clients.size;
  }

  /** Starts an event stream on `res`; `first` frames (e.g. a hello) go out before any others. */
  attach(res: SseResponse & { once?: ServerResponse['once'] }, first: readonly string[] = []): SseClient | undefined {
    if (this.clients.size >= this.options.maxClients) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '10' });
      res.end(`too many event streams open (${this.options.maxClients})\n`);
      return undefined;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const client = new SseClient(res, this.options.queueLimit);
    for (const frame of first) client.send(frame);
    this.clients.add(client);
    res.on('close', () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stopHeartbeat();
    });
    this.heartbeat ??= setInterval(() => this.broadcastFrame(': heartbeat\n\n'), this.options.heartbeatMs).unref();
    return client;
  }

  broadcast(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    this.broadcastFrame(sseFrame(event, data));
  }

  private broadcastFrame(frame: string): void {
    for (const client of this.clients) client.send(frame);
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
