// The daemon's HTTP server (loopback by default): health, readiness, Prometheus metrics, and
// whatever other routes the daemon mounts (the statechart page and its APIs).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface ReadinessCheck {
  readonly name: string;
  /** Undefined when ready; otherwise why not. */
  check(): string | undefined;
}

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly readiness: readonly ReadinessCheck[];
  /** Extra routes by path prefix, e.g. '/api/' for the statechart APIs. */
  readonly routes?: ReadonlyMap<string, RouteHandler>;
  readonly onError?: (err: unknown) => void;
}

export class HttpServerError extends Error {
  readonly code = 'HTTP_LISTEN_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HttpServerError';
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

export class HttpServer {
  private readonly server: Server;

  constructor(private readonly options: HttpServerOptions) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        options.onError?.(err);
        if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
        else res.destroy();
      });
    });
  }

  /** Listens; resolves with the bound address (port 0 picks a free one). */
  listen(): Promise<AddressInfo> {
    return new Promise((resolveListen, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(new HttpServerError(`cannot listen on http://${this.options.host}:${this.options.port}: ${err.code ?? err.message}`, { cause: err }));
      };
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        resolveListen(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolveClose) => {
      this.server.close(() => resolveClose());
      // Server-sent event streams would otherwise hold the close open forever.
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', `method ${req.method} not allowed\n`);
      return;
    }
    if (path === '/healthz') {
      send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
      return;
    }
    if (path === '/readyz') {
      const problems = this.options.readiness.flatMap((c) => {
        const why = c.check();
        return why === undefined ? [] : [`${c.name}: ${why}`];
      });
      send(res, problems.length === 0 ? 200 : 503, 'text/plain; charset=utf-8', problems.length === 0 ? 'ready\n' : problems.join('\n') + '\n');
      return;
    }
    if (path === '/metrics') {
      const body = await this.options.registry.metrics();
      send(res, 200, this.options.registry.contentType, body);
      return;
    }
    for (const [prefix, handler] of this.options.routes ?? []) {
      if (path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)) {
        await handler(req, res);
        return;
      }
    }
    send(res, 404, 'text/plain; charset=utf-8', `no route for ${path}\n`);
  }
}
