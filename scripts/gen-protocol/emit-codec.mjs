// Emits the interfaces and straight-line encode/decode functions of one message: a function
// pair per struct, fields in definition order, version differences as `if (version ...)`
// branches inside the one function, tagged fields in a trailing section.
import { condition, intersect } from './versions.mjs';
import { tsType, elementType, hasNull, defaultExpr, nonDefaultExpr, fieldNote } from './types.mjs';
import { localName } from './naming.mjs';

const WRITE_PRIMITIVE = {
  bool: 'writeBool',
  int8: 'writeInt8',
  int16: 'writeInt16',
  uint16: 'writeUint16',
  int32: 'writeInt32',
  uint32: 'writeUint32',
  int64: 'writeInt64',
  float64: 'writeFloat64',
  uuid: 'writeUuid',
};
const READ_PRIMITIVE = {
  bool: 'readBool',
  int8: 'readInt8',
  int16: 'readInt16',
  uint16: 'readUint16',
  int32: 'readInt32',
  uint32: 'readUint32',
  int64: 'readInt64',
  float64: 'readFloat64',
  uuid: 'readUuid',
};
/** [classic, compact] x [non-null, nullable] method suffixes of length-prefixed types. */
const SIZED = {
  string: { plain: ['String', 'CompactString'], nullable: ['NullableString', 'CompactNullableString'] },
  bytes: { plain: ['Bytes', 'CompactBytes'], nullable: ['NullableBytes', 'CompactNullableBytes'] },
  records: { plain: ['Bytes', 'CompactBytes'], nullable: ['NullableBytes', 'CompactNullableBytes'] },
};

/** Picks between two expressions by a mode from `condition()`. */
function pick(mode, whenTrue, whenFalse) {
  if (mode === 'all') return whenTrue;
  if (mode === 'none') return whenFalse;
  return `(${mode} ? ${whenTrue} : ${whenFalse})`;
}

/** Emits statements chosen by a mode: one branch, or an if/else. */
function branch(code, mode, whenTrue, whenFalse) {
  if (mode === 'all') whenTrue();
  else if (mode === 'none') whenFalse();
  else {
    code.line(`if (${mode}) {`);
    code.depth++;
    whenTrue();
    code.depth--;
    code.line('} else {');
    code.depth++;
    whenFalse();
    code.depth--;
    code.line('}');
  }
}

export class MessageEmitter {
  constructor(message) {
    this.message = message;
    this.needs = { defaults: new Set(), isDefaults: new Set() };
    this.counter = 0;
  }

  fresh(base) {
    return `${base}${++this.counter}`;
  }

  /** Flexible-encoding mode of a field inside the versions it is present at. */
  flexMode(field, present) {
    const range = field.flexibleOverride !== undefined ? field.flexibleOverride : this.message.flexible;
    return condition(range, present);
  }

  structs() {
    return [this.message.root, ...this.message.structs];
  }

  emitInterfaces(code) {
    for (const struct of this.structs()) {
      if (struct.fields.length === 0) {
        code.line(`/** Has no fields in any version. */`);
        code.line(`export type ${struct.tsName} = Record<string, never>;`);
        code.line();
        continue;
      }
      code.block(`export interface ${struct.tsName}`, () => {
        for (const f of struct.fields) {
          code.line(`/** ${fieldNote(f, struct.usage)} */`);
          code.line(`${f.prop}${f.optional ? '?' : ''}: ${tsType(f)};`);
        }
      });
      code.line();
    }
  }

  // ----- encoding -----

  /** Statements writing value `v` (a local) of `field` to writer `w`, for versions `present`. */
  writeValue(code, w, field, v, present, path) {
    const t = field.type;
    const flex = this.flexMode(field, present);
    const nullMode = condition(field.nullable, present);
    const nullable = hasNull(field);
    // A null value in a version where the field is not nullable is the caller's mistake.
    const guardNull = () => {
      if (!nullable || nullMode === 'all') return;
      if (nullMode === 'none') code.line(`if (${v} === null) throw nullEncoded('${path}', version);`);
      else code.line(`if (${v} === null && !(${nullMode})) throw nullEncoded('${path}', version);`);
    };
    if (t.kind === 'prim' && SIZED[t.prim]) {
      guardNull();
      const names = nullable && nullMode !== 'none' ? SIZED[t.prim].nullable : SIZED[t.prim].plain;
      branch(
        code,
        flex,
        () => code.line(`${w}.write${names[1]}(${v});`),
        () => code.line(`${w}.write${names[0]}(${v});`),
      );
    } else if (t.kind === 'prim') {
      code.line(`${w}.${WRITE_PRIMITIVE[t.prim]}(${v});`);
    } else if (t.kind === 'array') {
      const writeItems = () => {
        branch(
          code,
          flex,
          () => code.line(`${w}.writeCompactArrayLength(${v}.length);`),
          () => code.line(`${w}.writeArrayLength(${v}.length);`),
        );
        const i = this.fresh('i');
        code.block(`for (let ${i} = 0; ${i} < ${v}.length; ${i}++)`, () => {
          this.writeElement(code, w, t.elem, `${v}[${i}]`, flex);
        });
      };
      if (nullable && nullMode !== 'none') {
        guardNull();
        code.block(`if (${v} === null)`, () =>
          branch(
            code,
            flex,
            () => code.line(`${w}.writeUnsignedVarint(0);`),
            () => code.line(`${w}.writeInt32(-1);`),
          ),
        );
        code.block('else', writeItems);
      } else {
        guardNull();
        writeItems();
      }
    } else {
      const s = t.struct.tsName;
      const nullablePath = () => {
        code.line(`if (${v} === null) ${w}.writeInt8(-1);`);
        code.block('else', () => {
          code.line(`${w}.writeInt8(1);`);
          code.line(`write${s}(${w}, version, ${v});`);
        });
      };
      const plainPath = () => {
        if (nullable) code.line(`if (${v} === null) throw nullEncoded('${path}', version);`);
        code.line(`write${s}(${w}, version, ${v});`);
      };
      if (!nullable) plainPath();
      else branch(code, nullMode, nullablePath, plainPath);
    }
  }

  writeElement(code, w, elem, v, flex) {
    if (elem.kind === 'struct') {
      code.line(`write${elem.struct.tsName}(${w}, version, ${v});`);
    } else if (SIZED[elem.prim]) {
      const names = SIZED[elem.prim].plain;
      branch(
        code,
        flex,
        () => code.line(`${w}.write${names[1]}(${v});`),
        () => code.line(`${w}.write${names[0]}(${v});`),
      );
    } else {
      code.line(`${w}.${WRITE_PRIMITIVE[elem.prim]}(${v});`);
    }
  }

  /** `m.<prop>`, or its default when an optional field is left out (null stays null). */
  valueOrDefault(f) {
    const v = `m.${f.prop}`;
    if (!f.optional) return v;
    const def = defaultExpr(f, this.needs);
    return hasNull(f) ? `(${v} === undefined ? ${def} : ${v})` : `(${v} ?? ${def})`;
  }

  /** Throws when a field absent from the version holds a value Kafka would not drop silently. */
  absentCheck(code, struct, field, guard) {
    if (field.ignorable) return;
    const test = nonDefaultExpr(field, `m.${field.prop}`, this.needs, field.optional);
    const path = `${struct.jsonName}.${field.name}`;
    code.line(`if (${guard ? `${guard} && ` : ''}${test}) throw absentField('${path}', version);`);
  }

  emitWriter(code, struct) {
    const ctx = struct.usage;
    const m = this.message;
    code.block(`function write${struct.tsName}(w: Writer, version: number, m: ${struct.tsName}): void`, () => {
      const tagged = [];
      for (const f of struct.fields) {
        if (f.tag !== undefined) {
          tagged.push(f);
          continue;
        }
        const present = intersect(f.versions, ctx);
        const mode = condition(f.versions, ctx);
        const path = `${struct.jsonName}.${f.name}`;
        const writeIt = () => {
          if (f.type.kind === 'prim' && WRITE_PRIMITIVE[f.type.prim]) {
            const value = this.valueOrDefault(f);
            code.line(`w.${WRITE_PRIMITIVE[f.type.prim]}(${value});`);
            return;
          }
          const v = this.fresh('v');
          code.line(`const ${v} = ${this.valueOrDefault(f)};`);
          this.writeValue(code, 'w', f, v, present, path);
        };
        if (mode === 'all') writeIt();
        else if (mode === 'none') this.absentCheck(code, struct, f, null);
        else {
          code.block(`if (${mode})`, writeIt);
          if (!f.ignorable) {
            code.depth++;
            code.lines[code.lines.length - 1] = code.lines[code.lines.length - 1] + ' else {';
            this.absentCheck(code, struct, f, null);
            code.depth--;
            code.line('}');
          }
        }
      }
      const flexCtx = intersect(m.flexible, ctx);
      // A tagged field outside its tagged versions is absent like any other field.
      for (const f of tagged) {
        const mode = condition(f.tagged, ctx);
        if (mode === 'all') continue;
        this.absentCheck(code, struct, f, mode === 'none' ? null : `!(${mode})`);
      }
      if (!flexCtx) return;
      const section = () => {
        if (tagged.length === 0) {
          code.line('w.writeUnsignedVarint(0);');
          return;
        }
        const sorted = [...tagged].sort((a, b) => a.tag - b.tag);
        const flags = [];
        for (const f of sorted) {
          const mode = condition(f.tagged, flexCtx);
          const t = localName(f.prop);
          const flag = `has${t.slice(1)}`;
          flags.push({ f, t, flag, present: intersect(f.tagged, flexCtx), mode });
          code.line(`const ${t} = m.${f.prop};`);
          if (mode === 'none') {
            code.line(`const ${flag} = false;`);
          } else {
            const test = nonDefaultExpr(f, t, this.needs, f.optional);
            code.line(`const ${flag} = ${mode === 'all' ? '' : `${mode} && `}${test};`);
          }
        }
        code.line(`w.writeUnsignedVarint(${flags.map((x) => `(${x.flag} ? 1 : 0)`).join(' + ')});`);
        for (const x of flags) {
          if (x.mode === 'none') continue;
          code.block(`if (${x.flag}${x.f.optional ? ` && ${x.t} !== undefined` : ''})`, () => {
            code.line('const tw = new Writer(64);');
            this.writeValue(code, 'tw', x.f, x.t, x.present, `${struct.jsonName}.${x.f.name}`);
            code.line(`w.writeUnsignedVarint(${x.f.tag});`);
            code.line('w.writeUnsignedVarint(tw.length);');
            code.line('w.appendWriter(tw);');
          });
        }
      };
      const mode = condition(m.flexible, ctx);
      if (mode === 'all') section();
      else code.block(`if (${mode})`, section);
    });
    code.line();
  }

  // ----- decoding -----

  /** An expression reading one value of `field` at versions `present`, or null when it needs statements. */
  readExpr(field, present) {
    const t = field.type;
    const flex = this.flexMode(field, present);
    const nullMode = condition(field.nullable, present);
    if (t.kind === 'prim' && SIZED[t.prim]) {
      const { plain, nullable } = SIZED[t.prim];
      const byFlex = (names) => pick(flex, `r.read${names[1]}()`, `r.read${names[0]}()`);
      return pick(nullMode, byFlex(nullable), byFlex(plain));
    }
    if (t.kind === 'prim') return `r.${READ_PRIMITIVE[t.prim]}()`;
    if (t.kind === 'struct') {
      const read = `read${t.struct.tsName}(r, version)`;
      if (nullMode === 'all') return `(r.readInt8() < 0 ? null : ${read})`;
      if (nullMode === 'none') return read;
      return `(${nullMode} && r.readInt8() < 0 ? null : ${read})`;
    }
    return null;
  }

  readElementExpr(elem, flex) {
    if (elem.kind === 'struct') return `read${elem.struct.tsName}(r, version)`;
    if (SIZED[elem.prim]) {
      const names = SIZED[elem.prim].plain;
      return pick(flex, `r.read${names[1]}()`, `r.read${names[0]}()`);
    }
    return `r.${READ_PRIMITIVE[elem.prim]}()`;
  }

  /**
   * Statements reading `field` into the local `target`: declared here when `declareAs` gives its
   * type, otherwise already declared (with its default) by the caller.
   */
  readInto(code, field, target, present, path, declareAs = null) {
    const expr = this.readExpr(field, present);
    if (expr !== null) {
      code.line(declareAs ? `const ${target} = ${expr};` : `${target} = ${expr};`);
      return;
    }
    const t = field.type;
    const flex = this.flexMode(field, present);
    const nullMode = condition(field.nullable, present);
    const n = this.fresh('n');
    code.line(`const ${n} = ${pick(flex, 'r.readCompactArrayLength()', 'r.readArrayLength()')};`);
    const fill = (direct) => {
      const a = direct ? target : this.fresh('a');
      const i = this.fresh('i');
      code.line(`const ${a}: ${elementType(t.elem)}[] = [];`);
      code.line(`for (let ${i} = 0; ${i} < ${n}; ${i}++) ${a}.push(${this.readElementExpr(t.elem, flex)});`);
      if (!direct) code.line(`${target} = ${a};`);
    };
    const nullThrow = `throw nullDecoded('${path}', r.offset);`;
    if (nullMode === 'none' || !hasNull(field)) {
      code.line(`if (${n} < 0) ${nullThrow}`);
      fill(declareAs !== null);
    } else {
      if (declareAs) code.line(`let ${target}: ${declareAs} = null;`);
      code.block(`if (${n} < 0)`, () => {
        if (nullMode !== 'all') code.line(`if (!(${nullMode})) ${nullThrow}`);
        code.line(`${target} = null;`);
      });
      code.block('else', () => fill(false));
    }
  }

  emitReader(code, struct) {
    const ctx = struct.usage;
    const m = this.message;
    code.block(`function read${struct.tsName}(r: Reader, version: number): ${struct.tsName}`, () => {
      const tagged = [];
      for (const f of struct.fields) {
        const local = localName(f.prop);
        const type = tsType(f);
        if (f.tag !== undefined) {
          tagged.push(f);
          code.line(`let ${local}: ${type} = ${defaultExpr(f, this.needs)};`);
          continue;
        }
        const present = intersect(f.versions, ctx);
        const mode = condition(f.versions, ctx);
        const path = `${struct.jsonName}.${f.name}`;
        if (mode === 'none') {
          code.line(`const ${local}: ${type} = ${defaultExpr(f, this.needs)};`);
          continue;
        }
        const expr = this.readExpr(f, present);
        if (mode === 'all') {
          if (expr !== null) code.line(`const ${local} = ${expr};`);
          else this.readInto(code, f, local, present, path, type);
        } else if (expr !== null) {
          code.line(`const ${local}: ${type} = ${mode} ? ${expr} : ${defaultExpr(f, this.needs)};`);
        } else {
          code.line(`let ${local}: ${type} = ${defaultExpr(f, this.needs)};`);
          code.block(`if (${mode})`, () => this.readInto(code, f, local, present, path));
        }
      }
      const flexCtx = intersect(m.flexible, ctx);
      if (flexCtx) {
        const section = () => {
          const known = tagged.filter((f) => condition(f.tagged, flexCtx) !== 'none');
          if (known.length === 0) {
            code.line('r.skipTaggedFields();');
            return;
          }
          code.line('const tagCount = r.readUnsignedVarint();');
          code.block('for (let t = 0; t < tagCount; t++)', () => {
            code.line('const tag = r.readUnsignedVarint();');
            code.line('const end = r.taggedFieldEnd(r.readUnsignedVarint());');
            code.block('switch (tag)', () => {
              for (const f of [...known].sort((a, b) => a.tag - b.tag)) {
                const mode = condition(f.tagged, flexCtx);
                const present = intersect(f.tagged, flexCtx);
                code.line(`case ${f.tag}: {`);
                code.depth++;
                const body = () => {
                  this.readInto(code, f, localName(f.prop), present, `${struct.jsonName}.${f.name}`);
                  code.line(`r.checkTaggedFieldEnd(end, ${f.tag});`);
                };
                if (mode === 'all') body();
                else {
                  code.block(`if (${mode})`, body);
                  code.line('else r.offset = end;');
                }
                code.line('break;');
                code.depth--;
                code.line('}');
              }
              code.line('default:');
              code.depth++;
              code.line('// Unknown tags are skipped: newer brokers may add fields older clients ignore.');
              code.line('r.offset = end;');
              code.depth--;
            });
          });
        };
        const mode = condition(m.flexible, ctx);
        if (mode === 'all') section();
        else code.block(`if (${mode})`, section);
      }
      if (struct.fields.length === 0) code.line(`return {};`);
      else {
        code.line('return {');
        code.depth++;
        for (const f of struct.fields) code.line(`${f.prop}: ${localName(f.prop)},`);
        code.depth--;
        code.line('};');
      }
    });
    code.line();
  }

  // ----- defaults -----

  emitDefaultHelpers(code) {
    const doneDefaults = new Set();
    const doneIsDefaults = new Set();
    let progress = true;
    while (progress) {
      progress = false;
      for (const s of [...this.needs.defaults]) {
        if (doneDefaults.has(s)) continue;
        doneDefaults.add(s);
        progress = true;
        code.block(`function default${s.tsName}(): ${s.tsName}`, () => {
          if (s.fields.length === 0) code.line('return {};');
          else {
            code.line('return {');
            code.depth++;
            for (const f of s.fields) code.line(`${f.prop}: ${defaultExpr(f, this.needs)},`);
            code.depth--;
            code.line('};');
          }
        });
        code.line();
      }
      for (const s of [...this.needs.isDefaults]) {
        if (doneIsDefaults.has(s)) continue;
        doneIsDefaults.add(s);
        progress = true;
        code.block(`function isDefault${s.tsName}(m: ${s.tsName}): boolean`, () => {
          for (const f of s.fields) {
            code.line(`if (${nonDefaultExpr(f, `m.${f.prop}`, this.needs, f.optional)}) return false;`);
          }
          code.line('return true;');
        });
        code.line();
      }
    }
  }

  /** Exported wrappers that check the version and name the message in errors. */
  emitEntryPoints(code) {
    const m = this.message;
    const name = m.name;
    code.block(`export function encode${name}(w: Writer, version: number, m: ${name}): void`, () => {
      code.line(`checkVersion('${name}', version, ${m.valid.lo}, ${m.valid.hi});`);
      code.line('try {');
      code.line(`  write${name}(w, version, m);`);
      code.line('} catch (e) {');
      code.line(`  throw encodeFailure(e, '${name}', version);`);
      code.line('}');
    });
    code.line();
    code.block(`export function decode${name}(r: Reader, version: number): ${name}`, () => {
      code.line(`checkVersion('${name}', version, ${m.valid.lo}, ${m.valid.hi});`);
      code.line('try {');
      code.line(`  return read${name}(r, version);`);
      code.line('} catch (e) {');
      code.line(`  throw decodeFailure(e, '${name}', version);`);
      code.line('}');
    });
    code.line();
  }

  /** Everything for this message: interfaces, entry points, per-struct functions, default helpers. */
  emit(code) {
    this.emitInterfaces(code);
    this.emitEntryPoints(code);
    for (const struct of this.structs()) {
      if (!struct.usage) continue;
      this.emitWriter(code, struct);
      this.emitReader(code, struct);
    }
    this.emitDefaultHelpers(code);
  }
}
