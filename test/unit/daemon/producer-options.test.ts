import test from 'ava';
import { loadConfig } from '../../../config/load.js';
import { producerOptionsFrom, transactionalProducerOptionsFrom } from '../../../daemon/producer-options.js';

test('a transactional producer gets its id and producer.transactions.timeoutMs, and is acks=all and idempotent whatever plain produce uses', (t) => {
  const { config } = loadConfig({
    env: {},
    argv: ['--set', 'producer.transactions.timeoutMs=15000', '--set', 'producer.acks=leader', '--set', 'producer.idempotent=false', '--set', 'producer.lingerMs=7'],
  });
  const { settings } = transactionalProducerOptionsFrom(config, 'tx-7');
  t.is(settings.transactionalId, 'tx-7');
  t.is(settings.transactionTimeoutMs, 15_000);
  t.is(settings.acks, 'all');
  t.true(settings.idempotent);
  t.is(settings.lingerMs, 7);
  const plain = producerOptionsFrom(config).settings;
  t.is(plain.transactionalId, undefined);
  t.is(plain.acks, 'leader');
  t.false(plain.idempotent);
});
