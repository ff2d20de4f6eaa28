// Every message of Kafka's definitions (requests, responses, headers, data records), at every
// valid version, encodes and decodes back to the value it started from, with fields the version
// does not carry read back as their defaults; re-encoding the decoded value gives the same bytes.
import test from 'ava';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import * as messages from '../../../../protocol/messages/index.js';
import { Reader } from '../../../../protocol/primitives/reader.js';
import { Writer } from '../../../../protocol/primitives/writer.js';
import { loadJsonMessages, MessageSchema, versionList } from './schema-arbitrary.js';

type Encode = (w: Writer, version: number, m: unknown) => void;
type Decode = (r: Reader, version: number) => unknown;
const exported = messages as unknown as Record<string, unknown>;
const RUNS_PER_VERSION = 30;

const definitions = loadJsonMessages();
let checkedVersions = 0;

test.after('round-trip figures', () => {
  console.log(`round trips: ${definitions.length} messages, ${checkedVersions} versions, ${checkedVersions * RUNS_PER_VERSION} cases`);
});

test('the definitions folder is there and holds every API', (t) => {
  const apiKeys = new Set(definitions.filter((m) => m.type === 'request').map((m) => m.apiKey));
  t.true(apiKeys.size >= 80, `only ${apiKeys.size} APIs found`);
  t.is(messages.allApis.length, apiKeys.size);
});

for (const json of definitions) {
  test(`${json.name} round trips at every version`, (t) => {
    const encode = exported[`encode${json.name}`] as Encode | undefined;
    const decode = exported[`decode${json.name}`] as Decode | undefined;
    if (!encode || !decode) {
      t.fail(`no codec exported for ${json.name}`);
      return;
    }
    const schema = new MessageSchema(json);
    const versions = versionList(json.validVersions);
    for (const v of versions) {
      fc.assert(
        fc.property(schema.arbitrary(v), (value) => {
          // A tiny first chunk makes every message cross chunk boundaries.
          const w = new Writer(8);
          encode(w, v, value);
          const bytes = w.finish();
          const r = new Reader(bytes);
          const decoded = decode(r, v);
          deepStrictEqual(r.remaining(), 0, 'decoder left bytes unread');
          deepStrictEqual(decoded, schema.expected(v, value));
          const again = new Writer();
          encode(again, v, decoded);
          deepStrictEqual(again.finish(), bytes, 're-encoding the decoded value changed the bytes');
        }),
        { numRuns: RUNS_PER_VERSION },
      );
    }
    checkedVersions += versions.length;
    t.pass();
  });
}
