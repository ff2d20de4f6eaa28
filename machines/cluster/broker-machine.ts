/**
 * One broker of the cluster (system id `broker:<nodeId>`). It owns a connection actor per
 * lane, opened on first use, so that a long-polling Fetch or a JoinGroup waiting for a
 * rebalance never sits in front of a heartbeat or a produce on the same socket.
 *
 * It does not handle its connections' failures: a connection fails only on an unexpected
 * error, which then fails this actor too and reaches its supervisor (see cluster-machine.ts).
 */
import { assign, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import { connectionMachine, type ConnectionActor } from '../connection/connection-machine.js';
import { ConnectionClosedError } from '../connection/errors.js';
import type { ConnectionOptions } from '../connection/options.js';

export const Lane = { control: 'control', produce: 'produce', fetch: 'fetch', group: 'group' } as const;
export type Lane = (typeof Lane)[keyof typeof Lane];
export const lanes: readonly Lane[] = Object.values(Lane);

/** Connection settings shared by every broker; host and port come from the metadata. */
export type ConnectionTemplate = Omit<ConnectionOptions, 'host' | 'port'>;

export interface BrokerInput {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly connection: ConnectionTemplate;
}

export interface BrokerContext {
  readonly nodeId: number;
  host: string;
  port: number;
  readonly connection: ConnectionTemplate;
  lanes: Partial<Record<Lane, ConnectionActor>>;
}

export type BrokerEvent =
  | { type: 'lane.open'; lane: Lane }
  | { type: 'broker.moved'; host: string; port: number }
  | { type: 'broker.close' };

export function brokerSystemId(nodeId: number): string {
  return `broker:${nodeId}`;
}

export const brokerMachine = setup({
  types: {
    context: {} as BrokerContext,
    input: {} as BrokerInput,
    events: {} as BrokerEvent,
  },
  actors: { connection: connectionMachine },
}).createMachine({
  id: 'broker',
  context: ({ input }) => ({ nodeId: input.nodeId, host: input.host, port: input.port, connection: input.connection, lanes: {} }),
  initial: 'running',
  states: {
    running: {
      on: {
        'lane.open': {
          guard: ({ context, event }) => context.lanes[event.lane] === undefined,
          actions: assign({
            lanes: ({ context, event, spawn }) => ({
              ...context.lanes,
              [event.lane]: spawn('connection', {
                id: `lane:${event.lane}`,
                systemId: `${brokerSystemId(context.nodeId)}:${event.lane}`,
                input: { ...context.connection, host: context.host, port: context.port },
              }),
            }),
          }),
        },
        'broker.moved': {
          // Connections to the old address are dropped; lanes reopen lazily at the new one.
          actions: enqueueActions(({ context, event, enqueue }) => {
            for (const lane of Object.keys(context.lanes)) enqueue.stopChild(`lane:${lane}`);
            enqueue.assign({ host: event.host, port: event.port, lanes: {} });
          }),
        },
        'broker.close': { target: 'closed' },
      },
    },
    closed: {
      type: 'final',
      entry: enqueueActions(({ context, enqueue }) => {
        for (const lane of Object.keys(context.lanes)) enqueue.stopChild(`lane:${lane}`);
        enqueue.assign({ lanes: {} });
      }),
    },
  },
});

export type BrokerActor = ActorRefFrom<typeof brokerMachine>;

/** The connection of `lane`, opened now if it is the lane's first use. */
export function brokerLane(broker: BrokerActor, lane: Lane): ConnectionActor {
  const existing = broker.getSnapshot().context.lanes[lane];
  if (existing) return existing;
  broker.send({ type: 'lane.open', lane });
  const opened = broker.getSnapshot().context.lanes[lane];
  if (!opened) {
    throw new ConnectionClosedError(`broker ${broker.getSnapshot().context.nodeId} cannot open its ${lane} lane (the broker actor is ${broker.getSnapshot().status})`);
  }
  return opened;
}
