import test from 'ava';
import { parseEnvLines } from '../../../daemon/env-lines.js';
import { kafkaEnvFrom } from '../../helpers/kafka.js';

test('parseEnvLines reads KEY=value lines and ignores the rest', (t) => {
  const vars = parseEnvLines("KAFKA_BROKERS=127.0.0.1:9092\nnoise here\nKAFKA_DIR='/tmp/a b'\n");
  t.deepEqual(vars, { KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_DIR: '/tmp/a b' });
});

test('kafkaEnvFrom needs brokers and reads the security block only when complete', (t) => {
  t.is(kafkaEnvFrom({}), undefined);
  const plain = kafkaEnvFrom({ KAFKA_BROKERS: 'a:1,b:2', KAFKA_VERSION: '3.9.1' });
  t.deepEqual(plain, { brokers: ['a:1', 'b:2'], version: '3.9.1' });
  const secure = kafkaEnvFrom({
    KAFKA_BROKERS: 'a:1',
    KAFKA_SASL_PLAINTEXT_BROKERS: 'a:2',
    KAFKA_SSL_BROKERS: 'a:3',
    KAFKA_SASL_SSL_BROKERS: 'a:4',
    KAFKA_CA_FILE: '/ca.pem',
    KAFKA_SASL_USER: 'alice',
    KAFKA_SASL_PASSWORD: 'alice-secret',
    KAFKA_SASL_MECHANISMS: 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
  });
  t.deepEqual(secure?.security, {
    saslPlaintextBrokers: ['a:2'],
    sslBrokers: ['a:3'],
    saslSslBrokers: ['a:4'],
    caFile: '/ca.pem',
    user: 'alice',
    password: 'alice-secret',
    mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'],
  });
  // Brokers started by an older scripts/kafka-local do not say which mechanisms they accept.
  const older = kafkaEnvFrom({ KAFKA_BROKERS: 'a:1', KAFKA_SASL_PLAINTEXT_BROKERS: 'a:2', KAFKA_CA_FILE: '/ca.pem' });
  t.deepEqual(older?.security?.mechanisms, []);
});
