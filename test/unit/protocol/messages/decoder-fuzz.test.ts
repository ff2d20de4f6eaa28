// Decoders given random bytes and corrupted encodings of valid messages: they may succeed or
// throw ProtocolDecodeError, nothing else (no RangeError/TypeError from reading past the end,
// no hang on a huge count, no allocation sized by an unchecked length).
import test from 'ava';
import fc from 'fast-check';
import * as messages from '../../../../protocol/messages/index.js';
import { ProtocolDecodeError } from '../../../../protocol/primitives/errors.js';
import { Reader } from '../../../../protocol/primitives/reader.js';
import { Writer } from '../../../../protocol/primitives/writer.js';
import { loadJsonMessages, MessageSchema, versionList } from './schema-arbitrary.js';

type Encode = (w: Writer, version: number, m: unknown) => void;
type Decode = (r: Reader, version: number) => unknown;
const exported = messages as unknown as Record<string, unknown>;

/** Total cases over all response decoders (half random bytes, half corrupted valid encodings). */
const RESPONSE_CASES = 100_000;
const REQUEST_CASES = 20_000;

type Mutation =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'bigLength'; at: number; value: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({
    kind: fc.constant('bigLength' as const),
    at: fc.nat(),
    value: fc.constantFrom(0x7fffffff, 0x7ffffffe, -2, -1, 0x7fff, 0xffff, 0x10000),
  }),
);

function mutate(bytes: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(bytes);
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'set') b[at] = m.byte;
    else if (m.kind === 'truncate') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (at + 4 <= b.length) b.writeInt32BE(m.value | 0, at);
  }
  return b;
}

function decodeOnly(decode: Decode, bytes: Buffer, version: number): void {
  try {
    decode(new Reader(bytes), version);
  } catch (e) {
    if (!(e instanceof ProtocolDecodeError)) throw e;
  }
}

function fuzzTargets(kind: 'request' | 'response') {
  return loadJsonMessages()
    .filter((m) => m.type === kind)
    .map((json) => ({
      json,
      schema: new MessageSchema(json),
      versions: versionList(json.validVersions),
      encode: exported[`encode${json.name}`] as Encode,
      decode: exported[`decode${json.name}`] as Decode,
    }));
}

function register(kind: 'request' | 'response', totalCases: number): void {
  const targets = fuzzTargets(kind);
  const totalVersions = targets.reduce((n, t) => n + t.versions.length, 0);
  const perVersion = Math.ceil(totalCases / totalVersions / 2);
  let cases = 0;
  for (const target of targets) {
    test(`${target.json.name} decoder only throws ProtocolDecodeError on bad input`, (t) => {
      for (const v of target.versions) {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
            decodeOnly(target.decode, Buffer.from(bytes), v);
          }),
          { numRuns: perVersion },
        );
        fc.assert(
          fc.property(target.schema.arbitrary(v), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (value, mutations) => {
            const w = new Writer();
            target.encode(w, v, value);
            decodeOnly(target.decode, mutate(w.finish(), mutations), v);
          }),
          { numRuns: perVersion },
        );
        cases += 2 * perVersion;
      }
      t.pass();
    });
  }
  test.after(`${kind} fuzz figures`, () => {
    console.log(`${kind} decoders: ${targets.length} messages, ${totalVersions} versions, ${cases} cases`);
  });
}

register('response', RESPONSE_CASES);
register('request', REQUEST_CASES);

test('a huge array count over a short buffer fails fast instead of allocating', (t) => {
  // Fetch v4 response: throttle time, then an int32 topic count of 2^31-1 with nothing after it.
  const bytes = Buffer.from('00000000 7fffffff'.replace(/\s/g, ''), 'hex');
  const err = t.throws(() => messages.decodeFetchResponse(new Reader(bytes), 4));
  t.true(err instanceof ProtocolDecodeError);
  t.regex(err?.message ?? '', /FetchResponse v4/);
});
