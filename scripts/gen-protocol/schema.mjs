// Reads Kafka's JSON message definitions into the model the emitters work from: one struct per
// message body, header or nested type, each field with its type and version ranges resolved.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseRange, intersect, hull, covers, sameRange } from './versions.mjs';
import { propertyName } from './naming.mjs';

export const PRIMITIVES = new Set([
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'uuid', 'records',
]);
/** Types that may be null in their nullableVersions (besides arrays and structs). */
const NULLABLE_PRIMITIVES = new Set(['string', 'bytes', 'records']);

/** Kafka's files are JSON with whole-line and trailing `//` comments. */
export function stripComments(text) {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

export function readDefinitionFiles(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return files.map((file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    try {
      return { file, json: JSON.parse(stripComments(text)) };
    } catch (e) {
      throw new Error(`${file}: ${e.message}`);
    }
  });
}

/** Builds the model of one message file. */
export function buildMessage(json, file) {
  const what = (s) => `${file}: ${s}`;
  const valid = parseRange(json.validVersions, what('validVersions'));
  if (!valid || valid.hi === Infinity) throw new Error(what(`validVersions must be a closed range`));
  const clamp = (r) => (r ? intersect(r, { lo: 0, hi: valid.hi }) : null);
  const flexible = clamp(parseRange(json.flexibleVersions, what('flexibleVersions')));
  const message = {
    file,
    name: json.name,
    kind: json.type,
    apiKey: json.apiKey,
    valid,
    flexible,
    latestVersionUnstable: json.latestVersionUnstable === true,
    structs: [],
    root: null,
  };

  const common = new Map();
  for (const cs of json.commonStructs ?? []) common.set(cs.name, { spec: cs, struct: null });
  const defined = new Map();

  const defineStruct = (jsonName, fieldSpecs) => {
    if (defined.has(jsonName)) throw new Error(what(`struct ${jsonName} defined twice`));
    const struct = {
      jsonName,
      tsName: jsonName.startsWith(message.name) ? jsonName : message.name + jsonName,
      fields: [],
      usage: null,
    };
    defined.set(jsonName, struct);
    message.structs.push(struct);
    struct.fields = fieldSpecs.map((f) => buildField(f, struct));
    return struct;
  };

  const structFor = (typeName, f, owner) => {
    if (f.fields) return defineStruct(typeName, f.fields);
    const c = common.get(typeName);
    if (!c) throw new Error(what(`${owner.jsonName}.${f.name}: unknown type ${typeName}`));
    if (!c.struct) c.struct = defineStruct(typeName, c.spec.fields);
    return c.struct;
  };

  const parseType = (typeName, f, owner) => {
    if (PRIMITIVES.has(typeName)) return { kind: 'prim', prim: typeName };
    if (typeName.startsWith('[]')) {
      const elemName = typeName.slice(2);
      const elem = PRIMITIVES.has(elemName)
        ? { kind: 'prim', prim: elemName }
        : { kind: 'struct', struct: structFor(elemName, f, owner) };
      if (elem.kind === 'prim' && (elemName === 'records' || elemName === 'bytes')) {
        throw new Error(what(`${f.name}: arrays of ${elemName} are not supported`));
      }
      return { kind: 'array', elem };
    }
    return { kind: 'struct', struct: structFor(typeName, f, owner) };
  };

  function buildField(f, owner) {
    const fw = (s) => what(`${owner.jsonName}.${f.name}: ${s}`);
    const field = {
      name: f.name,
      prop: propertyName(f.name),
      type: parseType(f.type, f, owner),
      versions: clamp(parseRange(f.versions, fw('versions'))),
      nullable: clamp(parseRange(f.nullableVersions, fw('nullableVersions'))),
      tagged: clamp(parseRange(f.taggedVersions, fw('taggedVersions'))),
      tag: f.tag,
      ignorable: f.ignorable === true,
      defaultSpec: f.default,
      // Only the request header's client id overrides flexibility (it stays a classic string).
      flexibleOverride: f.flexibleVersions === undefined ? undefined : clamp(parseRange(f.flexibleVersions, fw('flexibleVersions'))),
      optional: false,
    };
    if (field.nullable && field.type.kind === 'prim' && !NULLABLE_PRIMITIVES.has(field.type.prim)) {
      throw new Error(fw(`type ${field.type.prim} cannot be nullable`));
    }
    if ((field.tag === undefined) !== (field.tagged === null)) throw new Error(fw('tag and taggedVersions go together'));
    if (field.tagged) {
      if (!sameRange(field.tagged, field.versions)) throw new Error(fw('tagged in only part of its versions'));
      if (!covers(flexible, field.tagged)) throw new Error(fw('tagged outside the flexible versions'));
    }
    return field;
  }

  message.root = { jsonName: message.name, tsName: message.name, fields: [], usage: valid, isRoot: true };
  message.root.fields = (json.fields ?? []).map((f) => buildField(f, message.root));

  // Which versions each struct is used at: a struct's fields are optional in TypeScript when
  // they do not exist in every version the struct itself exists in.
  const visit = (struct) => {
    for (const field of struct.fields) {
      const present = intersect(field.versions, struct.usage);
      const target = field.type.kind === 'struct' ? field.type.struct : field.type.elem?.kind === 'struct' ? field.type.elem.struct : null;
      if (target && present) {
        const grown = hull(target.usage, present);
        if (!sameRange(grown, target.usage)) {
          target.usage = grown;
          visit(target);
        }
      }
    }
  };
  visit(message.root);
  for (const struct of [message.root, ...message.structs]) {
    for (const field of struct.fields) field.optional = !struct.usage || !covers(field.versions, struct.usage);
  }
  // Readers bound an array count by the bytes left, which holds only while every element takes
  // at least one byte; a struct with nothing to write at some non-flexible version would break it.
  for (const struct of message.structs) {
    if (!struct.usage) continue;
    for (let v = struct.usage.lo; v <= struct.usage.hi; v++) {
      const flexibleHere = flexible && v >= flexible.lo;
      const hasBytes = struct.fields.some((f) => f.tag === undefined && f.versions && v >= f.versions.lo && v <= f.versions.hi);
      if (!flexibleHere && !hasBytes) throw new Error(what(`struct ${struct.jsonName} encodes to zero bytes at version ${v}`));
    }
  }
  const tags = new Set();
  for (const struct of [message.root, ...message.structs]) {
    tags.clear();
    for (const field of struct.fields) {
      if (field.tag === undefined) continue;
      if (tags.has(field.tag)) throw new Error(what(`${struct.jsonName}: tag ${field.tag} used twice`));
      tags.add(field.tag);
    }
  }
  return message;
}

/** Loads every message file of `dir` and pairs requests with responses by API key. */
export function loadDefinitions(dir) {
  const messages = readDefinitionFiles(dir).map(({ file, json }) => buildMessage(json, file));
  const byKey = new Map();
  const headers = [];
  const data = [];
  for (const m of messages) {
    if (m.kind === 'header') headers.push(m);
    else if (m.kind === 'data') data.push(m);
    else if (m.kind === 'request' || m.kind === 'response') {
      const api = byKey.get(m.apiKey) ?? { key: m.apiKey, request: null, response: null };
      if (api[m.kind]) throw new Error(`${m.file}: a second ${m.kind} for API key ${m.apiKey}`);
      api[m.kind] = m;
      byKey.set(m.apiKey, api);
    } else {
      throw new Error(`${m.file}: unknown message type ${m.kind}`);
    }
  }
  const apis = [...byKey.values()].sort((a, b) => a.key - b.key);
  for (const api of apis) {
    if (!api.request || !api.response) throw new Error(`API key ${api.key} lacks a request or a response`);
    const { request, response } = api;
    if (!sameRange(request.valid, response.valid) || !sameRange(request.flexible, response.flexible)) {
      throw new Error(`${request.name}/${response.name}: request and response versions disagree`);
    }
    api.name = request.name.replace(/Request$/, '');
  }
  return { apis, headers, data };
}
