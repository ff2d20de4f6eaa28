/**
 * Test-side reading of Kafka's JSON message definitions (written apart from the generator on
 * purpose, so a shared misreading cannot make both sides agree): fast-check arbitraries of a
 * message at one version, and the value a decoder must return for it (fields the version lacks
 * take their defaults).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';

export const definitionsDir = process.env.KAFKA_PROTOCOL_DIR ?? resolve(process.cwd(), '../shared/kafka-protocol/message');

interface JsonField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  fields?: JsonField[];
}

export interface JsonMessage {
  name: string;
  type: 'request' | 'response' | 'header' | 'data';
  apiKey?: number;
  validVersions: string;
  flexibleVersions: string;
  fields: JsonField[];
  commonStructs?: { name: string; fields: JsonField[] }[];
}

export function loadJsonMessages(dir = definitionsDir): JsonMessage[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as JsonMessage);
}

/** Does version `v` fall in a spec like "3+", "0-4", "7" or "none"? */
export function inVersions(spec: string | undefined, v: number): boolean {
  if (spec === undefined || spec === 'none') return false;
  if (spec.endsWith('+')) return v >= Number(spec.slice(0, -1));
  const [lo, hi] = spec.split('-').map(Number);
  return hi === undefined ? v === lo : v >= lo && v <= hi;
}

export function versionList(spec: string): number[] {
  const [lo, hi] = spec.split('-').map(Number);
  const out: number[] = [];
  for (let v = lo; v <= (hi ?? lo); v++) out.push(v);
  return out;
}

const propName = (n: string): string => n[0].toLowerCase() + n.slice(1);

const INT_BOUNDS: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

const bufferArb = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
const uuidArb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a).toString('base64url'));
const stringArb = fc.string({ unit: 'binary', maxLength: 12 });

function primitiveArb(type: string): fc.Arbitrary<unknown> {
  if (type in INT_BOUNDS) {
    const [min, max] = INT_BOUNDS[type];
    return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max, 0, -1 >= min ? -1 : 1));
  }
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int64':
      return fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(-1n, 0n, 2n ** 63n - 1n));
    case 'float64':
      return fc.double();
    case 'string':
      return stringArb;
    case 'uuid':
      return uuidArb;
    case 'bytes':
    case 'records':
      return bufferArb;
    default:
      throw new Error(`no arbitrary for ${type}`);
  }
}

/** Resolves struct types (inline `fields` or commonStructs) of one message. */
export class MessageSchema {
  private readonly common = new Map<string, JsonField[]>();

  constructor(readonly message: JsonMessage) {
    for (const cs of message.commonStructs ?? []) this.common.set(cs.name, cs.fields);
  }

  private structFields(f: JsonField): JsonField[] {
    const name = f.type.replace(/^\[\]/, '');
    const fields = f.fields ?? this.common.get(name);
    if (!fields) throw new Error(`${this.message.name}: no struct ${name}`);
    return fields;
  }

  private isPrimitive(type: string): boolean {
    return type in INT_BOUNDS || ['bool', 'int64', 'float64', 'string', 'uuid', 'bytes', 'records'].includes(type);
  }

  /** An arbitrary message at version v: only the fields that version has. */
  arbitrary(v: number, fields = this.message.fields, depth = 0): fc.Arbitrary<Record<string, unknown>> {
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of fields) {
      if (!inVersions(f.versions, v)) continue;
      shape[propName(f.name)] = this.fieldArb(f, v, depth);
    }
    return fc.record(shape);
  }

  private fieldArb(f: JsonField, v: number, depth: number): fc.Arbitrary<unknown> {
    let arb: fc.Arbitrary<unknown>;
    if (f.type.startsWith('[]')) {
      const elem = f.type.slice(2);
      const elemArb = this.isPrimitive(elem) ? primitiveArb(elem) : this.arbitrary(v, this.structFields(f), depth + 1);
      arb = fc.array(elemArb, { maxLength: depth === 0 ? 3 : 2 });
    } else if (this.isPrimitive(f.type)) {
      arb = primitiveArb(f.type);
    } else {
      arb = this.arbitrary(v, this.structFields(f), depth + 1);
    }
    if (inVersions(f.nullableVersions, v)) arb = fc.option(arb, { nil: null, freq: 4 });
    return arb;
  }

  /** What decoding the encoding of `value` at version v must give: absent fields as defaults. */
  expected(v: number, value: Record<string, unknown>, fields = this.message.fields): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const p = propName(f.name);
      if (!inVersions(f.versions, v)) {
        out[p] = this.defaultOf(f);
        continue;
      }
      const x = value[p];
      if (x === null) out[p] = null;
      else if (x === undefined) out[p] = this.defaultOf(f);
      else if (f.type.startsWith('[]') && !this.isPrimitive(f.type.slice(2))) {
        const inner = this.structFields(f);
        out[p] = (x as Record<string, unknown>[]).map((e) => this.expected(v, e, inner));
      } else if (!f.type.startsWith('[]') && !this.isPrimitive(f.type)) {
        out[p] = this.expected(v, x as Record<string, unknown>, this.structFields(f));
      } else out[p] = x;
    }
    return out;
  }

  /** Kafka's default of a field, written out independently of the generator's rules. */
  defaultOf(f: JsonField): unknown {
    const d = f.default;
    if (d === 'null') return null;
    if (f.type.startsWith('[]')) return [];
    if (!this.isPrimitive(f.type)) return this.structDefault(f);
    switch (f.type) {
      case 'bool':
        return d === true || d === 'true';
      case 'int64':
        return d === undefined ? 0n : BigInt(d);
      case 'float64':
        return d === undefined ? 0 : Number(d);
      case 'string':
        return d === undefined ? '' : String(d);
      case 'uuid':
        return 'AAAAAAAAAAAAAAAAAAAAAA';
      case 'bytes':
        return Buffer.alloc(0);
      case 'records':
        return f.nullableVersions ? null : Buffer.alloc(0);
      default:
        return d === undefined ? 0 : Number(d);
    }
  }

  /** A struct whose every field (at every version) holds its default. */
  private structDefault(f: JsonField): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const inner of this.structFields(f)) out[propName(inner.name)] = this.defaultOf(inner);
    return out;
  }
}
