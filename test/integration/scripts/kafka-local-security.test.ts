// The security listeners scripts/kafka-local starts (--security), proven per Kafka version of
// the matrix with independent clients: kcat for PLAIN, SSL and SASL_SSL, and for SCRAM where
// it can. Debian's kcat (librdkafka 2.0.2) sends a SCRAM final message that Kafka 4.x refuses
// (librdkafka bug, fixed in 2.6.1), so on 4.x SCRAM is proven with KafkaJS instead. The
// authorizer (ACLs) is proven the same way: KafkaJS sets an ACL, kcat runs into it.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import kafkajs from 'kafkajs';
import { kafkaEnv, kafkaOAuthEnv, kafkaSecurityEnv } from '../../helpers/kafka.js';
import { kcat, kcatOk, kcatRoundTrip } from '../../helpers/kcat.js';

const kcatScramWorks = (version: string): boolean => !version.startsWith('4.');

async function scramWithKafkajs(
  brokers: string[],
  mechanism: 'scram-sha-256' | 'scram-sha-512',
  username: string,
  password: string,
  ca: string | undefined,
): Promise<number> {
  const client = new kafkajs.Kafka({
    clientId: 'kafka-local-security-test',
    brokers,
    ssl: ca ? { ca: [ca] } : false,
    sasl: mechanism === 'scram-sha-256' ? { mechanism, username, password } : { mechanism, username, password },
    logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 5000,
  });
  const admin = client.admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length;
  } finally {
    await admin.disconnect();
  }
}

test('PLAIN over SASL_PLAINTEXT and SASL_SSL, and SSL, round-trip with kcat', async (t) => {
  const env = await kafkaSecurityEnv();
  const user = ['-X', `sasl.username=${env.user}`, '-X', `sasl.password=${env.password}`];
  const ca = ['-X', `ssl.ca.location=${env.caFile}`];
  t.is(await kcatRoundTrip(env.saslPlaintextBrokers.join(','), ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', ...user]), 'ok');
  t.is(await kcatRoundTrip(env.sslBrokers.join(','), ['-X', 'security.protocol=SSL', ...ca]), 'ok');
  t.is(await kcatRoundTrip(env.saslSslBrokers.join(','), ['-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=PLAIN', ...user, ...ca]), 'ok');
  // The certificate names localhost as well as 127.0.0.1, and kcat verifies the host name.
  const sslPort = env.sslBrokers[0]!.split(':')[1];
  await kcatOk(['-b', `localhost:${sslPort}`, '-X', 'security.protocol=SSL', ...ca, '-X', 'ssl.endpoint.identification.algorithm=https', '-L']);
});

test('SCRAM-SHA-256 and SCRAM-SHA-512 log in on both SASL listeners', async (t) => {
  const env = await kafkaSecurityEnv();
  const ca = await readFile(env.caFile, 'utf8');
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    if (kcatScramWorks(env.version)) {
      const user = ['-X', `sasl.mechanisms=${mechanism}`, '-X', `sasl.username=${env.user}`, '-X', `sasl.password=${env.password}`];
      t.is(await kcatRoundTrip(env.saslPlaintextBrokers.join(','), ['-X', 'security.protocol=SASL_PLAINTEXT', ...user]), 'ok', mechanism);
      t.is(await kcatRoundTrip(env.saslSslBrokers.join(','), ['-X', 'security.protocol=SASL_SSL', ...user, '-X', `ssl.ca.location=${env.caFile}`]), 'ok', `${mechanism} over SSL`);
    } else {
      const lower = mechanism.toLowerCase() as 'scram-sha-256' | 'scram-sha-512';
      t.is(await scramWithKafkajs(env.saslPlaintextBrokers, lower, env.user, env.password, undefined), 1, mechanism);
      t.is(await scramWithKafkajs(env.saslSslBrokers, lower, env.user, env.password, ca), 1, `${mechanism} over SSL`);
    }
  }
});

test('OAUTHBEARER: an unsecured JWT from librdkafka logs in on both SASL listeners', async (t) => {
  const env = await kafkaOAuthEnv();
  // librdkafka builds an alg "none" JWT itself from sasl.oauthbearer.config.
  const oauth = ['-X', 'sasl.mechanisms=OAUTHBEARER', '-X', 'enable.sasl.oauthbearer.unsecure.jwt=true', '-X', 'sasl.oauthbearer.config=principal=kcat-oauth'];
  t.is(await kcatRoundTrip(env.saslPlaintextBrokers.join(','), ['-X', 'security.protocol=SASL_PLAINTEXT', ...oauth]), 'ok');
  t.is(await kcatRoundTrip(env.saslSslBrokers.join(','), ['-X', 'security.protocol=SASL_SSL', ...oauth, '-X', `ssl.ca.location=${env.caFile}`]), 'ok');
});

test('a wrong password is refused for PLAIN and SCRAM', async (t) => {
  const env = await kafkaSecurityEnv();
  const wrong = await kcat([
    '-b', env.saslPlaintextBrokers.join(','), '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN',
    '-X', `sasl.username=${env.user}`, '-X', 'sasl.password=wrong-password', '-L', '-m', '5',
  ]);
  t.not(wrong.code, 0);
  t.regex(wrong.stderr, /Authentication failed/);
  await t.throwsAsync(scramWithKafkajs(env.saslPlaintextBrokers, 'scram-sha-256', env.user, 'wrong-password', undefined), {
    message: /SASL SCRAM SHA256 authentication failed|invalid credentials/i,
  });
});

test('an authorizer enforces ACLs and allows what no ACL names: kcat may not write to a topic that denies it WRITE', async (t) => {
  const env = await kafkaSecurityEnv();
  const brokers = (await kafkaEnv()).brokers;
  const topic = `acl-denied-${Date.now()}`;
  // KafkaJS as the admin client, kcat as the producer: neither is our code.
  const admin = new kafkajs.Kafka({ clientId: 'kafka-local-acl-test', brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    t.is(await kcatRoundTrip(brokers.join(',')), 'ok', `a topic without ACLs stays open (Kafka ${env.version})`);
    await admin.createAcls({
      acl: [
        {
          resourceType: kafkajs.AclResourceTypes.TOPIC,
          resourceName: topic,
          resourcePatternType: kafkajs.ResourcePatternTypes.LITERAL,
          principal: 'User:ANONYMOUS',
          host: '*',
          operation: kafkajs.AclOperationTypes.WRITE,
          permissionType: kafkajs.AclPermissionTypes.DENY,
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  // The ACL reaches the broker through its metadata log or ZooKeeper: poll until it bites.
  let last = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    const result = await kcat(['-b', brokers.join(','), '-P', '-t', topic, '-X', 'message.timeout.ms=5000'], 'denied\n');
    last = result.stderr;
    if (/Topic authorization failed/i.test(last)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  t.regex(last, /Topic authorization failed/i);
});
