/**
 * The group machine for the `consumer.protocol` setting: classic (JoinGroup/SyncGroup,
 * client-side assignors) or consumer (KIP-848, Kafka 4.x, server-side assignment). Both take
 * the same GroupOptions and events and are read through group-client.ts.
 */
import { consumerGroupMachine } from './consumer-group-machine.js';
import { groupMachine } from './group-machine.js';

/** The values of config's `consumer.protocol`. */
export type GroupProtocol = 'classic' | 'consumer';

export function groupMachineFor(protocol: GroupProtocol): typeof groupMachine | typeof consumerGroupMachine {
  return protocol === 'consumer' ? consumerGroupMachine : groupMachine;
}

export { groupSystemId } from './group-machine.js';
