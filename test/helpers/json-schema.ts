/**
 * json-schema.ts (test helper): a JSON Schema (2020-12) validator for the subset of keywords the
 * OpenAPI document uses: type (with type arrays for nullable), properties, required,
 * additionalProperties, items, enum, const, pattern, minimum, maximum, format (uuid, date-time),
 * allOf, anyOf, oneOf and local $ref. A keyword it does not know is an error, so the document
 * cannot rely on a check that nobody makes.
 */

/** SchemaRoot is the document that `$ref`s point into. */
export type SchemaRoot = Record<string, unknown>;

const ANNOTATIONS = new Set(['description', 'title', 'example', 'examples', 'default', 'readOnly', 'writeOnly', 'deprecated', 'contentMediaType', 'contentEncoding', '$comment']);
const CHECKED = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'pattern', 'minimum', 'maximum', 'format', 'allOf', 'anyOf', 'oneOf', '$ref']);
const TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'integer', 'string']);

const FORMATS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  // RFC 3339 date-time: any number of fraction digits, Z or a numeric offset.
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** resolveRef follows a local `#/a/b` pointer inside `root`. */
export function resolveRef(root: SchemaRoot, ref: string): Record<string, unknown> {
  if (!ref.startsWith('#/')) throw new Error(`only local $ref is supported: ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) throw new Error(`unresolved $ref ${ref}`);
    node = (node as Record<string, unknown>)[key];
  }
  return node as Record<string, unknown>;
}

/** checkSchema throws when `schema` (or a schema inside it) uses a keyword this validator does not know or a bad type name. */
export function checkSchema(root: SchemaRoot, schema: unknown, at = '#'): void {
  if (schema === true || schema === false) return;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new Error(`${at}: a schema must be an object`);
  const s = schema as Record<string, unknown>;
  for (const k of Object.keys(s)) {
    if (!CHECKED.has(k) && !ANNOTATIONS.has(k)) throw new Error(`${at}: unsupported keyword ${k}`);
  }
  if (s.$ref !== undefined) resolveRef(root, String(s.$ref));
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    for (const t of types) if (!TYPES.has(String(t))) throw new Error(`${at}: unknown type ${String(t)}`);
  }
  if (s.format !== undefined && !Object.hasOwn(FORMATS, String(s.format))) throw new Error(`${at}: unsupported format ${String(s.format)}`);
  if (s.required !== undefined && !(Array.isArray(s.required) && s.required.every((r) => typeof r === 'string'))) throw new Error(`${at}: required must be a list of names`);
  if (s.enum !== undefined && !Array.isArray(s.enum)) throw new Error(`${at}: enum must be a list`);
  if (s.pattern !== undefined) new RegExp(String(s.pattern), 'u');
  if (s.properties !== undefined) for (const [k, v] of Object.entries(s.properties as object)) checkSchema(root, v, `${at}/properties/${k}`);
  if (s.additionalProperties !== undefined) checkSchema(root, s.additionalProperties, `${at}/additionalProperties`);
  if (s.items !== undefined) checkSchema(root, s.items, `${at}/items`);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (s[k] === undefined) continue;
    if (!Array.isArray(s[k]) || (s[k] as unknown[]).length === 0) throw new Error(`${at}: ${k} must be a non-empty list`);
    (s[k] as unknown[]).forEach((sub, i) => checkSchema(root, sub, `${at}/${k}/${i}`));
  }
}

/** validate returns the problems of `value` against `schema` (empty when it validates). */
export function validate(root: SchemaRoot, schema: unknown, value: unknown, at = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: no value is allowed here`];
  const s = schema as Record<string, unknown>;
  const out: string[] = [];
  if (s.$ref !== undefined) out.push(...validate(root, resolveRef(root, String(s.$ref)), value, at));
  const t = typeOf(value);
  if (s.type !== undefined) {
    const types = (Array.isArray(s.type) ? s.type : [s.type]) as string[];
    const ok = types.includes(t) || (t === 'integer' && types.includes('number'));
    if (!ok) return [...out, `${at}: is ${t}, expected ${types.join(' or ')}`];
  }
  if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => e === value)) out.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  if (s.const !== undefined && s.const !== value) out.push(`${at}: must be ${JSON.stringify(s.const)}`);
  if (typeof value === 'string') {
    if (s.pattern !== undefined && !new RegExp(String(s.pattern), 'u').test(value)) out.push(`${at}: ${JSON.stringify(value)} does not match ${String(s.pattern)}`);
    if (s.format !== undefined && !FORMATS[String(s.format)].test(value)) out.push(`${at}: ${JSON.stringify(value)} is not a ${String(s.format)}`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) out.push(`${at}: ${value} is below ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) out.push(`${at}: ${value} is above ${s.maximum}`);
  }
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of (s.required as string[] | undefined) ?? []) if (!Object.hasOwn(obj, r)) out.push(`${at}: ${r} is required`);
    const props = (s.properties ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(obj)) {
      if (Object.hasOwn(props, k)) out.push(...validate(root, props[k], v, `${at}.${k}`));
      else if (s.additionalProperties !== undefined) out.push(...validate(root, s.additionalProperties, v, `${at}.${k}`));
    }
  }
  if (t === 'array' && s.items !== undefined) (value as unknown[]).forEach((v, i) => out.push(...validate(root, s.items, v, `${at}[${i}]`)));
  if (s.allOf) for (const sub of s.allOf as unknown[]) out.push(...validate(root, sub, value, at));
  if (s.anyOf && !(s.anyOf as unknown[]).some((sub) => validate(root, sub, value, at).length === 0)) out.push(`${at}: matches none of anyOf`);
  if (s.oneOf && (s.oneOf as unknown[]).filter((sub) => validate(root, sub, value, at).length === 0).length !== 1) out.push(`${at}: must match exactly one of oneOf`);
  return out;
}
