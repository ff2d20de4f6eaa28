import test from 'ava';
import fc from 'fast-check';
import { checkRequest, encodeMessage, parseFrame, parseFrameText, success, type FrameItem } from '../../../ipc/jsonrpc.js';

function errorOf(item: FrameItem | undefined): { id: unknown; code: number; message: string; dataCode: string } {
  if (item?.kind !== 'invalid') throw new Error(`expected an invalid item, got ${JSON.stringify(item)}`);
  const { id, error } = item.response;
  return { id, code: error.code, message: error.message, dataCode: error.data.code };
}

test('a valid request and a notification', (t) => {
  const req = parseFrameText('{"jsonrpc":"2.0","id":7,"method":"hello","params":{"client":"x"}}');
  t.false(req.batch);
  t.deepEqual(req.items, [{ kind: 'request', request: { method: 'hello', params: { client: 'x' }, id: 7 } }]);
  const note = parseFrameText('{"jsonrpc":"2.0","method":"hello"}');
  t.deepEqual(note.items, [{ kind: 'request', request: { method: 'hello', params: null, id: undefined } }]);
  const nullId = parseFrameText('{"jsonrpc":"2.0","method":"hello","id":null}');
  t.deepEqual(nullId.items, [{ kind: 'request', request: { method: 'hello', params: null, id: null } }], 'id null is a request, not a notification');
});

test('invalid JSON is -32700 with id null and the parser reason', (t) => {
  const e = errorOf(parseFrameText('{"jsonrpc":').items[0]);
  t.is(e.code, -32700);
  t.is(e.id, null);
  t.is(e.dataCode, 'PARSE_ERROR');
  t.regex(e.message, /^invalid JSON: /);
});

test('bytes that are not UTF-8 are -32700', (t) => {
  const e = errorOf(parseFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])).items[0]);
  t.is(e.code, -32700);
  t.regex(e.message, /UTF-8/);
});

test('envelope errors are -32600 naming the member, keeping a readable id', (t) => {
  const cases: Array<[string, RegExp, unknown]> = [
    ['42', /must be a JSON object, got number 42/, null],
    ['"hello"', /must be a JSON object/, null],
    ['null', /must be a JSON object, got null/, null],
    ['{"id":1,"method":"hello"}', /"jsonrpc" must be the string "2.0", got nothing/, 1],
    ['{"jsonrpc":"1.0","id":"a","method":"hello"}', /"jsonrpc" must be the string "2.0"/, 'a'],
    ['{"jsonrpc":"2.0","id":2}', /"method" must be a non-empty string, got nothing/, 2],
    ['{"jsonrpc":"2.0","id":3,"method":""}', /"method" must be a non-empty string/, 3],
    ['{"jsonrpc":"2.0","id":4,"method":5}', /"method" must be a non-empty string, got number 5/, 4],
    ['{"jsonrpc":"2.0","id":5,"method":"m","params":"x"}', /"params" must be an object or an array/, 5],
    ['{"jsonrpc":"2.0","id":{"a":1},"method":"m"}', /"id" must be a string, a number or null, got an object/, null],
    ['{"jsonrpc":"2.0","id":true,"method":"m"}', /"id" must be/, null],
  ];
  for (const [text, pattern, id] of cases) {
    const e = errorOf(parseFrameText(text).items[0]);
    t.is(e.code, -32600, text);
    t.is(e.dataCode, 'INVALID_REQUEST', text);
    t.regex(e.message, pattern, text);
    t.is(e.id, id, text);
  }
});

test('batches: each member checked on its own, an empty batch is one -32600', (t) => {
  const frame = parseFrameText('[{"jsonrpc":"2.0","id":1,"method":"a"}, 3, {"jsonrpc":"2.0","method":"b"}]');
  t.true(frame.batch);
  t.is(frame.items.length, 3);
  t.is(frame.items[0]?.kind, 'request');
  t.is(errorOf(frame.items[1]).code, -32600);
  t.is(frame.items[2]?.kind, 'request');
  const empty = parseFrameText('[]');
  t.false(empty.batch, 'answered with a single error, not an array');
  t.regex(errorOf(empty.items[0]).message, /empty batch/);
});

test('checkRequest accepts string, number and null ids, and extra members', (t) => {
  for (const id of ['x', 0, -1.5, null]) {
    const item = checkRequest({ jsonrpc: '2.0', id, method: 'm', extra: 1 });
    t.is(item.kind, 'request');
  }
});

test('encodeMessage writes bigint as decimal strings and never a raw newline', (t) => {
  const line = encodeMessage(success(1, { offset: 2n ** 63n - 1n, text: 'a\nb' }));
  t.is(line, '{"jsonrpc":"2.0","id":1,"result":{"offset":"9223372036854775807","text":"a\\nb"}}');
  t.false(line.includes('\n'));
});

test('property: parsing never throws, whatever the bytes', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const frame = parseFrame(bytes);
      t.true(frame.items.length >= 1);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const frame = parseFrameText(JSON.stringify(value));
      t.true(frame.items.length >= 1);
    }),
    { numRuns: 2000 },
  );
});
