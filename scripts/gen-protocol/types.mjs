// TypeScript types, defaults and "differs from default" tests for fields.
import { condition } from './versions.mjs';

const TS_PRIMITIVE = {
  bool: 'boolean',
  int8: 'number',
  int16: 'number',
  uint16: 'number',
  int32: 'number',
  uint32: 'number',
  int64: 'bigint',
  float64: 'number',
  string: 'string',
  uuid: 'string',
  bytes: 'Buffer',
  records: 'Buffer',
};

const INT_RANGE = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

export function hasNull(field) {
  return field.nullable !== null;
}

export function elementType(elem) {
  return elem.kind === 'prim' ? TS_PRIMITIVE[elem.prim] : elem.struct.tsName;
}

export function tsType(field) {
  const t = field.type;
  let base;
  if (t.kind === 'prim') base = TS_PRIMITIVE[t.prim];
  else if (t.kind === 'array') base = `${elementType(t.elem)}[]`;
  else base = t.struct.tsName;
  return hasNull(field) ? `${base} | null` : base;
}

/** A single-quoted TypeScript string literal. */
export function tsString(s) {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function isNullSpec(spec) {
  return spec === null || spec === 'null';
}

/**
 * The default value as a TypeScript expression. `needs.defaults` collects structs whose
 * default-building function the file must contain.
 */
export function defaultExpr(field, needs) {
  const t = field.type;
  const spec = field.defaultSpec;
  const where = `${field.name}`;
  if (isNullSpec(spec)) {
    if (!hasNull(field)) throw new Error(`${where}: default null on a field that is never nullable`);
    return 'null';
  }
  if (t.kind === 'array') return '[]';
  if (t.kind === 'struct') {
    needs.defaults.add(t.struct);
    return `default${t.struct.tsName}()`;
  }
  switch (t.prim) {
    case 'bool':
      return spec === true || spec === 'true' ? 'true' : 'false';
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32': {
      if (spec === undefined || spec === '') return '0';
      const s = String(spec).trim();
      const n = /^-?0x/i.test(s) ? (s.startsWith('-') ? -parseInt(s.slice(1), 16) : parseInt(s, 16)) : Number(s);
      const [lo, hi] = INT_RANGE[t.prim];
      if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${where}: default ${s} is not a valid ${t.prim}`);
      return String(n);
    }
    case 'int64': {
      if (spec === undefined || spec === '') return '0n';
      const s = String(spec).trim();
      const n = s.startsWith('-') ? -BigInt(s.slice(1)) : BigInt(s);
      return `${n}n`;
    }
    case 'float64': {
      if (spec === undefined || spec === '') return '0';
      const n = Number(spec);
      if (Number.isNaN(n)) throw new Error(`${where}: default ${spec} is not a number`);
      return String(n);
    }
    case 'string':
      return tsString(spec === undefined ? '' : String(spec));
    case 'uuid':
      if (spec !== undefined && spec !== '' && spec !== 'AAAAAAAAAAAAAAAAAAAAAA') {
        throw new Error(`${where}: only the zero uuid is supported as a default`);
      }
      return 'ZERO_UUID';
    case 'bytes':
    case 'records':
      if (spec !== undefined && spec !== '') throw new Error(`${where}: unsupported default ${spec} for ${t.prim}`);
      // Kafka leaves a records field null unless set; a field that can never be null starts empty.
      return t.prim === 'records' && hasNull(field) ? 'null' : 'EMPTY_BUFFER';
    default:
      throw new Error(`${where}: unknown type ${t.prim}`);
  }
}

/**
 * A boolean expression that is true when `v` (an expression naming the value) differs from
 * the field's default. Optional fields count as default when undefined.
 */
export function nonDefaultExpr(field, v, needs, mayBeUndefined) {
  const t = field.type;
  const def = defaultExpr(field, needs);
  let test;
  if (def === 'null') {
    test = `${v} !== null`;
  } else if (t.kind === 'array' || (t.kind === 'prim' && (t.prim === 'bytes' || t.prim === 'records'))) {
    test = hasNull(field) ? `(${v} === null || ${v}.length !== 0)` : `${v}.length !== 0`;
  } else if (t.kind === 'struct') {
    needs.isDefaults.add(t.struct);
    test = hasNull(field) ? `(${v} === null || !isDefault${t.struct.tsName}(${v}))` : `!isDefault${t.struct.tsName}(${v})`;
  } else {
    test = `${v} !== ${def}`;
  }
  return mayBeUndefined ? `(${v} !== undefined && ${test})` : test;
}

/** A short description of a field's versions for the doc comment of its property. */
export function fieldNote(field, ctx) {
  const parts = [];
  const fmt = (r) => (r.hi === Infinity || (ctx && r.hi >= ctx.hi) ? `${r.lo}+` : r.lo === r.hi ? `${r.lo}` : `${r.lo}-${r.hi}`);
  parts.push(field.versions ? `versions ${fmt(field.versions)}` : 'no versions');
  if (field.nullable) parts.push(`nullable ${fmt(field.nullable)}`);
  if (field.tag !== undefined) parts.push(`tag ${field.tag}`);
  if (field.defaultSpec !== undefined) parts.push(`default ${String(field.defaultSpec)}`);
  if (field.ignorable) parts.push('ignorable');
  if (field.type.kind === 'prim' && field.type.prim === 'uuid') parts.push('base64url uuid');
  return parts.join(', ');
}

export { condition };
