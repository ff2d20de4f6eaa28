/**
 * The request pipeline of one broker connection: a plain object that the hot paths (produce,
 * fetch, heartbeats) call directly, with no actor event per request. It numbers requests with
 * correlation ids, keeps at most `maxInFlight` of them unanswered, queues the rest, stops
 * writing while the socket's buffer is full (backpressure) and times out each request on its
 * own. When the connection goes away every pending request fails with a retriable
 * ConnectionClosedError instead of waiting forever.
 */
import type { Socket } from 'node:net';
import type { ApiDescriptor } from '../../protocol/api.js';
import { decodeResponseFrame, encodeRequestFrame, FrameSplitter, readCorrelationId } from '../../protocol/frame.js';
import { ConnectionClosedError, ProtocolViolationError, RequestTimeoutError, type ConnectionError } from './errors.js';
import { classifySocketError } from './transport.js';

export interface PipelineOptions {
  /** Broker address for error messages, host:port. */
  readonly broker: string;
  readonly clientId: string | null;
  readonly maxInFlight: number;
  readonly maxFrameBytes: number;
  /** Timeout of a request that does not set its own. */
  readonly requestTimeoutMs: number;
}

export interface SendOptions<Res> {
  readonly timeoutMs?: number;
  /** false for requests the broker does not answer (Produce with acks=0): resolves once written. */
  readonly expectResponse?: boolean;
  /** Written even while the pipeline is paused for re-authentication. */
  readonly priority?: boolean;
  /** Replaces the API's own decoding of the response frame (for ApiVersions' v0 fallback). */
  readonly decode?: (frame: Buffer) => Res;
}

interface Pending {
  readonly correlationId: number;
  readonly api: ApiDescriptor;
  readonly version: number;
  readonly frame: Buffer[];
  readonly expectResponse: boolean;
  readonly priority: boolean;
  readonly decode: ((frame: Buffer) => unknown) | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  written: boolean;
}

const MAX_CORRELATION_ID = 0x7fffffff;

export class RequestPipeline {
  private readonly splitter: FrameSplitter;
  private readonly inFlight = new Map<number, Pending>();
  private queue: Pending[] = [];
  private nextCorrelationId = 1;
  private writeBlocked = false;
  private paused = false;
  private closeError: ConnectionError | null = null;
  private readonly closeListeners = new Set<(error: ConnectionError) => void>();

  constructor(
    private readonly socket: Socket,
    readonly options: PipelineOptions,
  ) {
    this.splitter = new FrameSplitter(options.maxFrameBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(classifySocketError(err, options.broker)));
    socket.on('close', () => this.close(new ConnectionClosedError('connection closed by the broker', options.broker)));
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.pump();
    });
  }

  get closed(): boolean {
    return this.closeError !== null;
  }

  /** Why the pipeline closed, or null while it is open. */
  get error(): ConnectionError | null {
    return this.closeError;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /** Sends a request and resolves with the decoded response body. */
  send<Req, Res>(api: ApiDescriptor<Req, Res>, version: number, body: Req, options: SendOptions<Res> = {}): Promise<Res> {
    if (this.closeError) {
      return Promise.reject(new ConnectionClosedError(`${api.name} not sent: ${this.closeError.message}`, undefined, { cause: this.closeError }));
    }
    const correlationId = this.allocateCorrelationId();
    let frame: Buffer[];
    try {
      frame = encodeRequestFrame(api, version, correlationId, this.options.clientId, body);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise<Res>((resolve, reject) => {
      const pending: Pending = {
        correlationId,
        api: api as ApiDescriptor,
        version,
        frame,
        expectResponse: options.expectResponse !== false,
        priority: options.priority === true,
        decode: options.decode,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: undefined,
        written: false,
      };
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
      pending.timer = setTimeout(() => this.onTimeout(pending, timeoutMs), timeoutMs);
      this.queue.push(pending);
      this.pump();
    });
  }

  /** Holds back new requests (priority ones still go) until `resume`: used while re-authenticating. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Called once, with the reason, when the pipeline closes. Returns an unsubscribe function. */
  onClose(listener: (error: ConnectionError) => void): () => void {
    if (this.closeError) {
      listener(this.closeError);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the socket and fails every pending request with a retriable ConnectionClosedError. */
  close(reason: ConnectionError = new ConnectionClosedError('connection closed by the client', this.options.broker)): void {
    if (this.closeError) return;
    this.closeError = reason;
    const pending = [...this.inFlight.values(), ...this.queue];
    this.inFlight.clear();
    this.queue = [];
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(new ConnectionClosedError(`${p.api.name} request lost: ${reason.message}`, undefined, { cause: reason }));
    }
    this.socket.destroy();
    for (const listener of this.closeListeners) listener(reason);
    this.closeListeners.clear();
  }

  private allocateCorrelationId(): number {
    // Skips ids still in flight after a wrap-around (a connection would need 2^31 requests).
    do {
      const id = this.nextCorrelationId;
      this.nextCorrelationId = id === MAX_CORRELATION_ID ? 0 : id + 1;
      if (!this.inFlight.has(id)) return id;
    } while (true);
  }

  private pump(): void {
    while (!this.closeError && !this.writeBlocked && this.queue.length > 0 && this.inFlight.size < this.options.maxInFlight) {
      const index = this.paused ? this.queue.findIndex((p) => p.priority) : 0;
      if (index < 0) return;
      const [next] = this.queue.splice(index, 1);
      this.write(next);
    }
  }

  private write(p: Pending): void {
    p.written = true;
    if (p.expectResponse) this.inFlight.set(p.correlationId, p);
    this.socket.cork();
    let accepted = true;
    for (let i = 0; i < p.frame.length; i++) {
      const last = i === p.frame.length - 1;
      accepted = this.socket.write(p.frame[i], last && !p.expectResponse ? (err) => this.onWritten(p, err) : undefined);
    }
    this.socket.uncork();
    if (!accepted) this.writeBlocked = true;
  }

  private onWritten(p: Pending, err: Error | null | undefined): void {
    clearTimeout(p.timer);
    if (err) p.reject(new ConnectionClosedError(`${p.api.name} not written: ${err.message}`, this.options.broker, { cause: err }));
    else p.resolve(undefined);
  }

  private onTimeout(p: Pending, timeoutMs: number): void {
    const queuedAt = this.queue.indexOf(p);
    if (queuedAt >= 0) {
      this.queue.splice(queuedAt, 1);
      p.reject(new RequestTimeoutError(p.api.name, timeoutMs, `never sent: ${this.inFlight.size} requests in flight, connection ${this.paused ? 're-authenticating' : 'busy'}`, this.options.broker));
      return;
    }
    if (!this.inFlight.delete(p.correlationId)) return;
    p.reject(new RequestTimeoutError(p.api.name, timeoutMs, 'sent, unanswered', this.options.broker));
    // A broker that leaves a request unanswered is stuck or gone; the connection is rebuilt.
    this.close(new ConnectionClosedError(`closed after ${p.api.name} went unanswered for ${timeoutMs} ms`, this.options.broker));
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      this.close(new ProtocolViolationError(`unreadable response stream: ${(err as Error).message}`, this.options.broker, { cause: err }));
      return;
    }
    for (const frame of frames) {
      if (this.closeError) return;
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Buffer): void {
    let correlationId: number;
    try {
      correlationId = readCorrelationId(frame);
    } catch (err) {
      this.close(new ProtocolViolationError((err as Error).message, this.options.broker, { cause: err }));
      return;
    }
    const p = this.inFlight.get(correlationId);
    if (!p) {
      this.close(new ProtocolViolationError(`response with correlation id ${correlationId}, which no request in flight has`, this.options.broker));
      return;
    }
    this.inFlight.delete(correlationId);
    clearTimeout(p.timer);
    try {
      p.resolve(p.decode ? p.decode(frame) : decodeResponseFrame(p.api, p.version, frame).body);
    } catch (err) {
      // The frame boundaries are intact, so only this request is lost, not the connection.
      p.reject(err as Error);
    }
    this.pump();
  }
}
