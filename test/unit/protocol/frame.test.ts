import test from 'ava';
import fc from 'fast-check';
import {
  FrameSplitter,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  readCorrelationId,
} from '../../../protocol/frame.js';
import type { ApiDescriptor } from '../../../protocol/api.js';
import { ApiVersionsApi, ControlledShutdownApi, MetadataApi, apiByKey } from '../../../protocol/messages/index.js';
import { FrameTooLargeError, ProtocolDecodeError, UnsupportedVersionError } from '../../../protocol/primitives/errors.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const one = (pieces: Buffer[]): Buffer => Buffer.concat(pieces);

test('request header version follows the API version: v0, v1 and flexible v2', (t) => {
  // ControlledShutdown v0 is the one request with header v0: no client id at all.
  const v0 = one(encodeRequestFrame(ControlledShutdownApi, 0, 3, 'ignored', { brokerId: 1 }));
  t.deepEqual(v0, hex('00 00 00 0c  00 07 00 00  00 00 00 03  00 00 00 01'));
  const v1 = one(encodeRequestFrame(MetadataApi, 4, 3, 'c', { topics: null, allowAutoTopicCreation: false }));
  t.deepEqual(v1, hex('00 00 00 10  00 03 00 04  00 00 00 03  00 01 63  ff ff ff ff  00'));
  const v2 = one(encodeRequestFrame(MetadataApi, 12, 3, null, { topics: null, includeTopicAuthorizedOperations: true }));
  t.deepEqual(v2, hex('00 00 00 0f  00 03 00 0c  00 00 00 03  ff ff  00  00 01 01 00'));
});

test('request frames decode back as a broker reads them', (t) => {
  const check = <Req extends object>(api: ApiDescriptor<Req, unknown>, version: number, body: Req): void => {
    const frame = one(encodeRequestFrame(api, version, 77, 'me', body));
    t.is(frame.readInt32BE(0), frame.length - 4);
    const decoded = decodeRequestFrame(frame.subarray(4));
    t.is(decoded.api, api as ApiDescriptor);
    t.is(decoded.apiVersion, version);
    t.is(decoded.correlationId, 77);
    t.is(decoded.clientId, 'me');
    t.like(decoded.body as object, body);
  };
  check(ApiVersionsApi, 3, { clientSoftwareName: 'kafka-sidecar', clientSoftwareVersion: '0.1.0' });
  check(MetadataApi, 1, { topics: [{ name: 'orders' }] });
});

test('response header: v1 with tagged fields in flexible versions, but always v0 for ApiVersions', (t) => {
  const apiVersions = one(encodeResponseFrame(ApiVersionsApi, 3, 5, { errorCode: 0, apiKeys: [] }));
  // size, correlation id, then straight into the body: no header tagged-field byte.
  t.deepEqual(apiVersions, hex('00 00 00 0c  00 00 00 05  00 00  01  00 00 00 00  00'));
  const metadata = one(
    encodeResponseFrame(MetadataApi, 9, 6, { brokers: [], clusterId: null, controllerId: 1, topics: [] }),
  );
  t.deepEqual(metadata.subarray(0, 9), hex('00 00 00 15  00 00 00 06  00'));
  const decoded = decodeResponseFrame(MetadataApi, 9, metadata.subarray(4));
  t.is(decoded.correlationId, 6);
  t.is(decoded.body.controllerId, 1);
  t.is(readCorrelationId(metadata.subarray(4)), 6);
  const byKey = decodeResponseFrame(18, 3, apiVersions.subarray(4));
  t.deepEqual((byKey.body as { apiKeys: unknown[] }).apiKeys, []);
});

test('bad frames and versions get typed errors', (t) => {
  const frame = hex('00 00 00 05  00 00  00 00 00 00  ff');
  t.throws(() => decodeResponseFrame(ApiVersionsApi, 0, frame), { instanceOf: ProtocolDecodeError, message: /1 trailing bytes/ });
  t.throws(() => decodeResponseFrame(9999, 0, frame), { instanceOf: UnsupportedVersionError });
  t.throws(() => decodeResponseFrame(ApiVersionsApi, 5, frame), { instanceOf: UnsupportedVersionError });
  t.throws(() => encodeRequestFrame(ApiVersionsApi, -1, 1, null, {}), { instanceOf: UnsupportedVersionError });
  t.throws(() => readCorrelationId(hex('00 01')), { instanceOf: ProtocolDecodeError });
  t.throws(() => decodeRequestFrame(hex('00 12 00 63 00 00 00 01')), { instanceOf: UnsupportedVersionError });
});

test('every API descriptor has header versions for each of its versions', (t) => {
  for (const api of apiByKey.values()) {
    t.is(api.requestHeaderVersions.length, api.maxVersion + 1, api.name);
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      const flexible = api.flexibleMinVersion !== null && v >= api.flexibleMinVersion;
      t.is(api.requestHeaderVersions[v], flexible ? 2 : api.key === 7 && v === 0 ? 0 : 1, `${api.name} v${v}`);
      t.is(api.responseHeaderVersions[v], flexible && api.key !== 18 ? 1 : 0, `${api.name} v${v}`);
    }
  }
});

test('FrameSplitter returns the same frames however the stream is cut', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 }),
      (frames, cuts) => {
        const stream = Buffer.concat(
          frames.flatMap((f) => {
            const size = Buffer.alloc(4);
            size.writeInt32BE(f.length);
            return [size, Buffer.from(f)];
          }),
        );
        const splitter = new FrameSplitter(1000);
        const out: Buffer[] = [];
        let off = 0;
        for (let i = 0; off < stream.length; i++) {
          const n = cuts[i % cuts.length];
          out.push(...splitter.push(stream.subarray(off, off + n)));
          off += n;
        }
        t.is(splitter.bufferedBytes, 0);
        t.deepEqual(out.map((b) => Buffer.from(b)), frames.map((f) => Buffer.from(f)));
      },
    ),
    { numRuns: 300 },
  );
});

test('FrameSplitter hands out frames inside one chunk without copying', (t) => {
  const chunk = hex('00 00 00 02 aa bb 00 00 00 01 cc 00 00');
  const splitter = new FrameSplitter(10);
  const frames = splitter.push(chunk);
  t.is(frames.length, 2);
  t.is(frames[0].buffer, chunk.buffer);
  t.is(splitter.bufferedBytes, 2);
  t.deepEqual(splitter.push(hex('00 01 dd')), [hex('dd')]);
});

test('FrameSplitter refuses a frame above the maximum before buffering it', (t) => {
  const splitter = new FrameSplitter(1024);
  const err = t.throws(() => splitter.push(hex('00 10 00 00 01 02')), { instanceOf: FrameTooLargeError });
  t.is(err?.code, 'KAFKA_FRAME_TOO_LARGE');
  t.is((err as FrameTooLargeError).size, 0x100000);
  // The size prefix itself split over two chunks.
  const split = new FrameSplitter(1024);
  t.deepEqual(split.push(hex('00 10')), []);
  t.throws(() => split.push(hex('00 00')), { instanceOf: FrameTooLargeError });
  t.throws(() => new FrameSplitter(10).push(hex('ff ff ff ff')), { instanceOf: FrameTooLargeError, message: /negative/ });
});
