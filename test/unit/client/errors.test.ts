import test from 'ava';
import { errorFromResponse, KafkaError, SidecarError } from '../../../client/errors.js';
import { resultOf } from '../../../client/transport.js';
import { InvalidParamsError, ShuttingDownError, toRpcError } from '../../../ipc/errors.js';
import { KafkaProtocolError } from '../../../protocol/errors/kafka-error.js';

test('server errors become SidecarError with the same code, number, retriable and data', (t) => {
  const e = errorFromResponse(new InvalidParamsError('params.topic', 'a non-empty string', '""').toRpcError());
  t.true(e instanceof SidecarError);
  t.is(e.code, 'INVALID_PARAMS');
  t.is(e.rpcCode, -32602);
  t.false(e.retriable);
  t.is(e.data.field, 'params.topic');
  t.is(e.message, 'params.topic: expected a non-empty string, got ""');
  const down = errorFromResponse(new ShuttingDownError().toRpcError());
  t.is(down.code, 'SHUTTING_DOWN');
  t.true(down.retriable);
});

test('Kafka errors become KafkaError with the Kafka name and number', (t) => {
  const e = errorFromResponse(toRpcError(new KafkaProtocolError(3)));
  t.true(e instanceof KafkaError);
  t.is(e.code, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.is((e as KafkaError).kafkaCode, 3);
  t.true(e.retriable);
});

test('error objects from another server without data still make a usable error', (t) => {
  const e = errorFromResponse({ code: -32601, message: 'Method not found' });
  t.is(e.code, 'RPC_-32601');
  t.false(e.retriable);
  t.is(errorFromResponse('junk').rpcCode, -32603);
});

test('resultOf returns results, throws error answers and refuses non-responses', (t) => {
  t.deepEqual(resultOf({ jsonrpc: '2.0', id: 1, result: { a: 1 } }), { a: 1 });
  t.throws(() => resultOf({ jsonrpc: '2.0', id: 1, error: { code: -32002, message: 'down', data: { code: 'SHUTTING_DOWN', retriable: true } } }), {
    instanceOf: SidecarError,
    message: 'down',
  });
  t.throws(() => resultOf({ id: 1, result: 1 }), { name: 'ProtocolViolationError' });
  t.throws(() => resultOf(null), { name: 'ProtocolViolationError' });
});
