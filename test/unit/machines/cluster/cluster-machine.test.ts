/**
 * States and transitions of the cluster machine with bootstrap and refresh replaced by promises
 * the test settles, under a SimulatedClock. Broker actors are real but open no connection
 * until a lane is used.
 */
import test from 'ava';
import { createActor, fromCallback, fromPromise, SimulatedClock, type AnyActorRef } from 'xstate';
import { brokerMachine } from '../../../../machines/cluster/broker-machine.js';
import { createSupervisorMachine } from '../../../../machines/supervision/supervisor-machine.js';
import { brokerSupervisorId, clusterMachine, type ClusterOptions } from '../../../../machines/cluster/cluster-machine.js';
import { BootstrapError } from '../../../../machines/cluster/errors.js';
import { ConnectionRefusedError } from '../../../../machines/connection/errors.js';
import type { RefreshInput } from '../../../../machines/cluster/metadata-fetch.js';
import type { MetadataResponse } from '../../../../protocol/messages/metadata.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function metadata(brokers: Array<[number, number]>, leader = 1): MetadataResponse {
  return {
    brokers: brokers.map(([nodeId, port]) => ({ nodeId, host: '127.0.0.1', port, rack: null })),
    clusterId: 'c',
    controllerId: brokers[0]?.[0] ?? -1,
    topics: [{ errorCode: 0, name: 't', partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: leader, leaderEpoch: leader, replicaNodes: [], isrNodes: [] }] }],
  };
}

/** Broker actors whose lanes fail on their first event, as a connection with a bug would. */
const brokerWithBuggyLanes = brokerMachine.provide({
  actors: {
    connection: fromCallback(({ receive }) => {
      receive(() => {
        throw new TypeError('bug in a connection');
      });
    }) as never,
  },
});

function start(overrides: Partial<ClusterOptions> = {}) {
  const bootstraps: Array<{ resolve(r: MetadataResponse): void; reject(e: unknown): void }> = [];
  const refreshes: Array<{ input: RefreshInput; resolve(r: MetadataResponse): void; reject(e: unknown): void }> = [];
  const machine = clusterMachine.provide({
    actors: {
      bootstrap: fromPromise<MetadataResponse, ClusterOptions>(() => new Promise((resolve, reject) => bootstraps.push({ resolve, reject }))),
      refresh: fromPromise<MetadataResponse, RefreshInput>(({ input }) => new Promise((resolve, reject) => refreshes.push({ input, resolve, reject }))),
      brokerSupervisor: createSupervisorMachine(brokerWithBuggyLanes),
    },
  });
  const clock = new SimulatedClock();
  const errors: unknown[] = [];
  const actor = createActor(machine, {
    clock,
    systemId: 'cluster',
    input: {
      bootstrap: ['127.0.0.1:9092'],
      connection: { clientId: 't', connectTimeoutMs: 100, requestTimeoutMs: 100, maxInFlight: 1, backoff: { minMs: 100, maxMs: 1000, jitter: 0 } },
      metadataRefreshMs: 60_000,
      minRefreshIntervalMs: 500,
      brokerRestarts: { maxRestarts: 1, windowMs: 10_000, backoff: { minMs: 50, maxMs: 50, jitter: 0 } },
      now: () => clock.now(),
      ...overrides,
    },
  });
  actor.subscribe({ error: (e) => errors.push(e) });
  actor.start();
  const children = (): string[] => Object.keys(actor.getSnapshot().children).sort();
  return { actor, clock, errors, bootstraps, refreshes, children, state: () => actor.getSnapshot().value };
}

test('bootstrap -> ready with the metadata, and one supervised broker actor per broker', async (t) => {
  const c = start();
  t.is(c.state(), 'bootstrapping');
  c.bootstraps[0].resolve(metadata([[1, 9001], [2, 9002]]));
  await flush();
  t.deepEqual(c.state(), { ready: 'cooling' });
  t.deepEqual([...c.actor.getSnapshot().context.metadata.brokers.keys()], [1, 2]);
  t.deepEqual(c.children(), [brokerSupervisorId(1), brokerSupervisorId(2)]);
  const broker = c.actor.system.get('broker:1') as AnyActorRef;
  t.is(broker.getSnapshot().context.port, 9001);
});

test('a failed bootstrap backs off and tries again, keeping the error', async (t) => {
  const c = start();
  c.bootstraps[0].reject(new BootstrapError([{ broker: '127.0.0.1:9092', error: new ConnectionRefusedError('refused', '127.0.0.1:9092') }]));
  await flush();
  t.is(c.state(), 'bootstrapBackoff');
  t.regex(c.actor.getSnapshot().context.lastError?.message ?? '', /no bootstrap broker reachable: 127.0.0.1:9092/);
  c.clock.increment(100);
  t.is(c.state(), 'bootstrapping');
  t.is(c.bootstraps.length, 2);
  c.bootstraps[1].reject(new BootstrapError([{ broker: '127.0.0.1:9092', error: new ConnectionRefusedError('again', '127.0.0.1:9092') }]));
  await flush();
  t.is(c.actor.getSnapshot().context.backoffMs, 200);
});

test('a bootstrap that fails unexpectedly (a broken token command, a bug) fails the cluster for its supervisor', async (t) => {
  const c = start();
  const broken = new Error('kafka.sasl.tokenCommand failed: exit code 1');
  c.bootstraps[0].reject(new BootstrapError([{ broker: '127.0.0.1:9092', error: broken }]));
  await flush();
  t.is(c.actor.getSnapshot().status, 'error');
  t.is(c.errors.length, 1);
  t.regex((c.errors[0] as Error).message, /no bootstrap broker reachable: 127\.0\.0\.1:9092 \(Error: kafka\.sasl\.tokenCommand failed/);
  t.is(c.bootstraps.length, 1, 'no retry: the supervisor restarts the cluster instead');
});

test('refreshes run periodically; requests for a refresh while cooling down are merged into one', async (t) => {
  const c = start();
  c.bootstraps[0].resolve(metadata([[1, 9001]]));
  await flush();
  c.actor.send({ type: 'metadata.refresh' });
  c.actor.send({ type: 'metadata.refresh' });
  t.deepEqual(c.state(), { ready: 'cooling' });
  c.clock.increment(500);
  t.deepEqual(c.state(), { ready: 'refreshing' });
  t.is(c.refreshes.length, 1);
  c.refreshes[0].resolve(metadata([[1, 9001]]));
  await flush();
  c.clock.increment(500);
  t.deepEqual(c.state(), { ready: 'idle' });
  c.clock.increment(59_999);
  t.deepEqual(c.state(), { ready: 'idle' });
  c.clock.increment(1);
  t.deepEqual(c.state(), { ready: 'refreshing' }, 'periodic refresh');
  c.refreshes[1].resolve(metadata([[1, 9001]]));
  await flush();
  c.clock.increment(500);
  c.actor.send({ type: 'metadata.refresh' });
  t.deepEqual(c.state(), { ready: 'refreshing' }, 'an idle cluster refreshes at once');
});

test('a failed refresh retries with backoff; the old metadata keeps serving meanwhile', async (t) => {
  const c = start();
  c.bootstraps[0].resolve(metadata([[1, 9001]]));
  await flush();
  c.clock.increment(500);
  c.actor.send({ type: 'metadata.refresh' });
  c.refreshes[0].reject(new Error('all brokers down'));
  await flush();
  t.deepEqual(c.state(), { ready: 'retrying' });
  t.is(c.actor.getSnapshot().context.metadata.brokers.size, 1);
  c.clock.increment(100);
  t.deepEqual(c.state(), { ready: 'refreshing' });
  c.refreshes[1].resolve(metadata([[1, 9001]]));
  await flush();
  t.is(c.actor.getSnapshot().context.lastError, null);
});

test('brokers that join get an actor, brokers that leave lose theirs, moved brokers are told their new address', async (t) => {
  const c = start();
  c.bootstraps[0].resolve(metadata([[1, 9001], [2, 9002]]));
  await flush();
  c.clock.increment(500);
  c.actor.send({ type: 'metadata.refresh' });
  c.refreshes[0].resolve(metadata([[2, 9999], [3, 9003]], 3));
  await flush();
  t.deepEqual(c.children(), [brokerSupervisorId(2), brokerSupervisorId(3)]);
  t.is(c.actor.system.get('broker:1'), undefined);
  t.is((c.actor.system.get('broker:2') as AnyActorRef).getSnapshot().context.port, 9999);
  t.is(c.actor.getSnapshot().context.metadata.leaderFor('t', 0), 3);
});

test('a failing broker actor is restarted while the cluster keeps serving; too many failures escalate to the cluster', async (t) => {
  const c = start();
  c.bootstraps[0].resolve(metadata([[1, 9001], [2, 9002]]));
  await flush();
  const supervisor = c.actor.system.get(brokerSupervisorId(1)) as AnyActorRef;
  const fail = (): void => {
    const broker = c.actor.system.get('broker:1') as AnyActorRef;
    broker.send({ type: 'lane.open', lane: 'control' });
    (c.actor.system.get('broker:1:control') as AnyActorRef).send({ type: 'anything' });
  };
  fail();
  t.is(supervisor.getSnapshot().value, 'restarting');
  t.is(c.actor.getSnapshot().status, 'active');
  t.truthy(c.actor.system.get('broker:2'), 'other brokers keep running');
  c.clock.increment(50);
  t.is(supervisor.getSnapshot().value, 'running');
  t.truthy(c.actor.system.get('broker:1'));
  fail();
  t.is(c.actor.getSnapshot().status, 'error', 'the supervisor gave up and the cluster fails for the daemon to handle');
  t.is((c.errors[0] as { code?: string }).code, 'SUPERVISION_ESCALATED');
});

test('cluster.stop stops every broker actor', async (t) => {
  const c = start();
  c.bootstraps[0].resolve(metadata([[1, 9001]]));
  await flush();
  c.actor.send({ type: 'cluster.stop' });
  t.is(c.actor.getSnapshot().status, 'done');
  t.is(c.actor.system.get('broker:1'), undefined);
});

test('a bootstrap list with a bad address is refused at start', (t) => {
  const actor = createActor(clusterMachine, {
    input: {
      bootstrap: ['no-port'],
      connection: { clientId: 't', connectTimeoutMs: 1, requestTimeoutMs: 1, maxInFlight: 1, backoff: { minMs: 1, maxMs: 1 } },
      metadataRefreshMs: 1,
      brokerRestarts: { maxRestarts: 1, windowMs: 1, backoff: { minMs: 1, maxMs: 1 } },
    },
  });
  const errors: Error[] = [];
  actor.subscribe({ error: (e) => errors.push(e as Error) });
  actor.start();
  t.is((errors[0] as unknown as { code: string }).code, 'INVALID_BROKER_ADDRESS');
  t.regex(errors[0].message, /invalid broker address "no-port": expected host:port/);
});
