import test from 'ava';
import {
  BufferFullError,
  FrameTooLargeError,
  InvalidParamsError,
  IpcErrorCode,
  MethodNotFoundError,
  NotReadyError,
  RevokedPartitionError,
  ShuttingDownError,
  toRpcError,
  UnknownSubscriptionError,
} from '../../../ipc/errors.js';
import { KafkaProtocolError } from '../../../protocol/errors/kafka-error.js';

test('every sidecar error has its documented number, stable code and retriable flag', (t) => {
  const cases: Array<[ReturnType<typeof toRpcError>, number, string, boolean]> = [
    [new FrameTooLargeError(8).toRpcError(), -32600, 'FRAME_TOO_LARGE', false],
    [new MethodNotFoundError('x', ['hello']).toRpcError(), -32601, 'METHOD_NOT_FOUND', false],
    [new InvalidParamsError('params.a', 'a string').toRpcError(), -32602, 'INVALID_PARAMS', false],
    [new NotReadyError('no brokers yet').toRpcError(), -32001, 'NOT_READY', true],
    [new ShuttingDownError().toRpcError(), -32002, 'SHUTTING_DOWN', true],
    [new UnknownSubscriptionError('s1').toRpcError(), -32003, 'UNKNOWN_SUBSCRIPTION', false],
    [new RevokedPartitionError('t', 3).toRpcError(), -32004, 'REVOKED_PARTITION', false],
    [new BufferFullError('the producer buffer is full').toRpcError(), -32005, 'BUFFER_FULL', true],
  ];
  for (const [error, code, dataCode, retriable] of cases) {
    t.is(error.code, code, dataCode);
    t.is(error.data.code, dataCode);
    t.is(error.data.retriable, retriable, dataCode);
    t.true(error.message.length > 10, `${dataCode} says what was wrong`);
  }
});

test('details land in data beside code and retriable, and cannot override them', (t) => {
  const e = new InvalidParamsError('params.messages[0].key', 'a string or null', 'number 5').toRpcError();
  t.deepEqual(e.data, { field: 'params.messages[0].key', expected: 'a string or null', code: 'INVALID_PARAMS', retriable: false });
  t.is(e.message, 'params.messages[0].key: expected a string or null, got number 5');
  const revoked = new RevokedPartitionError('orders', 2).toRpcError();
  t.like(revoked.data, { topic: 'orders', partition: 2 });
  const forged = new NotReadyError('waiting for brokers', { code: 'OTHER', retriable: false }).toRpcError();
  t.like(forged.data, { code: 'NOT_READY', retriable: true });
});

test('Kafka errors travel as -32010 with the Kafka name, number and retriable', (t) => {
  const e = toRpcError(new KafkaProtocolError(6, 'moved'));
  t.is(e.code, -32010);
  t.deepEqual(e.data, { code: 'NOT_LEADER_OR_FOLLOWER', kafkaCode: 6, retriable: true });
  t.regex(e.message, /NOT_LEADER_OR_FOLLOWER/);
});

test('anything else is an internal error that still says what failed', (t) => {
  const e = toRpcError(new TypeError('x is undefined'));
  t.is(e.code, -32603);
  t.is(e.data.code, IpcErrorCode.internalError);
  t.is(e.message, 'internal error: x is undefined');
  t.is(toRpcError('plain string').message, 'internal error: plain string');
});
