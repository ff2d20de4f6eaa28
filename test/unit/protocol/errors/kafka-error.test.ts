import test from 'ava';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  KafkaErrorCode,
  KafkaProtocolError,
  UNKNOWN_ERROR_CODE,
  errorByCode,
  errorByName,
  kafkaErrorFor,
  kafkaErrorOrNull,
} from '../../../../protocol/errors/kafka-error.js';

test('broker error codes become typed errors with Kafka names and retry hints', (t) => {
  const e = kafkaErrorFor(6, 'partition moved');
  t.true(e instanceof KafkaProtocolError);
  t.is(e.code, 'NOT_LEADER_OR_FOLLOWER');
  t.is(e.errorCode, 6);
  t.true(e.retriable);
  t.true(e.refreshMetadata);
  t.is(e.brokerMessage, 'partition moved');
  t.is(e.message, 'NOT_LEADER_OR_FOLLOWER (6): partition moved');
  const auth = kafkaErrorFor(KafkaErrorCode.SASL_AUTHENTICATION_FAILED);
  t.is(auth.code, 'SASL_AUTHENTICATION_FAILED');
  t.false(auth.retriable);
});

test('an unknown code still gives an error, marked as unknown and not retriable', (t) => {
  const e = kafkaErrorFor(31337);
  t.is(e.code, UNKNOWN_ERROR_CODE);
  t.is(e.errorCode, 31337);
  t.false(e.retriable);
});

test('kafkaErrorOrNull is null for NONE only', (t) => {
  t.is(kafkaErrorOrNull(0), null);
  t.is(kafkaErrorOrNull(-1)?.code, 'UNKNOWN_SERVER_ERROR');
});

test('the generated table matches errors.json entry for entry', (t) => {
  const dir = process.env.KAFKA_PROTOCOL_DIR ?? resolve(process.cwd(), '../shared/kafka-protocol/message');
  const source = JSON.parse(readFileSync(resolve(dir, '../errors.json'), 'utf8')) as {
    code: number;
    name: string;
    retriable: boolean;
    refreshMetadata: boolean;
  }[];
  t.is(errorByCode.size, source.length);
  for (const s of source) {
    t.deepEqual(errorByCode.get(s.code), s);
    t.is(errorByName.get(s.name)?.code, s.code);
    t.is((KafkaErrorCode as Record<string, number>)[s.name], s.code);
  }
});
