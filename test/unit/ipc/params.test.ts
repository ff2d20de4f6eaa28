import test from 'ava';
import fc from 'fast-check';
import { InvalidParamsError } from '../../../ipc/errors.js';
import { array, boolean, int64String, integer, object, oneOf, optional, params, string, withDefault, type Validator } from '../../../ipc/params.js';

function failure<T>(t: { throws: (fn: () => unknown, e: object) => unknown }, v: Validator<T>, value: unknown): InvalidParamsError {
  return t.throws(() => v(value, 'params.x'), { instanceOf: InvalidParamsError }) as InvalidParamsError;
}

test('scalars: the error names the field, what was expected and what came', (t) => {
  let e = failure(t, string({ minLength: 1 }), 5);
  t.is(e.field, 'params.x');
  t.is(e.expected, 'a non-empty string');
  t.is(e.message, 'params.x: expected a non-empty string, got number 5');
  e = failure(t, string({ minLength: 1 }), '');
  t.is(e.message, 'params.x: expected a non-empty string, got ""');
  e = failure(t, integer({ min: 0, max: 10 }), 1.5);
  t.is(e.expected, 'an integer from 0 to 10');
  failure(t, integer({ min: 0, max: 10 }), 11);
  failure(t, integer(), '3');
  failure(t, boolean(), 'true');
  e = failure(t, oneOf(['all', 'leader', 'none'] as const), 'some');
  t.is(e.expected, 'one of "all", "leader", "none"');
  t.is(string({ maxLength: 3 })('abc', 'f'), 'abc');
  t.is(integer({ min: 0 })(0, 'f'), 0);
  t.is(boolean()(false, 'f'), false);
  t.is(oneOf(['a', 'b'] as const)('b', 'f'), 'b');
});

test('long strings are described by length, not echoed', (t) => {
  const e = failure(t, integer(), 'y'.repeat(1000));
  t.is(e.message, 'params.x: expected an integer from -9007199254740991 to 9007199254740991, got a string of 1000 characters');
});

test('int64 strings: exact beyond 2^53, bounds and shape checked', (t) => {
  const v = int64String({ min: 0n });
  t.is(v('9223372036854775807', 'f'), 9223372036854775807n);
  t.is(v('0', 'f'), 0n);
  for (const bad of ['9223372036854775808', '-1', '01', '1.0', '', ' 1', 12, '1e3']) failure(t, v, bad);
  t.is(int64String()('-9223372036854775808', 'f'), -9223372036854775808n);
});

test('property: every int64 survives as its decimal string', (t) => {
  const v = int64String();
  fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => t.is(v(n.toString(), 'f'), n)));
});

test('objects: required, optional, defaults, unknown members and nested paths', (t) => {
  const message = object({ key: optional(string()), value: string(), partition: optional(integer({ min: 0 })) });
  const v = params({
    topic: string({ minLength: 1 }),
    acks: withDefault(oneOf(['all', 'leader', 'none'] as const), 'all'),
    messages: array(message, { minItems: 1 }),
  });
  t.deepEqual(v({ topic: 't', messages: [{ value: 'v' }] }, 'params'), { topic: 't', acks: 'all', messages: [{ value: 'v' }] });
  let e = t.throws(() => v({ messages: [{ value: 'v' }] }, 'params'), { instanceOf: InvalidParamsError });
  t.is(e?.field, 'params.topic');
  t.is(e?.message, 'params.topic: expected a value (required), got nothing');
  e = t.throws(() => v({ topic: 't', messages: [{ value: 'v' }, { value: 'w', partiton: 1 }] }, 'params'), { instanceOf: InvalidParamsError });
  t.is(e?.field, 'params.messages[1].partiton');
  t.is(e?.expected, 'only the members key, value, partition');
  e = t.throws(() => v({ topic: 't', messages: [{ value: 'v', partition: -1 }] }, 'params'), { instanceOf: InvalidParamsError });
  t.is(e?.field, 'params.messages[0].partition');
  e = t.throws(() => v({ topic: 't', messages: [] }, 'params'), { instanceOf: InvalidParamsError });
  t.is(e?.expected, 'an array of at least 1 items');
  e = t.throws(() => v({ topic: 't', messages: 'v' }, 'params'), { instanceOf: InvalidParamsError });
  t.is(e?.field, 'params.messages');
});

test('params: absent params are an empty object; positional params are refused', (t) => {
  const v = params({ client: optional(string()) });
  t.deepEqual(v(null, 'params'), {});
  t.deepEqual(v(undefined, 'params'), {});
  const e = t.throws(() => v(['x'], 'params'), { instanceOf: InvalidParamsError });
  t.regex(e?.message ?? '', /named members/);
  const none = params({});
  const extra = t.throws(() => none({ a: 1 }, 'params'), { instanceOf: InvalidParamsError });
  t.is(extra?.message, 'params.a: expected no members here, got an unknown member');
});

test('array bounds', (t) => {
  const v = array(integer(), { minItems: 1, maxItems: 2 });
  t.deepEqual(v([1, 2], 'f'), [1, 2]);
  failure(t, v, [1, 2, 3]);
  const e = t.throws(() => v([1, 'x'], 'params.list'), { instanceOf: InvalidParamsError });
  t.is(e?.field, 'params.list[1]');
});
