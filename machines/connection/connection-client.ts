/**
 * The API other machines use to talk to a broker through a connection actor: `request` picks
 * the negotiated version, waits (within the request's timeout) for the connection to be ready,
 * and sends straight through the pipeline, with no actor event per request.
 *
 * While the connection reconnects, a request waits; it fails early only when the connection's
 * last failure cannot heal by itself (a refused password or certificate), and otherwise with a
 * retriable REQUEST_TIMEOUT naming the last connection error once its time is up.
 */
import type { ApiDescriptor } from '../../protocol/api.js';
import type { ConnectionActor, ConnectionSnapshot } from './connection-machine.js';
import { ConnectionClosedError, ConnectionError, RequestTimeoutError } from './errors.js';
import type { RequestPipeline } from './pipeline.js';
import type { ApiVersionTable, VersionRange } from './versions.js';
import { requestCompletedChannel, type RequestCompleted } from './request-events.js';

export interface RequestOptions {
  /** Time for the whole request, including waiting for the connection; the connection's requestTimeoutMs by default. */
  readonly timeoutMs?: number;
  /** Narrows the versions the request may use (e.g. {min: 4} for a batched FindCoordinator). */
  readonly versions?: Partial<VersionRange>;
  /** false for requests without a response (Produce with acks=0). */
  readonly expectResponse?: boolean;
}

export interface ReadyLink {
  readonly pipeline: RequestPipeline;
  readonly versions: ApiVersionTable;
}

function readyLink(snapshot: ConnectionSnapshot): ReadyLink | null {
  const { pipeline, versions } = snapshot.context;
  return snapshot.status === 'active' && snapshot.matches('ready') && pipeline && versions && !pipeline.closed ? { pipeline, versions } : null;
}

/** An error that means waiting for this connection is pointless, or null to keep waiting. */
function hopeless(snapshot: ConnectionSnapshot): Error | null {
  if (snapshot.status === 'done') return new ConnectionClosedError('the connection was closed', snapshot.context.broker);
  if (snapshot.status === 'error') {
    return new ConnectionClosedError(`the connection failed: ${String((snapshot.error as Error)?.message ?? snapshot.error)}`, snapshot.context.broker, {
      cause: snapshot.error,
    });
  }
  const error = snapshot.context.lastError;
  if (snapshot.matches('backoff') && error instanceof ConnectionError && !error.retriable) return error;
  return null;
}

/** Waits until the connection is ready, for at most `timeoutMs`. */
export function whenReady(actor: ConnectionActor, timeoutMs: number, what = 'request'): Promise<ReadyLink> {
  const initial = actor.getSnapshot();
  const now = readyLink(initial);
  if (now) return Promise.resolve(now);
  const early = hopeless(initial);
  if (early) return Promise.reject(early);
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error: Error | null, link?: ReadyLink): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      subscription.unsubscribe();
      if (error) reject(error);
      else resolve(link as ReadyLink);
    };
    const subscription = actor.subscribe({
      next: (snapshot) => {
        const link = readyLink(snapshot);
        if (link) finish(null, link);
        else {
          const error = hopeless(snapshot);
          if (error) finish(error);
        }
      },
      error: (err) => finish(new ConnectionClosedError(`the connection failed: ${(err as Error)?.message}`, initial.context.broker, { cause: err })),
      complete: () => finish(new ConnectionClosedError('the connection was closed', initial.context.broker)),
    });
    const timer = setTimeout(() => {
      const last = actor.getSnapshot().context.lastError;
      finish(new RequestTimeoutError(what, timeoutMs, `not connected${last ? `, last error: ${last.message}` : ''}`, initial.context.broker));
    }, timeoutMs);
  });
}

/** Sends one request over the connection; see the file comment for how waiting and failures work. */
export async function request<Req, Res>(
  actor: ConnectionActor,
  api: ApiDescriptor<Req, Res>,
  body: Req,
  options: RequestOptions = {},
): Promise<Res> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? actor.getSnapshot().context.options.requestTimeoutMs;
  const { pipeline, versions } = await whenReady(actor, timeoutMs, api.name);
  const version = versions.pick(api, options.versions);
  const remaining = Math.max(1, timeoutMs - (Date.now() - started));
  const sendOptions = { timeoutMs: remaining, expectResponse: options.expectResponse };
  if (!requestCompletedChannel.hasSubscribers) return pipeline.send(api, version, body, sendOptions);
  const sentAt = performance.now();
  try {
    const response = await pipeline.send(api, version, body, sendOptions);
    requestCompletedChannel.publish({ api: api.name, version, durationMs: performance.now() - sentAt, error: null } satisfies RequestCompleted);
    return response;
  } catch (error) {
    requestCompletedChannel.publish({ api: api.name, version, durationMs: performance.now() - sentAt, error: error as Error } satisfies RequestCompleted);
    throw error;
  }
}

/** The version `request` would use for `api`, once the connection is ready. */
export async function negotiatedVersion(actor: ConnectionActor, api: ApiDescriptor, timeoutMs: number, wanted?: Partial<VersionRange>): Promise<number> {
  const { versions } = await whenReady(actor, timeoutMs, api.name);
  return versions.pick(api, wanted);
}
