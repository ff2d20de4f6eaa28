/** The wire errors: stable codes, names, fields and messages; none is retriable. */
import test from 'ava';
import {
  FrameTooLargeError,
  ProtocolDecodeError,
  ProtocolEncodeError,
  UnsupportedVersionError,
  WireError,
  WireErrorCode,
} from '../../../../protocol/primitives/errors.js';

test('the stable codes are the documented strings', (t) => {
  t.deepEqual({ ...WireErrorCode }, {
    decode: 'KAFKA_DECODE_ERROR',
    encode: 'KAFKA_ENCODE_ERROR',
    unsupportedVersion: 'UNSUPPORTED_VERSION',
    frameTooLarge: 'KAFKA_FRAME_TOO_LARGE',
  });
});

test('each wire error has its code, name, fields and message', (t) => {
  const decode = new ProtocolDecodeError('int32 partition', 17);
  t.like(decode, { code: 'KAFKA_DECODE_ERROR', name: 'ProtocolDecodeError', what: 'int32 partition', offset: 17, retriable: false });
  t.is(decode.message, 'cannot decode int32 partition at byte 17');
  const encode = new ProtocolEncodeError('topic: null is not allowed');
  t.like(encode, { code: 'KAFKA_ENCODE_ERROR', name: 'ProtocolEncodeError', what: 'topic: null is not allowed', retriable: false });
  t.is(encode.message, 'cannot encode topic: null is not allowed');
  const version = new UnsupportedVersionError('Produce has no version 99');
  t.like(version, { code: 'UNSUPPORTED_VERSION', name: 'UnsupportedVersionError', message: 'Produce has no version 99', retriable: false });
  for (const err of [decode, encode, version]) t.true(err instanceof WireError);
});

test('FrameTooLargeError tells a negative size from an oversized one', (t) => {
  const big = new FrameTooLargeError(2000, 1000);
  t.like(big, { code: 'KAFKA_FRAME_TOO_LARGE', name: 'FrameTooLargeError', size: 2000, maxSize: 1000, retriable: false });
  t.is(big.message, 'frame of 2000 bytes exceeds the maximum of 1000');
  t.is(new FrameTooLargeError(-5, 1000).message, 'negative frame size -5');
  t.is(new FrameTooLargeError(0, 0).message, 'frame of 0 bytes exceeds the maximum of 0');
});
