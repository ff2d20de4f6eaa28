import test from 'ava';
import fc from 'fast-check';
import { dataValue, encodeData, encodingParam, headersValue, UndecodableDataError } from '../../../ipc/data-encoding.js';
import { InvalidParamsError } from '../../../ipc/errors.js';

test('utf8, base64 and json values become the bytes Kafka stores; null stays null', (t) => {
  t.deepEqual(dataValue('utf8')('héllo', 'f'), Buffer.from('héllo', 'utf8'));
  t.deepEqual(dataValue('base64')('AP8=', 'f'), Buffer.from([0x00, 0xff]));
  t.deepEqual(dataValue('json')({ a: [1, 'x'] }, 'f'), Buffer.from('{"a":[1,"x"]}'));
  t.deepEqual(dataValue('json')('text', 'f'), Buffer.from('"text"'));
  for (const enc of ['utf8', 'base64', 'json'] as const) t.is(dataValue(enc)(null, 'f'), null);
});

test('wrong shapes name the field and the encoding', (t) => {
  let e = t.throws(() => dataValue('utf8')(5, 'params.messages[0].value'), { instanceOf: InvalidParamsError });
  t.is(e?.message, 'params.messages[0].value: expected a string or null (encoding "utf8"), got number 5');
  e = t.throws(() => dataValue('base64')('not base64!', 'params.messages[1].key'), { instanceOf: InvalidParamsError });
  t.is(e?.expected, 'a base64 string with padding (encoding "base64")');
  t.throws(() => dataValue('base64')('AP8', 'f'), { instanceOf: InvalidParamsError }, 'missing padding');
  t.throws(() => dataValue('json')(undefined, 'f'), { instanceOf: InvalidParamsError });
  t.is(encodingParam(undefined, 'params.encoding'), 'utf8');
  t.throws(() => encodingParam('latin1', 'params.encoding'), { message: /one of "utf8", "base64", "json"/ });
});

test('headers: pairs keep order and duplicates, objects are accepted, values follow the encoding', (t) => {
  const h = headersValue('utf8');
  t.deepEqual(h([['a', '1'], ['a', '2'], ['b', null]], 'params.headers'), [
    ['a', Buffer.from('1')],
    ['a', Buffer.from('2')],
    ['b', null],
  ]);
  t.deepEqual(h({ trace: 'x' }, 'params.headers'), [['trace', Buffer.from('x')]]);
  t.deepEqual(headersValue('base64')([['bin', 'AQI=']], 'f'), [['bin', Buffer.from([1, 2])]]);
  t.is(t.throws(() => h([['a']], 'params.headers'))?.message, 'params.headers[0]: expected a [name, value] pair, got an array of 1');
  t.is((t.throws(() => h([[1, 'v']], 'params.headers')) as InvalidParamsError).field, 'params.headers[0][0]');
  t.is((t.throws(() => h({ a: 1 }, 'params.headers')) as InvalidParamsError).field, 'params.headers.a');
  t.throws(() => h('a=1', 'params.headers'), { message: /headers as \[\[name, value\], \.\.\.\] or \{name: value\}/ });
});

test('encodeData shows consumed bytes in the app encoding; non-JSON under json is a typed error', (t) => {
  t.is(encodeData(null, 'json'), null);
  t.is(encodeData(Buffer.from('hi'), 'utf8'), 'hi');
  t.is(encodeData(Buffer.from([0, 255]), 'base64'), 'AP8=');
  t.deepEqual(encodeData(Buffer.from('{"a":1}'), 'json'), { a: 1 });
  t.throws(() => encodeData(Buffer.from('{oops'), 'json'), { instanceOf: UndecodableDataError, message: /not JSON text/ });
});

test('property: every encoding round-trips through Kafka bytes', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const b64 = Buffer.from(bytes).toString('base64');
      t.is(encodeData(dataValue('base64')(b64, 'f'), 'base64'), b64);
    }),
  );
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => t.is(encodeData(dataValue('utf8')(s, 'f'), 'utf8'), s)));
  fc.assert(fc.property(fc.jsonValue(), (v) => t.deepEqual(encodeData(dataValue('json')(v, 'f'), 'json'), JSON.parse(JSON.stringify(v)))));
});
