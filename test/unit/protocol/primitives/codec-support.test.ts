/** The helpers the generated codecs call: version checks and the errors they build or wrap. */
import test from 'ava';
import {
  EMPTY_BUFFER,
  ZERO_UUID,
  absentField,
  checkVersion,
  decodeFailure,
  encodeFailure,
  nullDecoded,
  nullEncoded,
} from '../../../../protocol/primitives/codec-support.js';
import { ProtocolDecodeError, ProtocolEncodeError, UnsupportedVersionError } from '../../../../protocol/primitives/errors.js';

test('checkVersion accepts integers inside [min, max] and nothing else', (t) => {
  for (const v of [3, 4, 7]) t.notThrows(() => checkVersion('Fetch', v, 3, 7), `version ${v}`);
  for (const v of [2, 8, -1, 3.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.throws(() => checkVersion('Fetch', v, 3, 7), { instanceOf: UnsupportedVersionError }, `version ${v}`);
  }
  t.throws(() => checkVersion('Fetch', 9, 3, 7), { message: 'Fetch has no version 9 (valid 3-7)' });
});

test('nullEncoded, absentField and nullDecoded name the field, the version and the place', (t) => {
  const enc = nullEncoded('topics[0].name', 2);
  t.true(enc instanceof ProtocolEncodeError);
  t.is(enc.message, 'cannot encode topics[0].name: null is not allowed at version 2');
  const absent = absentField('rackId', 4);
  t.true(absent instanceof UnsupportedVersionError);
  t.is(absent.message, 'rackId does not exist at version 4 but holds a non-default value');
  const dec = nullDecoded('partitions', 33);
  t.true(dec instanceof ProtocolDecodeError);
  t.is(dec.offset, 33);
  t.is(dec.message, 'cannot decode partitions (null where the field is not nullable) at byte 33');
});

test('encodeFailure adds the message context once, turns TypeErrors into encode errors, passes others', (t) => {
  const wire = new ProtocolEncodeError('x: out of range');
  t.is(encodeFailure(wire, 'Produce', 9), wire);
  t.is(wire.message, 'cannot encode x: out of range [in Produce v9]');
  // A second pass (nested codec) does not stack another context.
  encodeFailure(wire, 'Outer', 1);
  t.is(wire.message, 'cannot encode x: out of range [in Produce v9]');
  const fromType = encodeFailure(new TypeError('topics is not iterable'), 'Metadata', 12);
  t.true(fromType instanceof ProtocolEncodeError);
  t.is((fromType as Error).message, 'cannot encode a malformed value (topics is not iterable) [in Metadata v12]');
  const other = new RangeError('other');
  t.is(encodeFailure(other, 'Metadata', 12), other);
  t.is(other.message, 'other');
});

test('decodeFailure adds context to wire errors only', (t) => {
  const wire = new ProtocolDecodeError('int16 errorCode', 5);
  t.is(decodeFailure(wire, 'Fetch', 4), wire);
  t.is(wire.message, 'cannot decode int16 errorCode at byte 5 [in Fetch v4]');
  const bug = new TypeError('bug');
  t.is(decodeFailure(bug, 'Fetch', 4), bug);
  t.is(bug.message, 'bug');
});

test('the shared defaults are empty', (t) => {
  t.is(EMPTY_BUFFER.length, 0);
  t.true(Buffer.from(ZERO_UUID, 'base64url').equals(Buffer.alloc(16)));
});
