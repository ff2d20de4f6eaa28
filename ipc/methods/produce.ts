/**
 * produce: writes an app's messages to one topic through the daemon's producer and answers,
 * once the broker acknowledged them (unless acks is "none"), with one result per message in
 * order: {partition, offset} or {error: {code, message, retriable}}. A bad message fails alone
 * (a partition the topic lacks, a record too large); the call itself fails only for bad params
 * (-32602 naming the field) or a producer that is not running (-32001).
 *
 * Keys, values and header values are in the request's `encoding` (utf8, base64, json); offsets
 * are decimal strings ("-1" with acks "none", where the broker does not say).
 */
import type { RecordOutcome } from '../../machines/producer/delivery.js';
import type { AcksMode, OutgoingRecord, Producer } from '../../machines/producer/producer.js';
import { MAX_RECORD_TIMESTAMP } from '../../machines/producer/record-size.js';
import { dataValue, encodingParam, headersValue, type DataEncoding } from '../data-encoding.js';
import { NotReadyError } from '../errors.js';
import { method, type MethodTable } from '../method-table.js';
import { array, integer, object, oneOf, optional, params, withDefault, type Validator } from '../params.js';
import { topicName } from './admin.js';

/** Most messages one call may carry; larger batches belong in several calls. */
export const MAX_MESSAGES_PER_CALL = 100_000;

export const ACKS_PARAM = ['all', 'leader', 'none'] as const;

export type ProduceResult = { partition: number; offset: string } | { error: { code: string; message: string; retriable: boolean } };

export interface ProduceParams {
  readonly topic: string;
  readonly messages: OutgoingRecord[];
  readonly acks: AcksMode | undefined;
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
      });
      return (value: unknown, field: string): ProduceParams => {
        const p = inner(value, field);
        return { topic: p.topic, messages: p.messages, acks: p.acks };
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

export function registerProduceMethod(table: MethodTable, producer: () => Producer | undefined): void {
  table.register(
    'produce',
    method('Writes messages to a topic; answers one {partition, offset} or {error} per message, in order.', produceParams, async (p) => {
      const current = producer();
      if (current === undefined) throw new NotReadyError('the producer is restarting or stopped');
      const outcomes = await current.send(p.topic, p.messages, p.acks ?? current.settings.acks);
      return { results: produceResults(outcomes) };
    }),
  );
}
