/**
 * A TCP proxy for capturing real Kafka traffic: it listens on a port, forwards every
 * connection to one broker, and records each request and response frame with the api key,
 * version and correlation id it carries. Requests are forwarded exactly as received (the
 * chunks themselves); responses are forwarded frame by frame, unchanged unless a
 * `rewriteResponse` hook replaces one. The recording always holds the bytes the broker sent.
 *
 * Responses do not name their API; they are matched to the request with the same correlation
 * id on the same connection. Requests that get no answer (Produce with acks=0) stay unmatched.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { FrameSplitter } from '../../protocol/frame.js';

export const FrameDirection = {
  request: 'request',
  response: 'response',
} as const;
export type FrameDirection = (typeof FrameDirection)[keyof typeof FrameDirection];

export interface RecordedFrame {
  readonly direction: FrameDirection;
  /** Which client connection (1, 2, ... in accept order) carried the frame. */
  readonly connection: number;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  /** The frame without its int32 size prefix. */
  readonly frame: Buffer;
}

/** Thrown (and kept in `problems`) when the traffic cannot be cut into attributable frames. */
export class ProxyRecordingError extends Error {
  readonly code = 'PROXY_RECORDING_ERROR';
  readonly retriable = false;
  override readonly name = 'ProxyRecordingError';
}

export interface RecordingProxyOptions {
  /** The broker to forward to. */
  readonly targetHost: string;
  readonly targetPort: number;
  /** Port to listen on (0, the default, picks a free one). */
  readonly port?: number;
  readonly host?: string;
  /** Largest frame accepted in either direction; default 128 MiB. */
  readonly maxFrameSize?: number;
  /**
   * Called for each response frame (as recorded) before it goes to the client; a returned
   * frame (without size prefix) is sent instead. Used to cap the API versions a client sees.
   */
  readonly rewriteResponse?: (frame: RecordedFrame) => Buffer | undefined;
}

interface PendingRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
}

export class RecordingProxy {
  private readonly recorded: RecordedFrame[] = [];
  private readonly errors: ProxyRecordingError[] = [];
  private readonly sockets = new Set<Socket>();
  private connections = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: RecordingProxyOptions,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(options: RecordingProxyOptions): Promise<RecordingProxy> {
    const server = createServer();
    const proxy = new RecordingProxy(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Frames recorded so far, in the order they passed the proxy. */
  frames(): readonly RecordedFrame[] {
    return this.recorded;
  }

  /** Traffic that could not be attributed (an empty list after a clean capture). */
  problems(): readonly ProxyRecordingError[] {
    return this.errors;
  }

  /** Forgets what was recorded so far (between capture scenarios). */
  clear(): void {
    this.recorded.length = 0;
    this.errors.length = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const connection = ++this.connections;
    const maxFrameSize = this.options.maxFrameSize ?? 128 * 1024 * 1024;
    const broker = createConnection({ host: this.options.targetHost, port: this.options.targetPort });
    this.sockets.add(client);
    this.sockets.add(broker);
    const pending = new Map<number, PendingRequest>();
    const requests = new FrameSplitter(maxFrameSize);
    const responses = new FrameSplitter(maxFrameSize);

    const fail = (message: string): void => {
      this.errors.push(new ProxyRecordingError(`connection ${connection}: ${message}`));
    };

    const closeBoth = (): void => {
      client.destroy();
      broker.destroy();
      this.sockets.delete(client);
      this.sockets.delete(broker);
    };
    client.on('data', (chunk: Buffer) => {
      broker.write(chunk);
      try {
        for (const frame of requests.push(chunk)) {
          if (frame.length < 8) {
            fail(`request frame of ${frame.length} bytes has no header`);
            continue;
          }
          const request = {
            direction: FrameDirection.request,
            connection,
            apiKey: frame.readInt16BE(0),
            apiVersion: frame.readInt16BE(2),
            correlationId: frame.readInt32BE(4),
            frame: Buffer.from(frame),
          };
          pending.set(request.correlationId, request);
          this.recorded.push(request);
        }
      } catch (err) {
        fail(`request stream: ${(err as Error).message}`);
      }
    });

    const sendToClient = (frame: Buffer): void => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(frame.length);
      client.write(Buffer.concat([size, frame]));
    };

    broker.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = responses.push(chunk);
      } catch (err) {
        fail(`response stream: ${(err as Error).message}`);
        closeBoth();
        return;
      }
      for (const frame of frames) {
        const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : undefined;
        const request = correlationId === undefined ? undefined : pending.get(correlationId);
        if (correlationId === undefined || !request) {
          fail(correlationId === undefined ? `response frame of ${frame.length} bytes has no correlation id` : `response with correlation id ${correlationId} answers no request`);
          sendToClient(frame);
          continue;
        }
        pending.delete(correlationId);
        const response: RecordedFrame = {
          direction: FrameDirection.response,
          connection,
          apiKey: request.apiKey,
          apiVersion: request.apiVersion,
          correlationId,
          frame: Buffer.from(frame),
        };
        this.recorded.push(response);
        let replacement: Buffer | undefined;
        try {
          replacement = this.options.rewriteResponse?.(response);
        } catch (err) {
          fail(`rewriting a response to api key ${request.apiKey} v${request.apiVersion}: ${(err as Error).message}`);
        }
        sendToClient(replacement ?? frame);
      }
    });

    client.on('close', closeBoth);
    broker.on('close', closeBoth);
    // A peer resetting the connection is normal at the end of a client run; not a recording problem.
    client.on('error', closeBoth);
    broker.on('error', closeBoth);
  }
}
