import test from 'ava';
import { loadConfig } from '../../../config/load.js';
import { producerOptionsFrom } from '../../../daemon/producer-options.js';

test('the transactional id and transaction timeout reach the producer settings', (t) => {
  const { config } = loadConfig({ env: {}, argv: ['--set', 'producer.transactionalId=tx-7', '--set', 'producer.transactionTimeoutMs=15000'] });
  const { settings } = producerOptionsFrom(config);
  t.is(settings.transactionalId, 'tx-7');
  t.is(settings.transactionTimeoutMs, 15_000);
  const plain = producerOptionsFrom(loadConfig({ env: {}, argv: [] }).config).settings;
  t.is(plain.transactionalId, null);
  t.is(plain.transactionTimeoutMs, 60_000);
});
