import test from 'ava';
import { InvalidParamsError } from '../../../../ipc/errors.js';
import { produceParams } from '../../../../ipc/methods/produce.js';
import { beginParams, offsetsAfter, offsetsForm, sendOffsetsParams } from '../../../../ipc/methods/transactions.js';

const T = 'orders';

function invalid(t: import('ava').ExecutionContext, run: () => unknown, field: string, expected: RegExp): void {
  const error = t.throws(run, { instanceOf: InvalidParamsError });
  t.is(error?.field, field);
  t.regex(error?.expected ?? '', expected);
}

test('beginTransaction needs a transactional id; timeoutMs may not exceed producer.transactions.timeoutMs', (t) => {
  const begin = beginParams(60_000);
  t.deepEqual(begin({ transactionalId: 'tx-1', timeoutMs: 5000 }, 'params'), { transactionalId: 'tx-1', timeoutMs: 5000 });
  invalid(t, () => begin({}, 'params'), 'params.transactionalId', /required/);
  invalid(t, () => begin({ transactionalId: '' }, 'params'), 'params.transactionalId', /1 to 255 characters/);
  invalid(t, () => begin({ transactionalId: 'tx', timeoutMs: 60_001 }, 'params'), 'params.timeoutMs', /from 1 to 60000/);
  invalid(t, () => begin({ transactionalId: 'tx', transactionTimeout: 1 }, 'params'), 'params.transactionTimeout', /only the members/);
});

test('sendOffsetsToTransaction takes exactly one form: {group, offsets} or {subscription | group, messages}', (t) => {
  const form = (value: unknown) => offsetsForm(sendOffsetsParams(value, 'params'));
  t.deepEqual(form({ transaction: 'txn-1', group: 'g', offsets: [{ topic: T, partition: 0, offset: '5', metadata: 'm' }, { topic: T, partition: 1, offset: '0' }] }), {
    kind: 'offsets',
    group: 'g',
    offsets: [
      { topic: T, partition: 0, offset: 5n, metadata: 'm' },
      { topic: T, partition: 1, offset: 0n, metadata: null },
    ],
  });
  t.deepEqual(form({ transaction: 'txn-1', subscription: 'sub-1', messages: [{ topic: T, partition: 0, offset: '3' }] }), {
    kind: 'messages',
    subscription: 'sub-1',
    group: undefined,
    messages: [{ topic: T, partition: 0, offset: 3n }],
  });
  invalid(t, () => form({ transaction: 'txn-1', group: 'g' }), 'params', /exactly one of offsets .* and messages/);
  invalid(t, () => form({ transaction: 'txn-1', group: 'g', offsets: [{ topic: T, partition: 0, offset: '1' }], messages: [{ topic: T, partition: 0, offset: '1' }] }), 'params', /exactly one of offsets/);
  invalid(t, () => form({ transaction: 'txn-1', offsets: [{ topic: T, partition: 0, offset: '1' }] }), 'params.group', /required with offsets/);
  invalid(t, () => form({ transaction: 'txn-1', subscription: 's', group: 'g', offsets: [{ topic: T, partition: 0, offset: '1' }] }), 'params.subscription', /nothing with offsets/);
  invalid(t, () => form({ transaction: 'txn-1', messages: [{ topic: T, partition: 0, offset: '1' }] }), 'params', /exactly one of subscription .* and group/);
  invalid(t, () => form({ transaction: 'txn-1', group: 'g', offsets: [{ topic: T, partition: 0, offset: '-1' }] }), 'params.offsets[0].offset', /decimal string/);
  invalid(t, () => form({ transaction: 'txn-1', group: 'g', offsets: [] }), 'params.offsets', /at least 1|1 to/);
  invalid(t, () => form({ group: 'g', offsets: [{ topic: T, partition: 0, offset: '1' }] }), 'params.transaction', /required/);
});

test('the offsets of processed messages: one past the highest offset, per partition', (t) => {
  t.deepEqual(
    offsetsAfter([
      { topic: T, partition: 0, offset: 4n },
      { topic: T, partition: 1, offset: 9n },
      { topic: T, partition: 0, offset: 7n },
      { topic: T, partition: 0, offset: 5n },
      { topic: 'other', partition: 0, offset: 0n },
    ]),
    [
      { topic: T, partition: 0, offset: 8n },
      { topic: T, partition: 1, offset: 10n },
      { topic: 'other', partition: 0, offset: 1n },
    ],
  );
});

test('produce takes a transaction handle, with acks "all" or none given', (t) => {
  const messages = [{ value: 'v' }];
  t.is(produceParams({ topic: T, messages, transaction: 'txn-1' }, 'params').transaction, 'txn-1');
  t.is(produceParams({ topic: T, messages, transaction: 'txn-1', acks: 'all' }, 'params').acks, 'all');
  t.is(produceParams({ topic: T, messages }, 'params').transaction, undefined);
  invalid(t, () => produceParams({ topic: T, messages, transaction: 'txn-1', acks: 'leader' }, 'params'), 'params.acks', /"all" or nothing with a transaction/);
  invalid(t, () => produceParams({ topic: T, messages, transaction: '' }, 'params'), 'params.transaction', /1 to 200 characters/);
});
