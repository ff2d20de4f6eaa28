/**
 * One app connection on the Unix socket: bytes in are cut into lines and dispatched; answers
 * and notifications go out as lines. Calls run concurrently and are answered as they finish
 * (apps match answers by id).
 *
 * Backpressure: when the socket's write buffer is full we stop reading the app's requests until
 * it drains, so an app that does not read cannot make us queue unbounded answers. Notifications
 * do not wait; if the queued output passes maxQueuedBytes the app is disconnected, with a log line.
 *
 * End of input (the app half-closes, like `socat` at the end of a script): the calls already
 * received are answered, then the connection is closed from our side.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { RpcDispatcher } from './dispatcher.js';
import { FrameTooLargeError } from './errors.js';
import { encodeMessage, failure, notification, parseFrame, type RpcNotification, type RpcResponse } from './jsonrpc.js';
import { LineSplitter } from './line-splitter.js';
import type { Session, SessionRegistry } from './session.js';

export interface ConnectionLimits {
  readonly maxFrameBytes: number;
  readonly maxQueuedBytes: number;
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x09) return false;
  return true;
}

export class UnixConnection {
  readonly session: Session;
  private readonly socket: Socket;
  private readonly dispatcher: RpcDispatcher;
  private readonly logger: Logger;
  private readonly limits: ConnectionLimits;
  private readonly splitter: LineSplitter;
  private framesInFlight = 0;
  private inputEnded = false;
  private closing = false;
  /** Resolves once the socket is fully closed. */
  readonly closed: Promise<void>;

  constructor(socket: Socket, deps: { dispatcher: RpcDispatcher; sessions: SessionRegistry; logger: Logger; limits: ConnectionLimits }) {
    this.socket = socket;
    this.dispatcher = deps.dispatcher;
    this.limits = deps.limits;
    this.splitter = new LineSplitter(deps.limits.maxFrameBytes);
    this.session = deps.sessions.open('unix', (method, params) => this.send(notification(method, params)), deps.logger);
    this.logger = deps.logger.child({ session: this.session.id });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onInputEnd());
    socket.on('drain', () => {
      if (!this.closing) socket.resume();
    });
    socket.on('error', (err) => this.logger.debug({ err }, 'socket error'));
    socket.once('close', () => void this.session.close('connection closed'));
    this.logger.debug('app connected');
  }

  /** Ends the connection after the calls in flight have answered; destroys it after graceMs. */
  shutdown(graceMs: number): Promise<void> {
    this.inputEnded = true;
    this.session.drain();
    this.socket.pause();
    this.endWhenIdle();
    const timer = setTimeout(() => this.socket.destroy(), graceMs);
    timer.unref();
    return this.closed.finally(() => clearTimeout(timer));
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    const { lines, overflow } = this.splitter.push(chunk);
    for (const line of lines) {
      if (!isBlank(line)) void this.handleLine(line);
    }
    if (overflow) {
      this.logger.warn({ maxFrameBytes: this.limits.maxFrameBytes }, 'line over ipc.maxFrameBytes; closing the connection');
      this.send(failure(null, new FrameTooLargeError(this.limits.maxFrameBytes).toRpcError()));
      this.closeNow();
    }
  }

  private async handleLine(line: Buffer): Promise<void> {
    this.framesInFlight++;
    try {
      const answer = await this.dispatcher.answer(parseFrame(line), this.session);
      if (answer !== undefined) this.send(answer);
    } finally {
      this.framesInFlight--;
      if (this.inputEnded) this.endWhenIdle();
    }
  }

  private onInputEnd(): void {
    if (this.splitter.bufferedBytes > 0) {
      this.logger.debug({ bytes: this.splitter.bufferedBytes }, 'app disconnected in the middle of a line; the partial line is dropped');
    }
    this.inputEnded = true;
    this.session.drain();
    this.endWhenIdle();
  }

  private endWhenIdle(): void {
    if (this.framesInFlight === 0) this.closeNow();
  }

  /** Closes our side after what is queued has been written; the socket is destroyed once that is done. */
  private closeNow(): void {
    if (this.closing) return;
    this.closing = true;
    this.socket.pause();
    this.socket.end(() => this.socket.destroy());
  }

  private send(message: RpcResponse | RpcResponse[] | RpcNotification): boolean {
    const socket = this.socket;
    if (socket.destroyed || !socket.writable) return false;
    const flushed = socket.write(encodeMessage(message) + '\n');
    if (flushed) return true;
    if (socket.writableLength > this.limits.maxQueuedBytes) {
      this.logger.warn(
        { queuedBytes: socket.writableLength, maxQueuedBytes: this.limits.maxQueuedBytes },
        'app does not read its answers; disconnecting it',
      );
      this.closing = true;
      socket.destroy();
      return false;
    }
    // Stop taking requests until the app has read what we wrote.
    socket.pause();
    return true;
  }
}
