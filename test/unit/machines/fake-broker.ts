/**
 * A scriptable in-process Kafka broker for unit tests of connections: it decodes real request
 * frames and answers with real response frames, so the client side under test runs its actual
 * codecs, framing and sockets. Handlers decide per request: answer, stay silent, or hang up.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ApiDescriptor } from '../../../protocol/api.js';
import { decodeRequestFrame, encodeResponseFrame, FrameSplitter } from '../../../protocol/frame.js';
import { allApis } from '../../../protocol/messages/registry.js';

export interface ReceivedRequest {
  readonly api: ApiDescriptor;
  readonly version: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly body: unknown;
  readonly socket: net.Socket;
}

/** What a handler wants done: a body to send, 'silent' (no answer) or 'close' (hang up). */
export type Reply = { body: unknown; version?: number } | 'silent' | 'close';
export type Handler = (req: ReceivedRequest) => Reply | Promise<Reply>;

/** The ApiVersions answer of a broker that supports every version we implement. */
export function allVersions(overrides: Record<number, { min: number; max: number } | null> = {}): unknown {
  const apiKeys = allApis
    .filter((a) => overrides[a.key] !== null)
    .map((a) => ({ apiKey: a.key, minVersion: overrides[a.key]?.min ?? a.minVersion, maxVersion: overrides[a.key]?.max ?? a.maxVersion }));
  return { errorCode: 0, apiKeys, throttleTimeMs: 0 };
}

export class FakeBroker {
  readonly received: ReceivedRequest[] = [];
  readonly sockets = new Set<net.Socket>();
  private readonly handlers = new Map<number, Handler>();
  private server!: net.Server;
  port = 0;
  connections = 0;

  constructor() {
    this.on(18, () => ({ body: allVersions() }));
  }

  on(apiKey: number, handler: Handler): this {
    this.handlers.set(apiKey, handler);
    return this;
  }

  async listen(port = 0): Promise<this> {
    this.server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Drops every open connection (the broker "crashes" but keeps listening). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const splitter = new FrameSplitter(64 * 1024 * 1024);
    // Answers go out in request order, as a real broker's do.
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) {
        const decoded = decodeRequestFrame(frame);
        const req: ReceivedRequest = {
          api: decoded.api,
          version: decoded.apiVersion,
          correlationId: decoded.correlationId,
          clientId: decoded.clientId,
          body: decoded.body,
          socket,
        };
        this.received.push(req);
        chain = chain.then(async () => {
          const handler = this.handlers.get(req.api.key);
          const reply: Reply = handler ? await handler(req) : 'close';
          if (reply === 'close') socket.destroy();
          else if (reply !== 'silent' && !socket.destroyed) {
            for (const b of encodeResponseFrame(req.api, reply.version ?? req.version, req.correlationId, reply.body)) socket.write(b);
          }
        });
      }
    });
  }
}
