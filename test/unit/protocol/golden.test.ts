/**
 * Golden bytes: request and response frames captured between independent clients (kcat /
 * librdkafka and Apache Kafka's Java client) and real brokers (4.1.1, 3.9.1, 2.8.2), committed
 * under test/fixtures/golden by test/tools/capture-golden.ts.
 *
 * Every frame must decode with our decoders, consuming exactly its bytes, and re-encoding the
 * decoded value must give back the captured bytes exactly. Kafka's encoding is deterministic
 * for everything these clients and brokers send: fields in schema order, tagged fields in
 * ascending tag order (both sides sort them), varints in their shortest form. So there is no
 * semantic-only comparison here: a difference is a bug on our side (or a field our decoder
 * drops), and the failure names the first differing byte.
 */
import test from 'ava';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from '../../../protocol/frame.js';
import { apiByKey } from '../../../protocol/messages/registry.js';
import { GOLDEN_CAPTURE_NAMES, GOLDEN_KAFKA_VERSIONS, loadAllCaptures, type LoadedFrame } from './golden-fixtures.js';

const captures = loadAllCaptures();

function firstDifference(a: Buffer, b: Buffer): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      return `first difference at byte ${i}: captured ${a.subarray(i, i + 16).toString('hex')}, re-encoded ${b.subarray(i, i + 16).toString('hex')}`;
    }
  }
  return `lengths differ: captured ${a.length}, re-encoded ${b.length}`;
}

/** Decodes the frame and re-encodes it; returns the re-encoded frame without its size prefix. */
function roundTrip(frame: LoadedFrame): Buffer {
  const api = apiByKey.get(frame.apiKey);
  if (!api) throw new Error(`no API with key ${frame.apiKey}`);
  if (frame.direction === 'request') {
    const decoded = decodeRequestFrame(frame.bytes);
    if (decoded.api.key !== frame.apiKey || decoded.apiVersion !== frame.apiVersion || decoded.correlationId !== frame.correlationId) {
      throw new Error(`header read as ${decoded.api.name} v${decoded.apiVersion} #${decoded.correlationId}`);
    }
    return Buffer.concat(encodeRequestFrame(api, decoded.apiVersion, decoded.correlationId, decoded.clientId, decoded.body)).subarray(4);
  }
  const decoded = decodeResponseFrame(api, frame.apiVersion, frame.bytes);
  if (decoded.correlationId !== frame.correlationId) throw new Error(`correlation id read as ${decoded.correlationId}`);
  return Buffer.concat(encodeResponseFrame(api, frame.apiVersion, decoded.correlationId, decoded.body)).subarray(4);
}

test('every Kafka version and capture scenario is present', (t) => {
  t.is(captures.length, GOLDEN_KAFKA_VERSIONS.length * GOLDEN_CAPTURE_NAMES.length);
  for (const version of GOLDEN_KAFKA_VERSIONS) {
    const frames = captures.filter((c) => c.kafkaVersion === version).flatMap((c) => c.loadedFrames);
    // The APIs the scenarios must have exercised against every broker version, in both directions.
    for (const api of ['ApiVersions', 'Metadata', 'CreateTopics', 'Produce', 'Fetch', 'ListOffsets', 'FindCoordinator', 'JoinGroup', 'SyncGroup', 'OffsetFetch', 'OffsetCommit', 'LeaveGroup']) {
      for (const direction of ['request', 'response'] as const) {
        t.true(
          frames.some((f) => f.api === api && f.direction === direction),
          `${version}: no captured ${api} ${direction}`,
        );
      }
    }
  }
});

for (const capture of captures) {
  test(`${capture.kafkaVersion} ${capture.name} (${capture.clientVersion}): every frame decodes fully and re-encodes byte for byte`, (t) => {
    t.true(capture.loadedFrames.length > 0);
    for (const frame of capture.loadedFrames) {
      const what = `${frame.direction} ${frame.api} v${frame.apiVersion} #${frame.correlationId} (connection ${frame.connection})`;
      let reencoded: Buffer;
      try {
        reencoded = roundTrip(frame);
      } catch (err) {
        t.fail(`${what}: ${(err as Error).message}`);
        continue;
      }
      if (!reencoded.equals(frame.bytes)) t.fail(`${what}: ${firstDifference(frame.bytes, reencoded)}`);
      else t.pass();
    }
  });
}
