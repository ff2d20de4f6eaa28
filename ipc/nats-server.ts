/**
 * The NATS transport: the method table as a NATS micro service, so `nats micro ls` and any
 * `$SRV.PING|INFO|STATS` request discover it. Each method is the endpoint `<prefix>.<method>`
 * (its body a JSON-RPC request for that method; an empty body means "no params"), and
 * `<prefix>.rpc` takes any request or batch. Answers are the JSON-RPC responses as reply bodies;
 * failures also carry the micro service error headers so service stats count them.
 *
 * Sessions: a request whose params name a `deliverSubject` belongs to the long-lived session of
 * that subject (notifications are published there); any other request gets a session of its
 * own that ends with the answer.
 */
import { connect, nkeyAuthenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { Svcm, type Service, type ServiceGroup, type ServiceMsg } from '@nats-io/services';
import type { Logger } from 'pino';
import type { FrameAnswer, RpcDispatcher } from './dispatcher.js';
import { FrameTooLargeError, InternalError, InvalidRequestError, RpcErrorNumber } from './errors.js';
import { encodeMessage, failure, notification, parseFrame, type ParsedFrame, type RpcResponse } from './jsonrpc.js';
import { ListenerFailedError, NatsUnavailableError } from './listen-errors.js';
import { NO_LISTENER_EVENTS, type ListenerEvents, type ListenerTransport } from './listener-transport.js';
import type { MethodTable } from './method-table.js';
import { TransportName, type Session, type SessionRegistry } from './session.js';

export interface NatsServerOptions {
  readonly servers: readonly string[];
  /** Subject prefix: methods are served on `<prefix>.<method>`. */
  readonly prefix: string;
  readonly version: string;
  readonly maxFrameBytes: number;
  readonly user?: string | null;
  readonly password?: string | null;
  readonly token?: string | null;
  readonly nkeySeed?: string | null;
  readonly tls?: { readonly caFile: string | null; readonly certFile: string | null; readonly keyFile: string | null } | null;
  /** Service name for discovery; default "kafka-sidecar". */
  readonly serviceName?: string;
  /**
   * A deliver-subject session that holds nothing (no handler registered a cleanup) ends after
   * this long without calls, so apps that come and go with fresh inboxes leave nothing behind.
   * Default 5 minutes.
   */
  readonly idleSessionMs?: number;
}

/** The endpoint that takes any method and batches. */
export const RPC_ENDPOINT = 'rpc';

/** NATS micro error codes (HTTP-like) for a JSON-RPC error number, so tooling shows a sensible class. */
function serviceErrorCode(rpcCode: number): number {
  if (rpcCode === RpcErrorNumber.internalError) return 500;
  if (rpcCode === RpcErrorNumber.notReady || rpcCode === RpcErrorNumber.shuttingDown || rpcCode === RpcErrorNumber.bufferFull) return 503;
  if (rpcCode === RpcErrorNumber.methodNotFound) return 404;
  if (rpcCode === RpcErrorNumber.kafka) return 502;
  return 400;
}

function connectionOptions(options: NatsServerOptions): NodeConnectionOptions {
  const opts: NodeConnectionOptions = {
    servers: [...options.servers],
    name: options.serviceName ?? 'kafka-sidecar',
    maxReconnectAttempts: -1,
  };
  if (options.user) opts.user = options.user;
  if (options.password) opts.pass = options.password;
  if (options.token) opts.token = options.token;
  if (options.nkeySeed) opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed));
  const tls = options.tls;
  if (tls && (tls.caFile || tls.certFile || tls.keyFile)) {
    opts.tls = {
      ...(tls.caFile ? { caFile: tls.caFile } : {}),
      ...(tls.certFile ? { certFile: tls.certFile } : {}),
      ...(tls.keyFile ? { keyFile: tls.keyFile } : {}),
    };
  }
  return opts;
}

/** The deliver subject a frame's (single) request names in its params, if any. */
function deliverSubjectOf(frame: ParsedFrame): string | undefined {
  if (frame.batch) return undefined;
  const [item] = frame.items;
  if (item?.kind !== 'request') return undefined;
  const params = item.request.params as { deliverSubject?: unknown } | null;
  return typeof params?.deliverSubject === 'string' && params.deliverSubject !== '' ? params.deliverSubject : undefined;
}

export class NatsRpcServer implements ListenerTransport {
  private readonly options: NatsServerOptions;
  private readonly table: MethodTable;
  private readonly dispatcher: RpcDispatcher;
  private readonly sessions: SessionRegistry;
  private readonly logger: Logger;
  private readonly deliverSessions = new Map<string, Session>();
  private readonly idleTimers = new Map<Session, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private nc: NatsConnection | null = null;
  private service: Service | null = null;
  private stopRegistering: (() => void) | null = null;
  private events: ListenerEvents = NO_LISTENER_EVENTS;

  constructor(options: NatsServerOptions, deps: { table: MethodTable; dispatcher: RpcDispatcher; sessions: SessionRegistry; logger: Logger }) {
    this.options = options;
    this.table = deps.table;
    this.dispatcher = deps.dispatcher;
    this.sessions = deps.sessions;
    this.logger = deps.logger.child({ transport: 'nats' });
  }

  /** The service's instance id (as in `$SRV.PING` answers), once started. */
  get serviceId(): string | null {
    return this.service?.info().id ?? null;
  }

  async start(events: ListenerEvents = NO_LISTENER_EVENTS): Promise<void> {
    if (this.nc !== null) throw new Error('the NATS server is already started');
    this.events = events;
    let nc: NatsConnection;
    try {
      nc = await connect(connectionOptions(this.options));
    } catch (err) {
      throw new NatsUnavailableError(`cannot connect to NATS at ${this.options.servers.join(', ')}: ${(err as Error).message}`, { cause: err });
    }
    this.nc = nc;
    void this.watchStatus(nc);
    void this.watchClosed(nc);
    try {
      await this.addService(nc);
    } catch (err) {
      await this.abort();
      throw new NatsUnavailableError(`cannot serve over NATS at ${this.options.servers.join(', ')}: ${(err as Error).message}`, { cause: err });
    }
    this.logger.info({ servers: this.options.servers, prefix: this.options.prefix }, 'serving over NATS');
  }

  private async addService(nc: NatsConnection): Promise<void> {
    // @nats-io/services is built against its own copy of nats-core; the connection is the same object shape.
    const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
    const service = await svcm.add({
      name: this.options.serviceName ?? 'kafka-sidecar',
      version: this.options.version,
      description: 'Kafka sidecar: produce, consume and administer Kafka through JSON-RPC 2.0 requests',
      metadata: { protocol: '1', prefix: this.options.prefix },
    });
    this.service = service;
    const group = service.addGroup(this.options.prefix);
    group.addEndpoint(RPC_ENDPOINT, {
      handler: (err, msg) => this.onMessage(err, msg, undefined),
      metadata: { description: 'Any method or a batch: the body is a JSON-RPC 2.0 request or array of requests' },
    });
    for (const name of this.table.names()) this.addMethodEndpoint(group, name);
    this.stopRegistering = this.table.onRegister((name) => this.addMethodEndpoint(group, name));
    // The endpoints are subscriptions on our connection; once the NATS server has seen them,
    // a request made right after start() (or after flush()) finds a responder.
    await nc.flush();
  }

  /** Resolves when the NATS server has every endpoint added so far, e.g. of methods registered after start(). */
  async flush(): Promise<void> {
    await this.nc?.flush();
  }

  /** Stops the service (no new requests), waits for answers in flight, closes sessions and the connection. */
  async stop(): Promise<void> {
    const nc = this.nc;
    if (nc === null) return;
    this.nc = null;
    this.stopRegistering?.();
    await this.service?.stop().catch((err: unknown) => this.logger.warn({ err }, 'cannot stop the NATS service'));
    this.service = null;
    await Promise.allSettled([...this.inFlight]);
    await this.closeDeliverSessions('NATS transport stopped');
    await nc.drain().catch((err: unknown) => this.logger.warn({ err }, 'NATS drain failed'));
    this.logger.info('NATS transport stopped');
  }

  /** Closes the connection at once; answers in flight are lost, sessions end. */
  async abort(): Promise<void> {
    const nc = this.nc;
    if (nc === null) return;
    this.nc = null;
    this.stopRegistering?.();
    this.service = null;
    await this.closeDeliverSessions('NATS transport failed');
    await nc.close().catch((err: unknown) => this.logger.warn({ err }, 'NATS close failed'));
  }

  private async closeDeliverSessions(reason: string): Promise<void> {
    const sessions = [...this.deliverSessions.values()];
    for (const session of sessions) session.drain();
    await Promise.all(sessions.map((s) => s.close(reason)));
  }

  private addMethodEndpoint(group: ServiceGroup, name: string): void {
    const description = this.table.get(name)?.description ?? '';
    group.addEndpoint(name, { handler: (err, msg) => this.onMessage(err, msg, name), metadata: { description } });
  }

  private onMessage(err: Error | null, msg: ServiceMsg, method: string | undefined): void {
    if (err !== null) {
      this.logger.error({ err }, 'NATS endpoint subscription failed');
      return;
    }
    const work = this.answerMessage(msg, method).catch((e: unknown) => this.logger.error({ err: e }, 'NATS request failed'));
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async answerMessage(msg: ServiceMsg, method: string | undefined): Promise<void> {
    const frame = this.frameOf(msg.data, method);
    const deliverSubject = deliverSubjectOf(frame);
    const session = deliverSubject === undefined ? this.sessions.open(TransportName.nats, () => false, this.logger) : this.deliverSession(deliverSubject);
    let answer: FrameAnswer;
    this.clearIdleTimer(session);
    try {
      answer = await this.dispatcher.answer(frame, session);
    } finally {
      if (deliverSubject === undefined) await session.close('NATS request answered');
      else this.armIdleTimer(session);
    }
    if (answer === undefined || msg.reply === undefined || msg.reply === '') return;
    this.reply(msg, answer);
  }

  /** The frame of a message body, checked against the endpoint it arrived on. */
  private frameOf(data: Uint8Array, method: string | undefined): ParsedFrame {
    if (data.length > this.options.maxFrameBytes) {
      return { batch: false, items: [{ kind: 'invalid', response: failure(null, new FrameTooLargeError(this.options.maxFrameBytes).toRpcError()) }] };
    }
    if (method === undefined) return parseFrame(data);
    if (data.length === 0) return { batch: false, items: [{ kind: 'request', request: { method, params: null, id: null } }] };
    const frame = parseFrame(data);
    if (frame.batch) return invalidFrame(`a batch must be sent to ${this.options.prefix}.${RPC_ENDPOINT}, not to ${this.options.prefix}.${method}`);
    const [item] = frame.items;
    if (item?.kind === 'request' && item.request.method !== method) {
      return invalidFrame(`the request names method "${item.request.method}" but was sent to ${this.options.prefix}.${method}`, item.request.id);
    }
    return frame;
  }

  private deliverSession(subject: string): Session {
    const existing = this.deliverSessions.get(subject);
    if (existing !== undefined && !existing.closed) return existing;
    const session = this.sessions.open(TransportName.nats, (m, p) => this.publish(subject, encodeMessage(notification(m, p))), this.logger);
    this.deliverSessions.set(subject, session);
    void session.ended.then(() => {
      this.clearIdleTimer(session);
      if (this.deliverSessions.get(subject) === session) this.deliverSessions.delete(subject);
    });
    this.events.session(session);
    return session;
  }

  private armIdleTimer(session: Session): void {
    this.clearIdleTimer(session);
    if (session.closed || session.callsInFlight > 0) return;
    const timer = setTimeout(() => {
      this.idleTimers.delete(session);
      if (session.cleanupCount === 0 && session.callsInFlight === 0) void session.close('idle deliver-subject session holds nothing');
      else this.armIdleTimer(session);
    }, this.options.idleSessionMs ?? 5 * 60_000);
    timer.unref();
    this.idleTimers.set(session, timer);
  }

  private clearIdleTimer(session: Session): void {
    const timer = this.idleTimers.get(session);
    if (timer !== undefined) clearTimeout(timer);
    this.idleTimers.delete(session);
  }

  private publish(subject: string, body: string): boolean {
    if (this.nc === null || this.nc.isClosed()) return false;
    try {
      this.nc.publish(subject, body);
      return true;
    } catch (err) {
      this.logger.warn({ err, subject }, 'cannot publish a notification');
      return false;
    }
  }

  private reply(msg: ServiceMsg, answer: RpcResponse | RpcResponse[]): void {
    const body = encodeMessage(answer);
    const error = !Array.isArray(answer) && 'error' in answer ? answer.error : undefined;
    try {
      if (error === undefined) msg.respond(body);
      else msg.respondError(serviceErrorCode(error.code), error.message, body);
    } catch (err) {
      // Typically a reply over the server's max_payload: answer that instead of leaving the caller to time out.
      const id = Array.isArray(answer) ? null : answer.id;
      const tooBig = new InternalError(`the answer (${Buffer.byteLength(body)} bytes) cannot be sent over NATS: ${(err as Error).message}`);
      msg.respondError(500, tooBig.message, encodeMessage(failure(id, tooBig.toRpcError())));
    }
  }

  /** The client reconnects by itself (forever): a lost link is `down`, its return `up`, never a failure. */
  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
        this.logger.warn({ status: status.type, server: 'server' in status ? status.server : undefined }, 'NATS connection status');
      }
      if (this.nc !== nc) continue;
      if (status.type === 'disconnect') this.events.down(`disconnected from NATS at ${status.server}`);
      else if (status.type === 'reconnect') this.events.up();
    }
  }

  /** A connection that closes while we still serve on it (not by stop or abort) is gone for good. */
  private async watchClosed(nc: NatsConnection): Promise<void> {
    const reason = await nc.closed();
    if (this.nc !== nc) return;
    const error = new ListenerFailedError(`the NATS connection closed${reason instanceof Error ? `: ${reason.message}` : ''}`, { cause: reason });
    this.logger.error({ err: error }, 'the NATS listener failed');
    await this.abort();
    this.events.failed(error);
  }
}

function invalidFrame(message: string, id: string | number | null = null): ParsedFrame {
  return { batch: false, items: [{ kind: 'invalid', response: failure(id, new InvalidRequestError(message).toRpcError()) }] };
}
