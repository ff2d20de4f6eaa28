/**
 * The client side of NATS: each call is a request to `<prefix>.<method>` whose body is the
 * JSON-RPC request and whose reply is the response. Notifications arrive on a deliver subject
 * of this client (an inbox), which methods that push (subscribe) name in their params. NATS
 * itself reconnects; its status events become link events.
 */
import { connect, createInbox, type NatsConnection, type NodeConnectionOptions, type Subscription } from '@nats-io/transport-node';
import { CallTimeoutError, ClientClosedError, ConnectError, ConnectionLostError, SidecarError } from './errors.js';
import { resultOf, type ClientTransport, type TransportEvents } from './transport.js';

export interface NatsTransportOptions {
  readonly servers: string | readonly string[];
  /** Subject prefix of the daemon; default "kafka-sidecar". */
  readonly prefix?: string;
  /** Extra nats.js connection options (credentials, TLS). */
  readonly connection?: Omit<NodeConnectionOptions, 'servers'>;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

/** nats.js reports "nobody subscribes to that subject" as a RequestError whose cause is NoRespondersError. */
function isNoResponders(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'NoRespondersError') return true;
  const check = (err as { isNoResponders?: () => boolean }).isNoResponders;
  return typeof check === 'function' && check.call(err);
}

export class NatsClientTransport implements ClientTransport {
  /** Subject where this client's notifications are published; pass it as `deliverSubject`. */
  readonly deliverSubject: string;
  private readonly nc: NatsConnection;
  private readonly prefix: string;
  private readonly inbox: Subscription;
  private events: TransportEvents | null = null;
  private nextId = 1;
  private closed = false;

  private constructor(nc: NatsConnection, prefix: string) {
    this.nc = nc;
    this.prefix = prefix;
    this.deliverSubject = createInbox(`_KS_DELIVER`);
    this.inbox = nc.subscribe(this.deliverSubject, {
      callback: (err, msg) => {
        if (err !== null) return;
        try {
          const message = msg.json<{ method?: unknown; params?: unknown }>();
          if (typeof message.method === 'string') this.events?.notification({ method: message.method, params: message.params });
        } catch {
          // Not JSON: nothing the daemon sends; ignore rather than break the stream.
        }
      },
    });
    void this.watchStatus();
  }

  static async open(options: NatsTransportOptions): Promise<NatsClientTransport> {
    const servers = typeof options.servers === 'string' ? [options.servers] : [...options.servers];
    let nc: NatsConnection;
    try {
      nc = await connect({ name: 'kafka-sidecar-client', maxReconnectAttempts: -1, ...options.connection, servers });
    } catch (err) {
      throw new ConnectError(`cannot connect to NATS at ${servers.join(', ')}: ${(err as Error).message}`);
    }
    return new NatsClientTransport(nc, options.prefix ?? 'kafka-sidecar');
  }

  setListener(events: TransportEvents): void {
    this.events = events;
  }

  async request(method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) throw new ClientClosedError();
    const body = JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params });
    let reply;
    try {
      reply = await this.nc.request(`${this.prefix}.${method}`, body, { timeout: timeoutMs });
    } catch (err) {
      if (isNoResponders(err)) {
        // Nobody serves <prefix>.<method>: ask the catch-all endpoint so the daemon itself says why
        // (unknown method), or report that no daemon is there at all.
        return this.requestViaRpcEndpoint(body, method, timeoutMs);
      }
      throw this.translate(err, method, timeoutMs);
    }
    return resultOf(reply.json());
  }

  async notify(method: string, params: unknown): Promise<void> {
    if (this.closed) throw new ClientClosedError();
    this.nc.publish(`${this.prefix}.${method}`, JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.inbox.unsubscribe();
    await this.nc.close();
  }

  private async requestViaRpcEndpoint(body: string, method: string, timeoutMs: number): Promise<unknown> {
    try {
      const reply = await this.nc.request(`${this.prefix}.rpc`, body, { timeout: timeoutMs });
      return resultOf(reply.json());
    } catch (err) {
      if (err instanceof SidecarError) throw err;
      if (isNoResponders(err)) {
        throw new ConnectionLostError(`no kafka-sidecar serves ${this.prefix}.* on this NATS server`);
      }
      throw this.translate(err, method, timeoutMs);
    }
  }

  private translate(err: unknown, method: string, timeoutMs: number): Error {
    if (err instanceof SidecarError) return err;
    const name = errorName(err);
    if (name === 'TimeoutError') return new CallTimeoutError(method, timeoutMs);
    if (this.closed || name === 'ClosedConnectionError') return new ClientClosedError();
    return new ConnectionLostError(`NATS request for "${method}" failed: ${(err as Error).message}`);
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.events?.link('disconnected', 'NATS connection lost');
      else if (status.type === 'reconnect') this.events?.link('connected');
    }
  }
}
