/**
 * Every state machine of the daemon, by the name the diagrams, the `machines` command and
 * the statechart page use. A new machine registers here with one line; DESIGN.md's diagrams
 * and the page then pick it up (`npm run docs:machines`). It lives in daemon/, the layer that
 * sees both machines/ and the IPC layer's own machines (listeners, sessions).
 */
import type { AnyStateMachine } from 'xstate';
import { listenerMachine } from '../ipc/listener-machine.js';
import { sessionMachine } from '../ipc/session-machine.js';
import { brokerMachine } from '../machines/cluster/broker-machine.js';
import { brokerSupervisorMachine, clusterMachine } from '../machines/cluster/cluster-machine.js';
import { connectionMachine } from '../machines/connection/connection-machine.js';
import { classicConsumerMachine } from '../machines/consumer/consumer-machine.js';
import { fetcherMachine } from '../machines/fetcher/fetcher-machine.js';
import { machineGraph } from '../machines/graph/from-machine.js';
import { producerMachine } from '../machines/producer/producer-machine.js';
import { transactionMachine } from '../machines/producer/transaction-machine.js';
import { consumerGroupMachine } from '../machines/group/consumer-group-machine.js';
import { groupMachine } from '../machines/group/group-machine.js';
import type { MachineGraph } from '../machines/graph/model.js';

export interface RegisteredMachine {
  readonly name: string;
  /** One line for the docs: what the machine models. */
  readonly summary: string;
  readonly machine: AnyStateMachine;
}

export const machineRegistry: readonly RegisteredMachine[] = [
  { name: 'connection', summary: 'One broker connection: dial, negotiate API versions, authenticate, serve, back off.', machine: connectionMachine },
  { name: 'cluster', summary: 'Cluster metadata: bootstrap, periodic and on-demand refresh, one supervised broker actor per broker.', machine: clusterMachine },
  { name: 'broker', summary: 'One broker: a connection actor per lane (control, produce, fetch, group), opened on first use.', machine: brokerMachine },
  { name: 'producer', summary: 'The producer: producer id, ready to send, epoch bumps (KIP-360), flush on close, fatal.', machine: producerMachine },
  { name: 'transaction', summary: 'A transactional producer\'s transaction: begin, commit, abort, abortable error, fenced (fatal).', machine: transactionMachine },
  { name: 'fetcher', summary: 'Fetches assigned partitions from their leaders (one loop per broker) and hands records on; idle without partitions.', machine: fetcherMachine },
  { name: 'group', summary: 'One consumer group membership (classic protocol): coordinator, join, sync, heartbeats, assignment, commits.', machine: groupMachine },
  { name: 'consumerGroup', summary: 'One consumer group membership (KIP-848 consumer protocol): heartbeats carry subscription and owned partitions, the coordinator assigns.', machine: consumerGroupMachine },
  { name: 'consumer', summary: 'One consumer group in the daemon: runs its group actor and fetcher, joined to the apps by the ack tracker; commits and leaves at stop.', machine: classicConsumerMachine },
  { name: 'supervisor', summary: 'One-child supervisor: restart with backoff within a budget, else escalate.', machine: brokerSupervisorMachine },
  { name: 'listener', summary: 'One IPC listener (Unix socket or NATS): starting, listening, reconnecting while NATS is down, stopping; fails for its supervisor.', machine: listenerMachine },
  { name: 'session', summary: 'One connected app (a socket connection or a NATS deliver subject): open, draining its calls in flight, closed.', machine: sessionMachine },
];

export class UnknownMachineError extends Error {
  readonly code = 'UNKNOWN_MACHINE';
  readonly retriable = false;
  constructor(readonly machineName: string) {
    super(`unknown machine "${machineName}" (known: ${machineRegistry.map((m) => m.name).join(', ')})`);
    this.name = 'UnknownMachineError';
  }
}

export function findMachine(name: string): RegisteredMachine {
  const found = machineRegistry.find((m) => m.name === name);
  if (found === undefined) throw new UnknownMachineError(name);
  return found;
}

/** Graphs of all registered machines, or of the one named. */
export function registeredGraphs(name?: string): MachineGraph[] {
  const selected = name === undefined ? machineRegistry : [findMachine(name)];
  return selected.map((m) => machineGraph(m.machine, m.name));
}

/**
 * The registry name of a running actor's machine, found by its root id (`connection`,
 * `cluster`, ...), for the live page; undefined for logic that is not a registered machine.
 */
export function registeredNameOfMachineId(machineId: string): string | undefined {
  return machineRegistry.find((m) => m.machine.id === machineId)?.name;
}
