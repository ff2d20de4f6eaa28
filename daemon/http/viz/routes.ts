/**
 * HTTP handlers of the statechart page, for the daemon's HTTP server to mount by path prefix:
 *
 *   GET /machines                      the page
 *   GET /machines/assets/<file>        the bundled front-end (dist/viz/, built by npm run build:viz)
 *   GET /api/machines                  every registered machine's graph (machines/graph/model.ts)
 *   GET /api/actors                    the live actor table
 *   GET /api/actors/<sessionId>/events one actor's recent events
 *   GET /api/events                    server-sent events: hello, actor, transition, gap
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { MachineGraph } from '../../../machines/graph/model.js';
import { registeredGraphs } from '../../machine-registry.js';
import type { InspectionHub } from '../inspector.js';
import { pageHtml } from './page.js';

export type VizHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface VizRoutesOptions {
  readonly hub: InspectionHub;
  /** Defaults to every machine in daemon/machine-registry.ts. */
  readonly graphs?: readonly MachineGraph[];
  /** Where app.js and app.css are; defaults to dist/viz next to the compiled daemon. */
  readonly assetsDir?: string;
}

/** dist/daemon/http/viz/routes.js -> dist/viz/ */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../../viz/', import.meta.url));

const assetTypes: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

function sendJson(res: ServerResponse, body: unknown): void {
  send(res, 200, 'application/json; charset=utf-8', JSON.stringify(body));
}

function notFound(res: ServerResponse, path: string): void {
  send(res, 404, 'text/plain; charset=utf-8', `no such page: ${path}\n`);
}

/** One handler for every path above; the prefixes to mount it under are in VIZ_PREFIXES. */
export function createVizHandler(options: VizRoutesOptions): VizHandler {
  const graphs = options.graphs ?? registeredGraphs();
  const assetsDir = options.assetsDir ?? DEFAULT_ASSETS_DIR;
  const graphsJson = JSON.stringify(graphs);
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', `method ${req.method} not allowed\n`);
      return;
    }
    if (path === '/machines' || path === '/machines/') return send(res, 200, 'text/html; charset=utf-8', pageHtml('/machines/assets/', '/api/'));
    if (path.startsWith('/machines/assets/')) {
      const name = path.slice('/machines/assets/'.length);
      const type = assetTypes[name];
      if (type === undefined) return notFound(res, path);
      try {
        return send(res, 200, type, await readFile(`${assetsDir}/${name}`));
      } catch {
        return send(res, 404, 'text/plain; charset=utf-8', `${name} is not built; run npm run build:viz\n`);
      }
    }
    if (path === '/api/machines') return send(res, 200, 'application/json; charset=utf-8', graphsJson);
    if (path === '/api/actors') return sendJson(res, options.hub.actors());
    const events = /^\/api\/actors\/([^/]+)\/events$/.exec(path);
    if (events) {
      const log = options.hub.events(decodeURIComponent(events[1] as string));
      return log === undefined ? notFound(res, path) : sendJson(res, log);
    }
    if (path === '/api/events') {
      options.hub.attachStream(res);
      return;
    }
    notFound(res, path);
  };
}

/** Path prefixes to mount the handler under (daemon/http/http-server.ts routes). */
export const VIZ_PREFIXES = ['/machines', '/api/'] as const;
