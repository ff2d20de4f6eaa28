import test from 'ava';
import { createActor, createMachine, setup } from 'xstate';
import { ConsumerCore } from '../../../../machines/consumer/consumer-core.js';
import { createConsumerMachine, type ConsumerInput } from '../../../../machines/consumer/consumer-machine.js';
import type { ClusterClient } from '../../../../machines/cluster/cluster-client.js';
import type { GroupOptions } from '../../../../machines/group/group-options.js';

/** A stand-in group machine: records what it was given and told; `group.stop` finishes it after committing. */
function fakeGroup(log: string[], inputs: GroupOptions[]) {
  return setup({ types: { input: {} as GroupOptions } }).createMachine({
    id: 'fakeGroup',
    context: ({ input }) => {
      inputs.push(input);
      return {};
    },
    initial: 'stable',
    states: {
      stable: {
        on: {
          'group.stop': {
            target: 'stopped',
            actions: () => {
              const options = inputs.at(-1)!;
              log.push(`commit ${JSON.stringify([...(options.committable?.() ?? [])].map((o) => `${o.partition}@${o.offset}`))}`);
              options.listener?.revoked?.([{ topic: 't', partition: 0 }]);
              log.push('left');
            },
          },
          fail: {
            actions: () => {
              throw new Error('group broke');
            },
          },
        },
      },
      stopped: { type: 'final' },
    },
  });
}

function input(core: ConsumerCore, stopTimeoutMs = 5000): ConsumerInput {
  return {
    core,
    group: { group: 'g', topics: ['t'], sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000, rebalanceTimeoutMs: 10_000, autoCommitIntervalMs: 0, autoOffsetReset: 'earliest', assignors: ['range'] },
    fetcher: {},
    // A cluster without leaders: the fetcher keeps asking for metadata and never fetches.
    cluster: () => ({ metadata: { leaderFor: () => undefined }, refreshMetadata: () => new Promise(() => undefined), noteError: () => false }) as unknown as ClusterClient,
    stopTimeoutMs,
  };
}

test('consumer.stop lets the group commit the acknowledged prefix and leave, then stops the fetcher and ends', async (t) => {
  const log: string[] = [];
  const inputs: GroupOptions[] = [];
  const machine = createConsumerMachine(fakeGroup(log, inputs));
  const core = new ConsumerCore({ group: 'g', ordering: 'none', tickMs: 1_000_000 });
  const actor = createActor(machine, { input: input(core) });
  actor.start();
  t.is(inputs.length, 1);
  t.deepEqual(inputs[0].topics, ['t']);
  t.is(inputs[0].group, 'g');
  const snapshot = actor.getSnapshot();
  t.truthy(snapshot.children.fetcher, 'the fetcher runs as a child');
  t.truthy(snapshot.children.group, 'the group runs as a child');
  // Partitions assigned through the group's listener reach the core (and the fetcher).
  inputs[0].listener?.assigned?.([{ topic: 't', partition: 0, offset: 3n, committed: true }]);
  t.deepEqual(core.assignedPartitions(), [{ topic: 't', partition: 0 }]);
  actor.send({ type: 'consumer.stop' });
  t.is(actor.getSnapshot().status, 'done');
  t.deepEqual(log, ['commit ["0@3"]', 'left']);
  t.deepEqual(core.assignedPartitions(), [], 'revoked by the group before it left');
});

test('a failing group fails the consumer (for its supervisor) and the core drops what it held', (t) => {
  const log: string[] = [];
  const inputs: GroupOptions[] = [];
  const core = new ConsumerCore({ group: 'g', ordering: 'none', tickMs: 1_000_000 });
  const actor = createActor(createConsumerMachine(fakeGroup(log, inputs)), { input: input(core) });
  const errors: unknown[] = [];
  actor.subscribe({ error: (e) => errors.push(e) });
  actor.start();
  inputs[0].listener?.assigned?.([{ topic: 't', partition: 0, offset: 0n, committed: false }]);
  const fetcher = actor.getSnapshot().children.fetcher as { getSnapshot(): { status: string } };
  (actor.getSnapshot().children.group as { send(e: { type: string }): void }).send({ type: 'fail' });
  t.is(actor.getSnapshot().status, 'error');
  t.regex(String((errors[0] as Error).message), /group broke/);
  t.deepEqual(core.assignedPartitions(), [], 'lost with the actor');
  t.is(fetcher.getSnapshot().status, 'stopped', 'no orphaned fetcher keeps fetching');
});

test('the consumer machine is a plain machine with a stable id (for the registry and the page)', (t) => {
  const machine = createConsumerMachine(createMachine({}));
  t.is(machine.id, 'consumer');
  t.deepEqual(Object.keys(machine.states).sort(), ['running', 'stopped', 'stopping']);
});
