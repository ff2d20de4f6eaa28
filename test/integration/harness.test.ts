// Proves the harness is real: the brokers and the NATS server it hands out answer an
// independent client (kcat, nats.js) before anything of ours is trusted with them.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { kafkaEnv } from '../helpers/kafka.js';
import { kcatOk } from '../helpers/kcat.js';
import { natsEnv } from '../helpers/nats.js';

interface KcatMetadata {
  brokers: { id: number; name: string }[];
  topics: { topic: string; partitions: unknown[] }[];
}

test('kcat -L lists the brokers of the harness', async (t) => {
  const env = await kafkaEnv();
  const out = await kcatOk(['-b', env.brokers.join(','), '-L', '-J']);
  const metadata = JSON.parse(out.toString('utf8')) as KcatMetadata;
  t.true(metadata.brokers.length >= 1);
  const advertised = metadata.brokers.map((b) => b.name);
  for (const broker of env.brokers) t.true(advertised.includes(broker), `${broker} in ${advertised.join(',')}`);
});

test('a message produced with kcat is read back with kcat', async (t) => {
  const env = await kafkaEnv();
  const topic = `harness-${randomUUID()}`;
  const value = `hello ${randomUUID()}`;
  await kcatOk(['-b', env.brokers.join(','), '-P', '-t', topic, '-k', ':', '-K', ':'], `greeting:${value}\n`);
  const out = await kcatOk(['-b', env.brokers.join(','), '-C', '-t', topic, '-o', 'beginning', '-c', '1', '-e', '-f', '%k=%s\n']);
  t.is(out.toString('utf8'), `greeting=${value}\n`);
});

test('the NATS server publishes to a subscriber', async (t) => {
  const { url } = await natsEnv();
  const nc = await connect({ servers: url });
  try {
    const subject = `harness.${randomUUID()}`;
    const sub = nc.subscribe(subject, { max: 1 });
    nc.publish(subject, 'ping');
    for await (const msg of sub) t.is(msg.string(), 'ping');
    const reply = nc.subscribe(`${subject}.echo`, { callback: (_err, msg) => void msg.respond(msg.data) });
    const answer = await nc.request(`${subject}.echo`, 'echo me', { timeout: 5000 });
    t.is(answer.string(), 'echo me');
    reply.unsubscribe();
  } finally {
    await nc.close();
  }
});
