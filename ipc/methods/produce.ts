/**
 * produce: writes an app's messages to one topic through the daemon's producer and answers,
 * once the broker acknowledged them (unless acks is "none"), with one result per message in
 * order: {partition, offset} or {error: {code, message, retriable}}. A bad message fails alone
 * (a partition the topic lacks, a record too large); the call itself fails only for bad params
 * (-32602 naming the field) or a producer that is not running (-32001).
 *
 * Keys, values and header values are in the request's `encoding` (utf8, base64, json); offsets
 * are decimal strings ("-1" with acks "none", where the broker does not say).
 *
 * With `transaction` (a handle from beginTransaction) the messages go through that
 * transaction's producer (acks=all, idempotent) and become visible to read_committed consumers
 * only when it commits; a message that fails dooms the transaction (commit then answers
 * TRANSACTION_ABORTABLE).
 */
import type { RecordOutcome } from '../../machines/producer/delivery.js';
import type { AcksMode, OutgoingRecord, Producer } from '../../machines/producer/producer.js';
import { MAX_RECORD_TIMESTAMP } from '../../machines/producer/record-size.js';
import { dataValue, encodingParam, headersValue, type DataEncoding } from '../data-encoding.js';
import { InvalidParamsError, NotReadyError } from '../errors.js';
import { method, type MethodTable } from '../method-table.js';
import { array, integer, object, oneOf, optional, params, string, withDefault, type Validator } from '../params.js';
import type { TransactionRegistry } from '../transactions.js';
import { topicName } from './admin.js';

/** Most messages one call may carry; larger batches belong in several calls. */
export const MAX_MESSAGES_PER_CALL = 100_000;

export const ACKS_PARAM = ['all', 'leader', 'none'] as const;

export type ProduceResult = { partition: number; offset: string } | { error: { code: string; message: string; retriable: boolean } };

export interface ProduceParams {
  readonly topic: string;
  readonly messages: OutgoingRecord[];
  readonly acks: AcksMode | undefined;
  /** A transaction handle: the messages are part of that transaction. */
  readonly transaction: string | undefined;
}

function messageValidator(encoding: DataEncoding): Validator<OutgoingRecord> {
  const shape = object({
    key: withDefault(dataValue(encoding), null),
    value: dataValue(encoding),
    headers: withDefault(headersValue(encoding), []),
    partition: optional(integer({ min: 0, max: 2 ** 31 - 1 })),
    timestamp: optional(integer({ min: 0, max: MAX_RECORD_TIMESTAMP })),
  });
  return (value, field) => {
    const m = shape(value, field);
    // A message without a timestamp gets the time the call arrived (CreateTime).
    return { key: m.key ?? null, value: m.value, headers: m.headers ?? [], timestamp: m.timestamp ?? Date.now(), partition: m.partition };
  };
}

const byEncoding = new Map<DataEncoding, Validator<ProduceParams>>(
  (['utf8', 'base64', 'json'] as const).map((encoding) => [
    encoding,
    (() => {
      const inner = params({
        topic: topicName(),
        messages: array(messageValidator(encoding), { minItems: 1, maxItems: MAX_MESSAGES_PER_CALL }),
        acks: optional(oneOf(ACKS_PARAM)),
        encoding: encodingParam,
        transaction: optional(string({ minLength: 1, maxLength: 200 })),
      });
      return (value: unknown, field: string): ProduceParams => {
        const p = inner(value, field);
        // Kafka takes transactional records only with acks=all.
        if (p.transaction !== undefined && p.acks !== undefined && p.acks !== 'all') throw new InvalidParamsError(`${field}.acks`, '"all" or nothing with a transaction', `"${p.acks}"`);
        return { topic: p.topic, messages: p.messages, acks: p.acks, transaction: p.transaction };
      };
    })(),
  ]),
);

/** The encoding decides how messages are read, so it is checked first. */
export const produceParams: Validator<ProduceParams> = (value, field) => {
  const raw = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { encoding?: unknown }).encoding : undefined;
  const encoding = encodingParam(raw, `${field}.encoding`) ?? 'utf8';
  return byEncoding.get(encoding)!(value, field);
};

export function produceResults(outcomes: readonly RecordOutcome[]): ProduceResult[] {
  return outcomes.map((o) => {
    if (o.ok) return { partition: o.partition, offset: o.offset.toString() };
    const coded = o.error as { code?: unknown; retriable?: unknown };
    return {
      error: {
        code: typeof coded.code === 'string' ? coded.code : 'INTERNAL_ERROR',
        message: o.error.message,
        retriable: coded.retriable === true,
      },
    };
  });
}

export function registerProduceMethod(table: MethodTable, producer: () => Producer | undefined, transactions?: TransactionRegistry): void {
  table.register(
    'produce',
    method('Writes messages to a topic (inside a transaction when given one); answers one {partition, offset} or {error} per message, in order.', produceParams, async (p) => {
      if (p.transaction !== undefined) {
        if (transactions === undefined) throw new InvalidParamsError('params.transaction', 'nothing: this daemon serves no transactions', 'a transaction handle');
        return { results: produceResults(await transactions.produce(p.transaction, p.topic, p.messages)) };
      }
      const current = producer();
      if (current === undefined) throw new NotReadyError('the producer is restarting or stopped');
      const outcomes = await current.send(p.topic, p.messages, p.acks ?? current.settings.acks);
      return { results: produceResults(outcomes) };
    }),
  );
}
