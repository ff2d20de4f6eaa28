// Byte layouts written by hand from the protocol guide (kafka.apache.org/protocol), not produced by
// our encoder: the generated codecs must produce and accept exactly these bytes.
import test from 'ava';
import {
  ApiVersionsApi,
  MetadataApi,
  ProduceApi,
  decodeApiVersionsResponse,
  decodeDescribeTopicPartitionsRequest,
  decodeMetadataRequest,
  decodeRequestHeader,
  encodeDescribeTopicPartitionsRequest,
  encodeMetadataRequest,
  encodeRequestHeader,
} from '../../../../protocol/messages/index.js';
import { decodeResponseFrame, encodeRequestFrame } from '../../../../protocol/frame.js';
import { Reader } from '../../../../protocol/primitives/reader.js';
import { Writer } from '../../../../protocol/primitives/writer.js';

/** Hex with spaces and comments allowed: "00 12 # api key". */
function hex(s: string): Buffer {
  return Buffer.from(s.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
}

function encoded(f: (w: Writer) => void): Buffer {
  const w = new Writer(4);
  f(w);
  return w.finish();
}

test('ApiVersions v3 request frame: request header v2, compact strings, empty tagged sections', (t) => {
  const frame = Buffer.concat(
    encodeRequestFrame(ApiVersionsApi, 3, 1, 'abc', { clientSoftwareName: 'ks', clientSoftwareVersion: '1.0' }),
  );
  const expected = hex(`
    00 00 00 16        # size 22
    00 12              # api key 18
    00 03              # api version 3
    00 00 00 01        # correlation id
    00 03 61 62 63     # client id: classic int16-length string even in header v2
    00                 # header tagged fields: none
    03 6b 73           # ClientSoftwareName: compact length 2+1, "ks"
    04 31 2e 30        # ClientSoftwareVersion: "1.0"
    00                 # body tagged fields: none
  `);
  t.deepEqual(frame, expected);
});

test('ApiVersions v0 response frame decodes with response header v0', (t) => {
  const frame = hex(`
    00 00 00 07        # correlation id
    00 00              # error code
    00 00 00 02        # api keys: int32 count 2
    00 00 00 00 00 09  # Produce 0-9
    00 12 00 00 00 03  # ApiVersions 0-3
  `);
  const { correlationId, body } = decodeResponseFrame(ApiVersionsApi, 0, frame);
  t.is(correlationId, 7);
  t.deepEqual(body.apiKeys, [
    { apiKey: 0, minVersion: 0, maxVersion: 9 },
    { apiKey: 18, minVersion: 0, maxVersion: 3 },
  ]);
  t.is(body.throttleTimeMs, 0);
});

test('ApiVersions v3 response: header stays v0, known tagged field read, unknown tag skipped', (t) => {
  const frame = hex(`
    00 00 00 09                # correlation id, no header tagged fields (header v0)
    00 00                      # error code
    02                         # api keys: compact count 1+1
    00 12 00 00 00 04 00       # ApiVersions 0-4, element tagged fields: none
    00 00 00 0a                # throttle time 10
    02                         # two tagged fields
    01 08 00 00 00 00 00 00 00 05  # tag 1 FinalizedFeaturesEpoch, size 8, value 5
    09 02 ff ff                # tag 9 (unknown), size 2: skipped
  `);
  const { correlationId, body } = decodeResponseFrame(ApiVersionsApi, 3, frame);
  t.is(correlationId, 9);
  t.deepEqual(body.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
  t.is(body.throttleTimeMs, 10);
  t.is(body.finalizedFeaturesEpoch, 5n);
  t.deepEqual(body.supportedFeatures, []);
  t.is(body.zkMigrationReady, false);
});

test('a known tagged field whose size does not match its content is rejected', (t) => {
  const body = hex(`00 00  01  00 00 00 00  01  01 04 00 00 00 00 00 00 00 05`);
  const err = t.throws(() => decodeApiVersionsResponse(new Reader(body), 3));
  t.is(err?.name, 'ProtocolDecodeError');
});

test('Metadata v1 request: classic array of classic strings, and null for all topics', (t) => {
  const frame = Buffer.concat(encodeRequestFrame(MetadataApi, 1, 2, null, { topics: [{ name: 't' }] }));
  t.deepEqual(
    frame,
    hex(`
      00 00 00 11    # size 17
      00 03 00 01    # Metadata v1
      00 00 00 02    # correlation id
      ff ff          # client id null
      00 00 00 01    # topics: count 1
      00 01 74       # name "t"
    `),
  );
  t.deepEqual(encoded((w) => encodeMetadataRequest(w, 1, { topics: null })), hex('ff ff ff ff'));
  t.deepEqual(decodeMetadataRequest(new Reader(hex('ff ff ff ff')), 1).topics, null);
  // v0 cannot say "all topics" with null: an empty array meant that.
  t.throws(() => encodeMetadataRequest(new Writer(), 0, { topics: null }), { name: 'ProtocolEncodeError' });
});

test('Metadata v9 request: compact array, compact string, per-struct tagged sections', (t) => {
  const bytes = hex(`
    02              # topics: compact count 1+1
    03 61 62 00     # name "ab", topic tagged fields: none
    01              # allow auto topic creation
    00              # include cluster authorized operations
    01              # include topic authorized operations
    00              # tagged fields: none
  `);
  const value = {
    topics: [{ name: 'ab' }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: true,
  };
  t.deepEqual(encoded((w) => encodeMetadataRequest(w, 9, value)), bytes);
  t.deepEqual(decodeMetadataRequest(new Reader(bytes), 9), {
    ...value,
    topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'ab' }],
  });
});

test('request header v2 skips tagged fields it does not know', (t) => {
  const bytes = hex(`00 03 00 0c 00 00 00 05 00 02 69 64 01 05 03 aa bb cc`);
  const r = new Reader(bytes);
  t.deepEqual(decodeRequestHeader(r, 2), { requestApiKey: 3, requestApiVersion: 12, correlationId: 5, clientId: 'id' });
  t.is(r.remaining(), 0);
  const w = new Writer();
  encodeRequestHeader(w, 2, { requestApiKey: 3, requestApiVersion: 12, correlationId: 5, clientId: 'id' });
  t.deepEqual(w.finish(), hex(`00 03 00 0c 00 00 00 05 00 02 69 64 00`));
});

test('nullable struct field: -1 for null, 1 then the struct otherwise', (t) => {
  const withCursor = hex(`
    02 02 74 00          # topics: one, name "t", no tags
    00 00 07 d0          # response partition limit 2000
    01                   # cursor present
    02 74 00 00 00 03 00 # cursor: topic "t", partition 3, no tags
    00
  `);
  const value = { topics: [{ name: 't' }], responsePartitionLimit: 2000, cursor: { topicName: 't', partitionIndex: 3 } };
  t.deepEqual(encoded((w) => encodeDescribeTopicPartitionsRequest(w, 0, value)), withCursor);
  t.deepEqual(decodeDescribeTopicPartitionsRequest(new Reader(withCursor), 0), value);
  const nullCursor = hex(`01 00 00 07 d0 ff 00`);
  t.deepEqual(decodeDescribeTopicPartitionsRequest(new Reader(nullCursor), 0), {
    topics: [],
    responsePartitionLimit: 2000,
    cursor: null,
  });
});

test('Produce v3 request: nullable transactional id, records as int32-length bytes', (t) => {
  const records = Buffer.from('0102030405', 'hex');
  const frame = Buffer.concat(
    encodeRequestFrame(ProduceApi, 3, 42, 'c', {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
    }),
  );
  t.deepEqual(
    frame,
    hex(`
      00 00 00 2b    # size 43
      00 00 00 03    # Produce v3
      00 00 00 2a    # correlation id 42
      00 01 63       # client id "c"
      ff ff          # transactional id null
      ff ff          # acks -1
      00 00 03 e8    # timeout 1000
      00 00 00 01    # one topic
      00 01 74       # "t"
      00 00 00 01    # one partition
      00 00 00 00    # index 0
      00 00 00 05 01 02 03 04 05  # records
    `),
  );
});

test('a non-default value in a field the version lacks is refused unless ignorable', (t) => {
  // IncludeClusterAuthorizedOperations exists only in v8-10 and is not ignorable.
  const err = t.throws(() =>
    encodeMetadataRequest(new Writer(), 11, { topics: [], includeClusterAuthorizedOperations: true }),
  );
  t.is(err?.name, 'UnsupportedVersionError');
  t.is((err as { code?: string }).code, 'UNSUPPORTED_VERSION');
  // The default is fine, and so is an ignorable field (TopicId before v10) which is just dropped.
  t.notThrows(() => encodeMetadataRequest(new Writer(), 11, { topics: [], includeClusterAuthorizedOperations: false }));
  t.deepEqual(
    encoded((w) => encodeMetadataRequest(w, 1, { topics: [{ topicId: 'AQEBAQEBAQEBAQEBAQEBAQ', name: 'x' }] })),
    hex('00 00 00 01 00 01 78'),
  );
});
