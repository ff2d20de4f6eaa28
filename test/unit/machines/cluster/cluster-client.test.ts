/** The cluster actor and its client end to end against in-process fake brokers. */
import test from 'ava';
import { createActor, type AnyActorRef } from 'xstate';
import { ClusterClient, CoordinatorKeyType, Lane } from '../../../../machines/cluster/cluster-client.js';
import { clusterMachine } from '../../../../machines/cluster/cluster-machine.js';
import { BrokerUnavailableError } from '../../../../machines/cluster/errors.js';
import { MetadataApi } from '../../../../protocol/messages/metadata.js';
import { allVersions, FakeBroker } from '../fake-broker.js';

function metadataFor(broker: FakeBroker) {
  return () => ({
    body: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 7, host: '127.0.0.1', port: broker.port, rack: null }],
      clusterId: 'fake',
      controllerId: 7,
      topics: [],
    },
  });
}

function startCluster(bootstrap: string[]) {
  const actor = createActor(clusterMachine, {
    systemId: 'cluster',
    input: {
      bootstrap,
      connection: { clientId: 'unit', connectTimeoutMs: 5000, requestTimeoutMs: 5000, maxInFlight: 4, backoff: { minMs: 50, maxMs: 200 } },
      metadataRefreshMs: 60_000,
      brokerRestarts: { maxRestarts: 3, windowMs: 10_000, backoff: { minMs: 50, maxMs: 50 } },
    },
  });
  actor.start();
  return { actor, client: new ClusterClient(actor) };
}

test('bootstraps past a dead address, opens one connection per lane on first use, and refreshes on demand', async (t) => {
  const dead = await new FakeBroker().listen();
  const deadPort = dead.port;
  await dead.close();
  const broker = new FakeBroker();
  await broker.listen();
  broker.on(3, metadataFor(broker));
  const { actor, client } = startCluster([`127.0.0.1:${deadPort}`, `127.0.0.1:${broker.port}`]);
  const metadata = await client.whenReady(10_000);
  t.deepEqual([...metadata.brokers.keys()], [7]);
  const afterBootstrap = broker.connections;
  await client.request(7, Lane.control, MetadataApi, { topics: null });
  await client.request(7, Lane.produce, MetadataApi, { topics: null });
  await client.request(7, Lane.produce, MetadataApi, { topics: null });
  t.is(broker.connections - afterBootstrap, 2, 'control and produce lanes, one connection each');
  t.truthy(actor.system.get('broker:7:produce'));
  t.is(actor.system.get('broker:7:fetch'), undefined, 'unused lanes stay closed');
  const refreshed = await client.refreshMetadata(10_000);
  t.true(refreshed.updatedAt >= metadata.updatedAt);
  t.throws(() => client.connection(99, Lane.control), { instanceOf: BrokerUnavailableError, message: /broker 99 is not available: not in the cluster metadata/ });
  actor.send({ type: 'cluster.stop' });
  await broker.close();
});

test('unreachable bootstrap servers: a clear error naming each, well within the connect timeout', async (t) => {
  const a = await new FakeBroker().listen();
  const b = await new FakeBroker().listen();
  const ports = [a.port, b.port];
  await a.close();
  await b.close();
  const { actor, client } = startCluster(ports.map((p) => `127.0.0.1:${p}`));
  const started = Date.now();
  const error = await t.throwsAsync(client.whenReady(5000), { code: 'BOOTSTRAP_FAILED' });
  t.true(Date.now() - started < 3000);
  for (const p of ports) t.regex(error?.message ?? '', new RegExp(`127.0.0.1:${p} \\(CONNECTION_REFUSED`));
  actor.stop();
});

test('FindCoordinator: one batched request from v4, one request per key before, answers cached', async (t) => {
  for (const batched of [true, false]) {
    const broker = new FakeBroker();
    await broker.listen();
    broker.on(3, metadataFor(broker));
    if (!batched) broker.on(18, () => ({ body: allVersions({ 10: { min: 0, max: 3 } }) }));
    broker.on(10, (req) => {
      const body = req.body as { key?: string; coordinatorKeys?: string[] };
      return req.version >= 4
        ? { body: { coordinators: (body.coordinatorKeys ?? []).map((key) => ({ key, nodeId: 7, host: '127.0.0.1', port: broker.port, errorCode: 0, errorMessage: null })) } }
        : { body: { errorCode: 0, errorMessage: null, nodeId: 7, host: '127.0.0.1', port: broker.port } };
    });
    const { actor, client } = startCluster([`127.0.0.1:${broker.port}`]);
    await client.whenReady(10_000);
    const answers = await client.findCoordinators(CoordinatorKeyType.group, ['g1', 'g2', 'g1'], 2000);
    t.deepEqual([...answers.keys()].sort(), ['g1', 'g2']);
    const requests = broker.received.filter((r) => r.api.key === 10);
    t.is(requests.length, batched ? 1 : 2, batched ? 'batched' : 'per key');
    t.is((await client.findCoordinator(CoordinatorKeyType.group, 'g1', 1000)).nodeId, 7);
    t.is(broker.received.filter((r) => r.api.key === 10).length, requests.length, 'served from the cache');
    client.coordinatorMoved(CoordinatorKeyType.group, 'g1');
    await client.findCoordinator(CoordinatorKeyType.group, 'g1', 1000);
    t.is(broker.received.filter((r) => r.api.key === 10).length, requests.length + 1);
    actor.send({ type: 'cluster.stop' });
    await broker.close();
  }
});

test('a coordinator that is not available yet is asked again until it is', async (t) => {
  const broker = new FakeBroker();
  await broker.listen();
  broker.on(3, metadataFor(broker));
  let calls = 0;
  broker.on(10, (req) => {
    const key = (req.body as { coordinatorKeys: string[] }).coordinatorKeys[0];
    const errorCode = ++calls < 3 ? 15 : 0;
    return { body: { coordinators: [{ key, nodeId: 7, host: '127.0.0.1', port: broker.port, errorCode, errorMessage: null }] } };
  });
  const { actor, client } = startCluster([`127.0.0.1:${broker.port}`]);
  await client.whenReady(10_000);
  t.is((await client.findCoordinator(CoordinatorKeyType.group, 'g', 3000)).nodeId, 7);
  t.is(calls, 3);
  actor.send({ type: 'cluster.stop' });
  await broker.close();
});

test('a broker that moves: its lanes close and reopen at the new address', async (t) => {
  const first = new FakeBroker();
  await first.listen();
  const second = new FakeBroker();
  await second.listen();
  let target = first;
  first.on(3, () => metadataFor(target)());
  second.on(3, () => metadataFor(target)());
  const { actor, client } = startCluster([`127.0.0.1:${first.port}`]);
  await client.whenReady(10_000);
  await client.request(7, Lane.group, MetadataApi, { topics: null });
  target = second;
  await client.refreshMetadata(10_000);
  const broker = actor.system.get('broker:7') as AnyActorRef;
  t.is(broker.getSnapshot().context.port, second.port);
  const before = second.connections;
  await client.request(7, Lane.group, MetadataApi, { topics: null });
  t.is(second.connections, before + 1);
  actor.send({ type: 'cluster.stop' });
  await first.close();
  await second.close();
});
