import test from 'ava';
import { ClusterNotReadyError, summarizeError } from '../../../../machines/admin/errors.js';
import { KafkaProtocolError } from '../../../../protocol/errors/kafka-error.js';

test('summarizeError keeps the stable code, the broker message when there is one, and retriable', (t) => {
  t.deepEqual(summarizeError(new KafkaProtocolError(36, 'Topic already exists.')), { code: 'TOPIC_ALREADY_EXISTS', message: 'Topic already exists.', retriable: false });
  t.deepEqual(summarizeError(new KafkaProtocolError(41)), { code: 'NOT_CONTROLLER', message: 'NOT_CONTROLLER (41)', retriable: true });
  t.like(summarizeError(new ClusterNotReadyError(100, new Error('no broker'))), { code: 'CLUSTER_NOT_READY', retriable: true });
  t.deepEqual(summarizeError(new Error('boom')), { code: 'INTERNAL_ERROR', message: 'boom', retriable: false });
});
