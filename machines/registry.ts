/**
 * Every state machine of the project, by the name the diagrams, the `machines` command and
 * the statechart page use. A new machine registers here with one line; DESIGN.md's diagrams
 * and the page then pick it up (`npm run docs:machines`).
 */
import type { AnyStateMachine } from 'xstate';
import { brokerMachine } from './cluster/broker-machine.js';
import { brokerSupervisorMachine, clusterMachine } from './cluster/cluster-machine.js';
import { connectionMachine } from './connection/connection-machine.js';
import { classicConsumerMachine } from './consumer/consumer-machine.js';
import { fetcherMachine } from './fetcher/fetcher-machine.js';
import { machineGraph } from './graph/from-machine.js';
import { producerMachine } from './producer/producer-machine.js';
import { transactionMachine } from './producer/transaction-machine.js';
import { consumerGroupMachine } from './group/consumer-group-machine.js';
import { groupMachine } from './group/group-machine.js';
import type { MachineGraph } from './graph/model.js';

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
