/**
 * Transactions: beginTransaction, sendOffsetsToTransaction, commitTransaction,
 * abortTransaction (produce takes the handle as `transaction`). The rules of open transactions
 * (one per transactional id, aborted with their session, timeouts, fencing) are
 * ipc/transactions.ts; this file validates params and turns messages an app consumed into the
 * offsets the transaction commits.
 *
 * Consume-transform-produce: sendOffsetsToTransaction {transaction, subscription | group,
 * messages} takes the messages the app processed. Their offsets (the next offset to read, per
 * partition) go into the transaction with the group member's generation (KIP-447: a member that
 * lost the partition cannot commit for it), and the messages stay leased: they are acknowledged
 * when the transaction commits and handed back for redelivery when it aborts. So the group's own
 * commits (auto-commit, on revoke) never run ahead of the transaction: they commit only
 * acknowledged positions, and these are acknowledged only once the transaction committed them.
 */
import { RevokedPartitionError as TrackerRevokedError, UnknownMessageError as TrackerUnknownError, type MessageRef } from '../../machines/fetcher/ack-tracker.js';
import type { TxnGroupMetadata, TxnOffset } from '../../machines/producer/transaction-manager.js';
import type { ConsumerCore } from '../../machines/consumer/consumer-core.js';
import { InvalidParamsError, NotReadyError, RevokedPartitionError, UnknownGroupError, UnknownSubscriptionError } from '../errors.js';
import { method, type MethodTable } from '../method-table.js';
import { array, int64String, integer, nullable, object, optional, params, string } from '../params.js';
import { TransportName } from '../session.js';
import type { SubscriptionRegistry } from '../subscriptions.js';
import type { TransactionRegistry } from '../transactions.js';
import { topicName } from './admin.js';
import type { ConsumerSource } from './consume.js';

/** The member of a group this daemon consumes, for TxnOffsetCommit's fencing; undefined while it has not joined. */
export type GroupMembership = (group: string) => Omit<TxnGroupMetadata, 'groupId'> | undefined;

export interface TransactionMethodDeps {
  readonly transactions: TransactionRegistry;
  readonly consumers: ConsumerSource;
  readonly subscriptions: SubscriptionRegistry;
  readonly membership: GroupMembership;
  /** producer.transactions.timeoutMs: the default and the bound of beginTransaction's timeoutMs. */
  readonly maxTimeoutMs: number;
}

const handle = (): ReturnType<typeof string> => string({ minLength: 1, maxLength: 200 });
const groupName = (): ReturnType<typeof string> => string({ minLength: 1, maxLength: 255 });
const partitionIndex = (): ReturnType<typeof integer> => integer({ min: 0, max: 2 ** 31 - 1 });

export const beginParams = (maxTimeoutMs: number) =>
  params({
    transactionalId: string({ minLength: 1, maxLength: 255 }),
    timeoutMs: optional(integer({ min: 1, max: maxTimeoutMs })),
    deliverSubject: optional(string({ minLength: 1, maxLength: 1000 })),
  });

export const sendOffsetsParams = params({
  transaction: handle(),
  subscription: optional(string({ minLength: 1, maxLength: 200 })),
  group: optional(groupName()),
  offsets: optional(
    array(object({ topic: topicName(), partition: partitionIndex(), offset: int64String({ min: 0n }), metadata: optional(nullable(string({ maxLength: 4096 }))) }), {
      minItems: 1,
      maxItems: 100_000,
    }),
  ),
  messages: optional(array(object({ topic: topicName(), partition: partitionIndex(), offset: int64String({ min: 0n }) }), { minItems: 1, maxItems: 100_000 })),
});

export type SendOffsetsParams = ReturnType<typeof sendOffsetsParams>;

const endParams = params({ transaction: handle() });

/** The offsets to commit for processed messages: per partition, one past the highest offset. */
export function offsetsAfter(messages: readonly MessageRef[]): TxnOffset[] {
  const next = new Map<string, TxnOffset>();
  for (const m of messages) {
    const key = `${m.partition}:${m.topic}`;
    const current = next.get(key);
    if (current === undefined || m.offset + 1n > current.offset) next.set(key, { topic: m.topic, partition: m.partition, offset: m.offset + 1n });
  }
  return [...next.values()];
}

/** Which form of sendOffsetsToTransaction the params are, with the one-of rules checked. */
export function offsetsForm(p: SendOffsetsParams): { kind: 'offsets'; group: string; offsets: TxnOffset[] } | { kind: 'messages'; subscription?: string; group?: string; messages: MessageRef[] } {
  if ((p.offsets === undefined) === (p.messages === undefined)) {
    throw new InvalidParamsError('params', 'exactly one of offsets (with group) and messages (with subscription or group)', p.offsets === undefined ? 'neither' : 'both');
  }
  if (p.offsets !== undefined) {
    if (p.group === undefined) throw new InvalidParamsError('params.group', 'the consumer group whose offsets these are (required with offsets)', 'nothing');
    if (p.subscription !== undefined) throw new InvalidParamsError('params.subscription', 'nothing with offsets (name the group instead)', 'a subscription');
    const offsets = p.offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? null }));
    return { kind: 'offsets', group: p.group, offsets };
  }
  if ((p.subscription === undefined) === (p.group === undefined)) {
    throw new InvalidParamsError('params', 'exactly one of subscription (push) and group (fetch leases) with messages', p.subscription === undefined ? 'neither' : 'both');
  }
  return { kind: 'messages', subscription: p.subscription, group: p.group, messages: p.messages as MessageRef[] };
}

/** Acks or nacks at a transaction's end; a partition revoked meanwhile has a new owner, who reads from the committed offset. */
function settle(apply: () => number): void {
  try {
    apply();
  } catch (error) {
    if (!(error instanceof TrackerRevokedError || error instanceof TrackerUnknownError)) throw error;
  }
}

export function registerTransactionMethods(table: MethodTable, deps: TransactionMethodDeps): void {
  const { transactions, consumers, subscriptions, membership } = deps;

  const consumed = (form: { subscription?: string; group?: string }): { group: string; core: ConsumerCore } => {
    if (form.subscription !== undefined) {
      const entry = subscriptions.get(form.subscription);
      if (entry === undefined) throw new UnknownSubscriptionError(form.subscription);
      entry.lastSeen = Date.now();
      return { group: entry.group, core: entry.core };
    }
    const core = consumers.find(form.group!);
    if (core === undefined) throw new UnknownGroupError(form.group!);
    return { group: form.group!, core };
  };

  table.register(
    'beginTransaction',
    method(
      'Begins a transaction with a transactional id; answers {transaction} (the handle for produce, sendOffsetsToTransaction, commitTransaction, abortTransaction).',
      beginParams(deps.maxTimeoutMs),
      async (p, ctx) => {
        // A NATS request without a deliver subject has a session that ends with its answer: such a
        // transaction lives until it is ended or its timeout passes.
        const bind = ctx.session.transport === TransportName.unix || p.deliverSubject !== undefined;
        const info = await transactions.begin(ctx.session, p.transactionalId, p.timeoutMs ?? deps.maxTimeoutMs, bind);
        return { transaction: info.transaction, transactionalId: info.transactionalId, deadline: info.deadline };
      },
    ),
  );

  table.register(
    'sendOffsetsToTransaction',
    method(
      "Adds a consumer group's offsets to a transaction: explicit {group, offsets}, or the messages an app consumed {subscription | group, messages} (acked on commit, redelivered on abort).",
      sendOffsetsParams,
      async (p) => {
        const form = offsetsForm(p);
        if (form.kind === 'offsets') {
          await transactions.sendOffsets(p.transaction, form.offsets, { groupId: form.group, ...membership(form.group) });
          return { offsets: form.offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset.toString() })) };
        }
        const { group, core } = consumed(form);
        const assigned = new Set(core.assignedPartitions().map((tp) => `${tp.partition}:${tp.topic}`));
        for (const m of form.messages) if (!assigned.has(`${m.partition}:${m.topic}`)) throw new RevokedPartitionError(m.topic, m.partition);
        const member = membership(group);
        if (member === undefined) throw new NotReadyError(`group "${group}" has no member in this daemon right now (it is rebalancing); retry`);
        const offsets = offsetsAfter(form.messages);
        await transactions.sendOffsets(p.transaction, offsets, { groupId: group, ...member }, {
          committed: () => settle(() => core.ack(form.messages)),
          aborted: () => settle(() => core.nack(form.messages, 0)),
        });
        return { offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset.toString() })) };
      },
    ),
  );

  table.register(
    'commitTransaction',
    method('Commits a transaction: its records become visible to read_committed consumers and its offsets are committed.', endParams, async (p) => {
      await transactions.commit(p.transaction);
      return {};
    }),
  );

  table.register(
    'abortTransaction',
    method('Aborts a transaction: its records stay invisible to read_committed consumers; its consumed messages are delivered again.', endParams, async (p) => {
      await transactions.abort(p.transaction);
      return {};
    }),
  );
}
