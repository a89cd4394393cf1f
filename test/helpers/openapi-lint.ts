/**
 * openapi-lint.ts (test helper): a compact structural check of an OpenAPI 3.1 document, after the
 * specification's rules (https://spec.openapis.org/oas/v3.1.0): the fixed fields of each object,
 * unique operationIds, path templates that match their path parameters, no two paths that differ
 * only in parameter names, response codes, security requirements that name declared schemes,
 * schemas the validator understands, and examples that validate against their schemas.
 */
import { checkSchema, validate } from './json-schema.ts';

const TOP = new Set(['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs']);
const PATH_ITEM = new Set(['$ref', 'summary', 'description', 'servers', 'parameters']);
/** METHODS are the operation fields of a path item. */
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const OPERATION = new Set(['tags', 'summary', 'description', 'externalDocs', 'operationId', 'parameters', 'requestBody', 'responses', 'callbacks', 'deprecated', 'security', 'servers']);
const PARAMETER = new Set(['name', 'in', 'description', 'required', 'deprecated', 'allowEmptyValue', 'style', 'explode', 'allowReserved', 'schema', 'example', 'examples', 'content']);
const MEDIA = new Set(['schema', 'example', 'examples', 'encoding']);
const RESPONSE = new Set(['description', 'headers', 'content', 'links']);
const SCHEME_TYPES = new Set(['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function unknownKeys(o: Obj, allowed: Set<string>, at: string, out: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.has(k) && !k.startsWith('x-')) out.push(`${at}: unknown field ${k}`);
}

function media(doc: Obj, content: unknown, at: string, out: string[]): void {
  if (!isObj(content) || Object.keys(content).length === 0) { out.push(`${at}: content must name at least one media type`); return; }
  for (const [type, m] of Object.entries(content)) {
    const here = `${at}.content[${type}]`;
    if (!/^[\w.+*-]+\/[\w.+*-]+$/.test(type)) out.push(`${here}: not a media type`);
    if (!isObj(m)) { out.push(`${here}: must be an object`); continue; }
    unknownKeys(m, MEDIA, here, out);
    if (m.example !== undefined && m.examples !== undefined) out.push(`${here}: example and examples are mutually exclusive`);
    if (m.schema !== undefined) {
      try { checkSchema(doc, m.schema, here); } catch (e) { out.push((e as Error).message); continue; }
      const examples = m.example !== undefined ? [m.example] : Object.values((m.examples ?? {}) as Record<string, { value: unknown }>).map((e) => e.value);
      for (const ex of examples) for (const p of validate(doc, m.schema, ex)) out.push(`${here} example: ${p}`);
    }
  }
}

/** lintOpenApi returns every structural problem of `doc` (empty when there is none). */
export function lintOpenApi(doc: Obj): string[] {
  const out: string[] = [];
  unknownKeys(doc, TOP, 'document', out);
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) out.push('openapi must be "3.1.x"');
  const info = doc.info;
  if (!isObj(info) || typeof info.title !== 'string' || typeof info.version !== 'string') out.push('info needs a title and a version');
  else if (isObj(info.license) && (typeof info.license.name !== 'string' || (info.license.identifier && info.license.url))) out.push('info.license needs a name, and not both identifier and url');

  const components = isObj(doc.components) ? doc.components : {};
  const schemes = isObj(components.securitySchemes) ? components.securitySchemes : {};
  for (const [name, s] of Object.entries(schemes)) {
    if (!isObj(s) || !SCHEME_TYPES.has(String(s.type))) { out.push(`securitySchemes.${name}: unknown type`); continue; }
    if (s.type === 'apiKey' && (typeof s.name !== 'string' || !['query', 'header', 'cookie'].includes(String(s.in)))) out.push(`securitySchemes.${name}: apiKey needs name and in`);
    if (s.type === 'http' && typeof s.scheme !== 'string') out.push(`securitySchemes.${name}: http needs a scheme`);
  }
  for (const [name, s] of Object.entries(isObj(components.schemas) ? components.schemas : {})) {
    try { checkSchema(doc, s, `#/components/schemas/${name}`); } catch (e) { out.push((e as Error).message); }
  }
  const security = (reqs: unknown, at: string) => {
    if (reqs === undefined) return;
    if (!Array.isArray(reqs)) { out.push(`${at}: security must be a list`); return; }
    for (const r of reqs) {
      if (!isObj(r)) { out.push(`${at}: a security requirement must be an object`); continue; }
      for (const [n, scopes] of Object.entries(r)) {
        if (!Object.hasOwn(schemes, n)) out.push(`${at}: security names undeclared scheme ${n}`);
        if (!Array.isArray(scopes)) out.push(`${at}: scopes of ${n} must be a list`);
      }
    }
  };
  security(doc.security, 'document');

  const tagNames = new Set<string>();
  for (const t of Array.isArray(doc.tags) ? doc.tags : []) {
    if (!isObj(t) || typeof t.name !== 'string' || tagNames.has(t.name)) out.push('tags must have unique names');
    else tagNames.add(t.name);
  }

  if (!isObj(doc.paths)) { out.push('paths must be an object'); return out; }
  const ids = new Set<string>();
  const shapes = new Map<string, string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) out.push(`${path}: a path must start with /`);
    const shape = path.replace(/\{[^}]*\}/g, '{}');
    if (shapes.has(shape)) out.push(`${path}: same hierarchy as ${shapes.get(shape)} with other parameter names`);
    shapes.set(shape, path);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    if (!isObj(item)) { out.push(`${path}: a path item must be an object`); continue; }
    for (const k of Object.keys(item)) {
      if (!PATH_ITEM.has(k) && !(METHODS as readonly string[]).includes(k) && !k.startsWith('x-')) out.push(`${path}: unknown field ${k}`);
    }
    for (const method of METHODS) {
      const o = item[method];
      if (o === undefined) continue;
      const at = `${method.toUpperCase()} ${path}`;
      if (!isObj(o)) { out.push(`${at}: must be an object`); continue; }
      unknownKeys(o, OPERATION, at, out);
      if (typeof o.operationId === 'string') {
        if (ids.has(o.operationId)) out.push(`${at}: operationId ${o.operationId} is not unique`);
        ids.add(o.operationId);
      }
      for (const t of Array.isArray(o.tags) ? o.tags : []) if (!tagNames.has(String(t))) out.push(`${at}: tag ${String(t)} is not declared`);
      security(o.security, at);
      const params = Array.isArray(o.parameters) ? o.parameters : [];
      const seen = new Set<string>();
      const inPath: string[] = [];
      for (const p of params) {
        if (!isObj(p) || typeof p.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(String(p.in))) { out.push(`${at}: a parameter needs name and in`); continue; }
        unknownKeys(p, PARAMETER, `${at} parameter ${p.name}`, out);
        if (seen.has(`${p.in}:${p.name}`)) out.push(`${at}: parameter ${p.name} is listed twice`);
        seen.add(`${p.in}:${p.name}`);
        if (p.in === 'path') { inPath.push(p.name); if (p.required !== true) out.push(`${at}: path parameter ${p.name} must be required`); }
        if ((p.schema === undefined) === (p.content === undefined)) out.push(`${at}: parameter ${p.name} needs schema or content, not both`);
        if (p.example !== undefined && p.examples !== undefined) out.push(`${at}: parameter ${p.name}: example and examples are mutually exclusive`);
        if (p.schema !== undefined) {
          try { checkSchema(doc, p.schema, `${at} parameter ${p.name}`); } catch (e) { out.push((e as Error).message); continue; }
          if (p.example !== undefined) for (const problem of validate(doc, p.schema, p.example)) out.push(`${at} parameter ${p.name} example: ${problem}`);
        }
      }
      if ([...templated].sort().join() !== [...inPath].sort().join()) out.push(`${at}: path parameters ${inPath.join(',') || '(none)'} do not match the template's ${templated.join(',') || '(none)'}`);
      if (o.requestBody !== undefined) {
        if (!isObj(o.requestBody)) out.push(`${at}: requestBody must be an object`);
        else media(doc, o.requestBody.content, `${at} requestBody`, out);
      }
      if (!isObj(o.responses) || Object.keys(o.responses).length === 0) { out.push(`${at}: responses must list at least one answer`); continue; }
      for (const [code, r] of Object.entries(o.responses)) {
        const here = `${at} ${code}`;
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code)) out.push(`${here}: not a status code`);
        if (!isObj(r) || typeof r.description !== 'string') { out.push(`${here}: a response needs a description`); continue; }
        unknownKeys(r, RESPONSE, here, out);
        if (r.content !== undefined) media(doc, r.content, here, out);
      }
    }
  }
  return out;
}
