import net from 'node:net';
import test from 'ava';
import { cleanSoftwareField, negotiateVersions } from '../../../../machines/connection/negotiate.js';
import { RequestPipeline } from '../../../../machines/connection/pipeline.js';
import { ApiVersionTable, clientRange } from '../../../../machines/connection/versions.js';
import { UnsupportedApiVersionError } from '../../../../machines/connection/errors.js';
import { ApiVersionsApi } from '../../../../protocol/messages/api-versions.js';
import { FindCoordinatorApi } from '../../../../protocol/messages/find-coordinator.js';
import { MetadataApi } from '../../../../protocol/messages/metadata.js';
import { allApis } from '../../../../protocol/messages/registry.js';
import { allVersions, FakeBroker } from '../fake-broker.js';

async function pipelineTo(broker: FakeBroker): Promise<RequestPipeline> {
  const socket = net.connect(broker.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  return new RequestPipeline(socket, { broker: 'fake', clientId: 'unit', maxInFlight: 4, maxFrameBytes: 1 << 20, requestTimeoutMs: 2000 });
}

const options = { timeoutMs: 2000, softwareName: 'kafka-sidecar', softwareVersion: '0.1.0' };

test('asks with our newest ApiVersions version and sends the software name and version', async (t) => {
  const broker = await new FakeBroker().listen();
  const p = await pipelineTo(broker);
  const table = await negotiateVersions(p, options);
  t.is(broker.received[0].version, clientRange(ApiVersionsApi).max);
  t.like(broker.received[0].body, { clientSoftwareName: 'kafka-sidecar', clientSoftwareVersion: '0.1.0' });
  t.is(table.pick(MetadataApi), clientRange(MetadataApi).max);
  p.close();
  await broker.close();
});

test('a broker that refuses our version (UNSUPPORTED_VERSION in the v0 layout) is asked again at its highest', async (t) => {
  const broker = await new FakeBroker()
    .on(18, (req) =>
      req.version > 3
        ? { version: 0, body: { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] } }
        : { body: allVersions({ 18: { min: 0, max: 3 }, 3: { min: 0, max: 9 } }) },
    )
    .listen();
  const p = await pipelineTo(broker);
  const table = await negotiateVersions(p, options);
  t.deepEqual(broker.received.map((r) => r.version), [4, 3]);
  t.is(table.pick(MetadataApi), 9);
  p.close();
  await broker.close();
});

test('a broker with no ApiVersions version in common is refused with both ranges', async (t) => {
  const broker = await new FakeBroker()
    .on(18, () => ({ version: 0, body: { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 7, maxVersion: 9 }] } }))
    .listen();
  const p = await pipelineTo(broker);
  const error = await t.throwsAsync(negotiateVersions(p, options), { instanceOf: UnsupportedApiVersionError });
  t.regex(error?.message ?? '', /no common version of ApiVersions: this client implements 0-4, the broker 7-9/);
  p.close();
  await broker.close();
});

test('version picking: highest common, caller-narrowed, and errors naming the API and both ranges', (t) => {
  const table = new ApiVersionTable(
    [
      { apiKey: 3, minVersion: 0, maxVersion: 7 },
      { apiKey: 10, minVersion: 0, maxVersion: 3 },
    ],
    'b:1',
  );
  t.is(table.pick(MetadataApi), 7);
  t.is(table.pick(MetadataApi, { max: 5 }), 5);
  t.true(table.supports(FindCoordinatorApi));
  t.false(table.supports(FindCoordinatorApi, { min: 4 }));
  const narrowed = t.throws(() => table.pick(FindCoordinatorApi, { min: 4 }), { instanceOf: UnsupportedApiVersionError });
  t.is(narrowed?.message, 'b:1: no common version of FindCoordinator: this client implements 4-6, the broker 0-3');
  t.is(narrowed?.code, 'UNSUPPORTED_VERSION');
  const missing = t.throws(() => table.pick(ApiVersionsApi));
  t.regex(missing?.message ?? '', /the broker does not support ApiVersions \(this client implements versions 0-4\)/);
});

test('the table lists every API we implement with the broker range and the version to use', (t) => {
  const entries = new ApiVersionTable([{ apiKey: 3, minVersion: 1, maxVersion: 99 }]).entries();
  t.is(entries.length, allApis.length);
  const metadata = entries.find((e) => e.api.key === 3);
  t.deepEqual(metadata?.broker, { min: 1, max: 99 });
  t.is(metadata?.version, clientRange(MetadataApi).max);
  t.is(entries.find((e) => e.api.key === 0)?.version, null);
});

test('an unstable newest version is never used', (t) => {
  const unstable = allApis.find((a) => a.latestVersionUnstable);
  if (!unstable) return t.pass('no API has an unstable version in these definitions');
  t.is(clientRange(unstable).max, unstable.maxVersion - 1);
  return undefined;
});

test('software names are cleaned to the characters KIP-511 allows', (t) => {
  t.is(cleanSoftwareField('kafka sidecar/1'), 'kafka-sidecar-1');
  t.is(cleanSoftwareField('--'), 'unknown');
  t.is(cleanSoftwareField('v1.2.3-rc.1'), 'v1.2.3-rc.1');
});
