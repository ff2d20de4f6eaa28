/**
 * The open-transaction rules of ipc/transactions.ts against scripted producers: one open
 * transaction per transactional id, aborts when the session ends or the timeout passes, a
 * failed commit that is abortable keeps the transaction, a fenced producer ends it and is
 * closed, outcome hooks run on commit or abort, idle producers are closed, shutdown aborts all.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransactionCallError, TransactionInProgressError, UnknownTransactionError, ShuttingDownError } from '../../../ipc/errors.js';
import { SessionRegistry } from '../../../ipc/session.js';
import { TransactionEnd, TransactionRegistry, type TransactionalProducer, type TransactionalProducers } from '../../../ipc/transactions.js';
import type { RecordOutcome } from '../../../machines/producer/delivery.js';
import { ProducerFencedError, TransactionAbortableError, TransactionStateError } from '../../../machines/producer/transaction-errors.js';
import { captureLogger } from './log-capture.js';

class ScriptedProducer implements TransactionalProducer {
  readonly calls: string[] = [];
  commitError: Error | null = null;
  abortError: Error | null = null;
  failedWith: Error | null = null;
  sendFails: Error | null = null;
  beginTransaction(): void {
    this.calls.push('begin');
  }
  async send(topic: string, records: readonly unknown[]): Promise<RecordOutcome[]> {
    this.calls.push(`send ${topic} ${records.length}`);
    const error = this.sendFails;
    return records.map(() => (error !== null ? { ok: false, error } : { ok: true, partition: 0, offset: 1n, timestamp: 0 })) as RecordOutcome[];
  }
  async sendOffsetsToTransaction(): Promise<void> {
    this.calls.push('offsets');
  }
  async commitTransaction(): Promise<void> {
    this.calls.push('commit');
    if (this.commitError !== null) throw this.commitError;
  }
  async abortTransaction(): Promise<void> {
    this.calls.push('abort');
    if (this.abortError !== null) throw this.abortError;
  }
  transactionFailed(error: Error): void {
    this.failedWith = error;
  }
}

class ScriptedProducers implements TransactionalProducers {
  readonly producers = new Map<string, ScriptedProducer>();
  readonly closed: string[] = [];
  acquired = 0;
  async acquire(id: string): Promise<TransactionalProducer> {
    this.acquired++;
    let p = this.producers.get(id);
    if (p === undefined) this.producers.set(id, (p = new ScriptedProducer()));
    return p;
  }
  close(id: string): void {
    this.closed.push(id);
    this.producers.delete(id);
  }
  running(): string[] {
    return [...this.producers.keys()];
  }
}

function setup(options: { timeoutMs?: number; idleMs?: number } = {}) {
  const { logger } = captureLogger();
  const producers = new ScriptedProducers();
  const registry = new TransactionRegistry({ timeoutMs: options.timeoutMs ?? 60_000, idleMs: options.idleMs ?? 60_000, requestTimeoutMs: 1000 }, producers, logger);
  const sessions = new SessionRegistry();
  const session = (): ReturnType<SessionRegistry['open']> => sessions.open('unix', () => true, logger);
  return { registry, producers, session };
}

test('one open transaction per transactional id: another session gets TRANSACTION_IN_PROGRESS until it ends', async (t) => {
  const { registry, producers, session } = setup();
  const a = session();
  const b = session();
  const first = await registry.begin(a, 'tx', 60_000, true);
  const busy = await t.throwsAsync(registry.begin(b, 'tx', 60_000, true), { instanceOf: TransactionInProgressError });
  t.is(busy?.toRpcError().data.holder, a.id);
  // The same session may not open a second one either; other ids are independent.
  await t.throwsAsync(registry.begin(a, 'tx', 60_000, true), { instanceOf: TransactionInProgressError });
  await registry.begin(b, 'other', 60_000, true);
  await registry.commit(first.transaction);
  const second = await registry.begin(b, 'tx', 60_000, true);
  t.not(second.transaction, first.transaction);
  t.deepEqual(producers.producers.get('tx')?.calls, ['begin', 'commit', 'begin']);
});

test('a second begin that arrives while the producer starts is refused too', async (t) => {
  const { registry, session } = setup();
  const [one, two] = await Promise.allSettled([registry.begin(session(), 'tx', 60_000, true), registry.begin(session(), 'tx', 60_000, true)]);
  t.is(one.status, 'fulfilled');
  t.true(two.status === 'rejected' && two.reason instanceof TransactionInProgressError);
});

test('a session that ends aborts its transaction, and the id is free again; outcome hooks see the abort', async (t) => {
  const { registry, producers, session } = setup();
  const s = session();
  const txn = await registry.begin(s, 'tx', 60_000, true);
  const outcomes: string[] = [];
  await registry.sendOffsets(txn.transaction, [], { groupId: 'g' }, { committed: () => outcomes.push('committed'), aborted: () => outcomes.push('aborted') });
  await s.close('app gone');
  t.deepEqual(producers.producers.get('tx')?.calls, ['begin', 'offsets', 'abort']);
  t.deepEqual(outcomes, ['aborted']);
  t.false(registry.isOpen('tx'));
  const late = await t.throwsAsync(registry.commit(txn.transaction), { instanceOf: UnknownTransactionError });
  t.is(late?.toRpcError().data.ended, TransactionEnd.sessionEnded);
});

test('a transaction not bound to its session outlives it; its timeout aborts it', async (t) => {
  const { registry, producers, session } = setup({ timeoutMs: 60_000 });
  const s = session();
  const txn = await registry.begin(s, 'tx', 50, false);
  await s.close('request answered');
  t.true(registry.isOpen('tx'));
  await sleep(120);
  t.false(registry.isOpen('tx'));
  t.deepEqual(producers.producers.get('tx')?.calls, ['begin', 'abort']);
  const late = await t.throwsAsync(registry.abort(txn.transaction), { instanceOf: UnknownTransactionError });
  t.is(late?.toRpcError().data.ended, TransactionEnd.timedOut);
});

test('the timeout asked for is bounded by producer.transactions.timeoutMs', async (t) => {
  const { registry, session } = setup({ timeoutMs: 1000 });
  const txn = await registry.begin(session(), 'tx', 3_600_000, true);
  t.true(Date.parse(txn.deadline) - Date.parse(txn.startedAt) <= 1000);
});

test('a failed record dooms the transaction; a commit refused as abortable keeps it open for abort, with hooks run once', async (t) => {
  const { registry, producers, session } = setup();
  const txn = await registry.begin(session(), 'tx', 60_000, true);
  const producer = producers.producers.get('tx')!;
  const record = { key: null, value: null, headers: [], timestamp: 0 };
  // Refused by the transaction's state (sent while it commits): the transaction is left alone.
  producer.sendFails = new TransactionStateError('send records', 'committing');
  await registry.produce(txn.transaction, 'topic', [record]);
  t.is(producer.failedWith, null);
  producer.sendFails = new Error('no such partition');
  await registry.produce(txn.transaction, 'topic', [record]);
  t.is(producer.failedWith?.message, 'no such partition');
  const outcomes: string[] = [];
  await registry.sendOffsets(txn.transaction, [], { groupId: 'g' }, { committed: () => outcomes.push('committed'), aborted: () => outcomes.push('aborted') });
  producer.commitError = new TransactionAbortableError('a batch failed');
  const refused = await t.throwsAsync(registry.commit(txn.transaction), { instanceOf: TransactionCallError });
  t.is(refused?.code, 'TRANSACTION_ABORTABLE');
  t.like(refused?.toRpcError().data, { abortable: true, transactionalId: 'tx', transaction: txn.transaction, retriable: false });
  t.true(registry.isOpen('tx'));
  t.deepEqual(outcomes, []);
  await registry.abort(txn.transaction);
  t.deepEqual(outcomes, ['aborted']);
  t.false(registry.isOpen('tx'));
});

test('a fenced producer ends the transaction and is closed, so the next begin gets a new one', async (t) => {
  const { registry, producers, session } = setup();
  const s = session();
  const txn = await registry.begin(s, 'tx', 60_000, true);
  producers.producers.get('tx')!.commitError = new ProducerFencedError('PRODUCER_FENCED', 'EndTxn refused');
  const fenced = await t.throwsAsync(registry.commit(txn.transaction), { instanceOf: TransactionCallError });
  t.is(fenced?.code, 'PRODUCER_FENCED');
  t.deepEqual(producers.closed, ['tx']);
  t.false(registry.isOpen('tx'));
  const late = await t.throwsAsync(registry.abort(txn.transaction), { instanceOf: UnknownTransactionError });
  t.is(late?.toRpcError().data.ended, TransactionEnd.fenced);
  await registry.begin(s, 'tx', 60_000, true);
  t.is(producers.acquired, 2);
});

test('an abort on the app\'s behalf that fails closes the producer (a new one fences the old epoch) and frees the id', async (t) => {
  const { registry, producers, session } = setup();
  const s = session();
  await registry.begin(s, 'tx', 60_000, true);
  producers.producers.get('tx')!.abortError = new Error('coordinator unreachable');
  await s.close('app gone');
  t.deepEqual(producers.closed, ['tx']);
  t.false(registry.isOpen('tx'));
});

test('a commit and an abort of the same transaction do not race: the abort after a commit finds it ended', async (t) => {
  const { registry, session } = setup();
  const txn = await registry.begin(session(), 'tx', 60_000, true);
  const [commit, abort] = await Promise.allSettled([registry.commit(txn.transaction), registry.abort(txn.transaction)]);
  t.is(commit.status, 'fulfilled');
  t.true(abort.status === 'rejected' && abort.reason instanceof UnknownTransactionError);
});

test('producers without an open transaction for idleMs are closed; busy ones are kept', async (t) => {
  const { registry, producers, session } = setup({ idleMs: 100 });
  const s = session();
  const idle = await registry.begin(s, 'idle', 60_000, true);
  await registry.commit(idle.transaction);
  await registry.begin(s, 'busy', 60_000, true);
  await sleep(350);
  t.deepEqual(producers.closed, ['idle']);
  t.true(registry.isOpen('busy'));
  await registry.abortAll();
});

test('shutdown refuses new transactions and aborts the open ones', async (t) => {
  const { registry, producers, session } = setup();
  await registry.begin(session(), 'a', 60_000, false);
  await registry.begin(session(), 'b', 60_000, true);
  registry.beginShutdown(Date.now() + 5000);
  await t.throwsAsync(registry.begin(session(), 'c', 60_000, true), { instanceOf: ShuttingDownError });
  await registry.abortAll();
  t.deepEqual(registry.list(), []);
  t.deepEqual(producers.producers.get('a')?.calls, ['begin', 'abort']);
  t.deepEqual(producers.producers.get('b')?.calls, ['begin', 'abort']);
});
