/**
 * hello: the first call of a session. Names the app for logs and status, and tells it which
 * server and protocol version it talks to and how long a line may be.
 */
import { method, type MethodDefinition } from '../method-table.js';
import { optional, params, string, type Infer } from '../params.js';

export const PROTOCOL_VERSION = 1;
export const SERVER_NAME = 'kafka-sidecar';

export interface HelloResult {
  readonly server: typeof SERVER_NAME;
  readonly version: string;
  readonly protocol: typeof PROTOCOL_VERSION;
  readonly maxFrameBytes: number;
  /** This session's id, as status and the daemon's logs name it. */
  readonly session: string;
}

const helloParams = params({
  client: optional(string({ minLength: 1, maxLength: 200 })),
  /** NATS only: the subject of the session to greet (the session that later subscribes with it). */
  deliverSubject: optional(string({ minLength: 1 })),
});

export function helloMethod(server: { version: string; maxFrameBytes: number }): MethodDefinition<Infer<typeof helloParams>, HelloResult> {
  return method('Greets the server: returns its name, version, protocol version and line limit.', helloParams, async (p, ctx) => {
    if (p.client !== undefined) {
      ctx.session.client = p.client;
      ctx.logger.info({ client: p.client }, 'app said hello');
    }
    return { server: SERVER_NAME, version: server.version, protocol: PROTOCOL_VERSION, maxFrameBytes: server.maxFrameBytes, session: ctx.session.id };
  });
}
