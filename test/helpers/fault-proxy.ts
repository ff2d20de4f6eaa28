/**
 * A TCP proxy that breaks connections on purpose, for tests of retries and idempotence: it
 * forwards bytes both ways and, once a connection has carried `dropAfterBytes` from the client,
 * forwards that chunk (so the broker gets the request) and then cuts both sides after
 * `dropDelayMs`, before or after the broker's answer could come back. The client never knows
 * whether its requests were written: exactly the case idempotence exists for.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface FaultProxyOptions {
  readonly upstreamHost: string;
  readonly upstreamPort: number;
  /** Client bytes a connection carries before it is cut; Infinity never cuts. */
  dropAfterBytes: number;
  /** Time between forwarding the last chunk and cutting, in ms (random in [0, dropDelayMs]). */
  readonly dropDelayMs?: number;
  readonly random?: () => number;
}

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  /** Connections cut so far. */
  readonly drops: number;
  /** Stops cutting connections (the rest of a test runs clean). */
  heal(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = options.random ?? Math.random;
  const sockets = new Set<Socket>();
  let drops = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(options.upstreamPort, options.upstreamHost);
    sockets.add(client);
    sockets.add(upstream);
    let carried = 0;
    let cutting = false;
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (cutting) return;
      upstream.write(chunk);
      carried += chunk.length;
      if (carried >= options.dropAfterBytes) {
        cutting = true;
        drops++;
        setTimeout(cut, Math.floor(random() * ((options.dropDelayMs ?? 5) + 1)));
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    host: '127.0.0.1',
    port: address.port,
    get drops() {
      return drops;
    },
    heal: () => {
      options.dropAfterBytes = Infinity;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
