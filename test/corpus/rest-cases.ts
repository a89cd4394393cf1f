/**
 * rest-cases.ts: the bad-input corpus. Each case is one request that must get a clear 4xx (never a
 * 5xx, never a crash), with `{"error", "code"}` when the answer is JSON. Add cases here; the runner
 * is test/ops/corpus.test.ts. Placeholders: {project} and {container} are real objects the runner
 * creates (the container is never started), {unknown} is a well-formed uuid nobody has.
 */

import { TEMPLATE_FILE_CASES } from './template-file-cases.ts';

/** CorpusCase is one bad request. `raw` cases are written to the socket byte for byte. */
export interface CorpusCase {
  name: string;
  method?: string;
  path?: string;
  /** who calls: a role in {project}, a site admin, nobody, or a literal Authorization header. */
  auth?: 'admin' | 'owner' | 'guest' | 'stranger' | 'none' | { header: string };
  headers?: Record<string, string>;
  /** body: a string is sent as is; anything else as JSON. */
  body?: unknown;
  /** expect: allowed statuses (default: any 4xx). */
  expect?: number[];
  code?: string;
  raw?: string;
}

const CONTAINER_ENDPOINTS: Array<[string, string]> = [
  ['GET', '/containers/api/detail/{id}'], ['PATCH', '/containers/api/update/{id}'], ['DELETE', '/containers/api/delete/{id}'],
  ['GET', '/containers/api/start/{id}'], ['GET', '/containers/api/stop/{id}'],
  ['POST', '/containers/api/start/{id}'], ['POST', '/containers/api/stop/{id}'], ['POST', '/containers/api/pause/{id}'],
  ['POST', '/containers/api/unpause/{id}'], ['POST', '/containers/api/restart/{id}'], ['POST', '/containers/api/kill/{id}'],
  ['POST', '/containers/api/reset/{id}'], ['GET', '/containers/api/logs/{id}'], ['GET', '/containers/api/stats/{id}'],
  ['GET', '/containers/api/uptime/{id}'], ['GET', '/containers/api/inspect/{id}'],
];

const BAD_IDS: Array<[string, string]> = [
  ['unknown uuid', '{unknown}'], ['not a uuid', 'not-a-uuid'], ['encoded traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['NUL byte', '%00'], ['5000 characters', 'a'.repeat(5000)], ['emoji', '%F0%9F%98%80'], ['broken percent-encoding', '%E0%A4%A'],
];

const unknownIds: CorpusCase[] = CONTAINER_ENDPOINTS.flatMap(([method, p]) => BAD_IDS.map(([what, id]) => ({
  name: `${method} ${p} with ${what}`, method, path: p.replace('{id}', id), auth: 'admin' as const, body: method === 'PATCH' ? { title: 'x' } : undefined,
  expect: [404],
})));

const MALFORMED_JSON: Array<[string, string]> = [
  ['unclosed object', '{'], ['unclosed string', '{"title": "abc'], ['trailing comma', '{"title": "a",}'], ['single quotes', "{'title': 'a'}"],
  ['bare word', 'nul'], ['NaN', '{"container_port": NaN}'], ['comment', '{"title": "a" /* c */}'], ['two objects', '{"title":"a"}{"title":"b"}'],
  ['only a BOM', '\ufeff'], ['control character in string', '{"title": "a\u0001b"}'], ['unquoted key', '{title: "a"}'], ['hex number', '{"container_port": 0x50}'],
  ['leading zeros', '{"container_port": 0080}'], ['lone surrogate escape', '{"title": "\\ud800"}'], ['deep nesting', '['.repeat(100_000) + ']'.repeat(100_000)],
];

const NOT_AN_OBJECT: unknown[] = [[], [1, 2], 42, 'a string', true, null];

const CREATE_FIELDS: Array<[string, unknown]> = [
  ['title', 1], ['title', []], ['title', {}], ['title', true], ['title', ''], ['title', 'x'.repeat(10_000)], ['title', 'nul\u0000byte'],
  ['repository', 1], ['repository', 'UPPERCASE'], ['repository', '../etc/passwd'], ['repository', 'a b'], ['repository', ''],
  ['repository', 'x'.repeat(300)], ['repository', 'ünïcode/image'],
  ['tag', ''], ['tag', 'x'.repeat(200)], ['tag', 'a/b'], ['tag', 5], ['tag', '-leading'],
  ['container_port', -1], ['container_port', 0], ['container_port', 70000], ['container_port', '80a'], ['container_port', 1.5],
  ['container_port', 9007199254740993], ['container_port', null], ['container_port', {}],
  ['timeout', -5], ['timeout', 'soon'], ['timeout', 1e12],
  ['environment', 'A=1'], ['environment', [['A', '1']]], ['environment', 1], ['environment', { '1BAD': 'x' }], ['environment', { 'A B': 'x' }],
  ['environment', { '': 'x' }],
  ['environment_secret_keys', 5], ['environment_secret_keys', ['A']],
  ['max_retries', -1], ['max_retries', 1000], ['max_retries', 'x'],
  ['inactivity_threshold', -1], ['inactivity_threshold', 'abc'], ['inactivity_threshold', [1]],
  ['strip_prefix', 'maybe'], ['strip_prefix', 2],
  ['command', "sh -c 'unterminated"], ['command', 5], ['command', 'x'.repeat(100_000)],
  ['container_path', 'a b'], ['container_path', 'nul\u0000'], ['container_path', 7],
  ['heartbeat_url', 5], ['description', { html: '<script>' }],
];

const createCases: CorpusCase[] = [
  ...MALFORMED_JSON.map(([what, body]) => ({ name: `create with malformed JSON: ${what}`, method: 'POST', path: '/containers/api/create/{project}', auth: 'owner' as const, body })),
  ...NOT_AN_OBJECT.map((body) => ({ name: `create with a JSON ${Array.isArray(body) ? 'array' : body === null ? 'null' : typeof body}`, method: 'POST', path: '/containers/api/create/{project}', auth: 'owner' as const, body: JSON.stringify(body) })),
  ...CREATE_FIELDS.map(([field, value]) => ({
    name: `create with ${field} = ${JSON.stringify(value)?.slice(0, 40)}`, method: 'POST', path: '/containers/api/create/{project}', auth: 'owner' as const,
    body: { title: `corpus ${field}`, repository: 'portico-test/httpd', tag: '1', [field]: value }, expect: [400],
  })),
  { name: 'create with a huge exponent (Infinity)', method: 'POST', path: '/containers/api/create/{project}', auth: 'owner', body: '{"title":"inf","repository":"a/b","container_port":1e309}', expect: [400] },
  { name: 'create without a title', method: 'POST', path: '/containers/api/create/{project}', auth: 'owner', body: { repository: 'a/b' }, expect: [400] },
  { name: 'create by a guest', method: 'POST', path: '/containers/api/create/{project}', auth: 'guest', body: { title: 'g', repository: 'a/b' }, expect: [403] },
  { name: 'create by a non-member', method: 'POST', path: '/containers/api/create/{project}', auth: 'stranger', body: { title: 'g', repository: 'a/b' }, expect: [404] },
  { name: 'create without authentication', method: 'POST', path: '/containers/api/create/{project}', auth: 'none', body: { title: 'g', repository: 'a/b' }, expect: [401] },
  { name: 'create in an unknown project', method: 'POST', path: '/containers/api/create/{unknown}', auth: 'admin', body: { title: 'g', repository: 'a/b' }, expect: [404] },
  { name: 'create with a 2 MB body', method: 'POST', path: '/containers/api/create/{project}', auth: 'owner', body: JSON.stringify({ title: 'big', description: 'x'.repeat(2 * 1024 * 1024) }), expect: [413] },
  { name: 'create with text/plain', method: 'POST', path: '/containers/api/create/{project}', auth: 'owner', headers: { 'content-type': 'text/plain' }, body: '{"title":"t"}', expect: [415] },
  { name: 'create with a form body without a repository (forms are read as Kiosc reads them)', method: 'POST', path: '/containers/api/create/{project}', auth: 'owner', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'title=t', expect: [400] },
  { name: 'create with an XML body', method: 'POST', path: '/containers/api/create/{project}', auth: 'owner', headers: { 'content-type': 'application/xml' }, body: '<title>t</title>', expect: [415] },
  { name: 'create with __proto__ pollution', method: 'POST', path: '/containers/api/create/{project}', auth: 'owner', body: '{"__proto__":{"isAdmin":true},"title":"p","repository":"a/b","container_port":"x"}', expect: [400] },
  { name: 'create with an emoji title and bad port', method: 'POST', path: '/containers/api/create/{project}', auth: 'owner', body: { title: '😀 ‮RTL‬ ​zero', repository: 'a/b', container_port: 'eighty' }, expect: [400] },
];

const updateCases: CorpusCase[] = [
  ...CREATE_FIELDS.filter((_, i) => i % 2 === 0).map(([field, value]) => ({
    name: `update ${field} = ${JSON.stringify(value)?.slice(0, 40)}`, method: 'PATCH', path: '/containers/api/update/{container}', auth: 'owner' as const,
    body: { [field]: value }, expect: [400],
  })),
  ...MALFORMED_JSON.slice(0, 6).map(([what, body]) => ({ name: `update with malformed JSON: ${what}`, method: 'PATCH', path: '/containers/api/update/{container}', auth: 'owner' as const, body })),
  { name: 'update by a guest', method: 'PATCH', path: '/containers/api/update/{container}', auth: 'guest', body: { title: 'x' }, expect: [403] },
  { name: 'pause a container that never ran', method: 'POST', path: '/containers/api/pause/{container}', auth: 'owner', expect: [409] },
  { name: 'unpause a container that never ran', method: 'POST', path: '/containers/api/unpause/{container}', auth: 'owner', expect: [409] },
  { name: 'stats of a container that never ran', method: 'GET', path: '/containers/api/stats/{container}', auth: 'owner', expect: [409] },
  { name: 'inspect of a container that never ran', method: 'GET', path: '/containers/api/inspect/{container}', auth: 'admin', expect: [409] },
  { name: 'inspect by an owner', method: 'GET', path: '/containers/api/inspect/{container}', auth: 'owner', expect: [403] },
  { name: 'start by a guest', method: 'POST', path: '/containers/api/start/{container}', auth: 'guest', expect: [403] },
  { name: 'delete by a guest', method: 'DELETE', path: '/containers/api/delete/{container}', auth: 'guest', expect: [403] },
  { name: 'unknown action', method: 'POST', path: '/containers/api/explode/{container}', auth: 'owner', expect: [404] },
  { name: 'PUT on a POST-only path', method: 'PUT', path: '/containers/api/start/{container}', auth: 'owner', expect: [404, 405] },
];

const QUERY: Array<[string, string]> = [
  ['logs lines=-1', '/containers/api/logs/{container}?lines=-1'], ['logs lines=abc', '/containers/api/logs/{container}?lines=abc'],
  ['logs lines=0', '/containers/api/logs/{container}?lines=0'], ['logs lines huge', '/containers/api/logs/{container}?lines=99999999999'],
  ['logs lines=1e3', '/containers/api/logs/{container}?lines=1e3'], ['uptime duration=year', '/containers/api/uptime/{container}?duration=year'],
  ['uptime duration=__proto__', '/containers/api/uptime/{container}?duration=__proto__'], ['uptime duration=constructor', '/containers/api/uptime/{container}?duration=constructor'],
  ['uptime format=xml', '/containers/api/uptime/{container}?format=xml'], ['list page=0', '/containers/api/{project}?page=0'],
  ['list page=-1', '/containers/api/{project}?page=-1'], ['list page=abc', '/containers/api/{project}?page=abc'],
  ['list page=1e99', '/containers/api/{project}?page=1e99'], ['list page beyond the end', '/containers/api/{project}?page=999'],
  ['list page_size=0', '/containers/api/{project}?page_size=0'], ['list page_size=x', '/containers/api/{project}?page_size=x'],
  ['list of an unknown project', '/containers/api/{unknown}'], ['list of a non-uuid project', '/containers/api/%F0%9F%98%80'],
];
const queryCases: CorpusCase[] = QUERY.map(([name, path]) => ({ name, method: 'GET', path, auth: 'owner' }));

const AUTH_HEADERS: Array<[string, string]> = [
  ['empty token', 'token '], ['token keyword only', 'token'], ['600-character token', 'token ' + 'x'.repeat(600)], ['Basic auth', 'Basic YWRtaW46YWRtaW4='],
  ['two tokens', 'token abcdefgh ijklmnop'], ['unicode token', 'token ünïcödé-tökén'], ['Bearer unknown', 'Bearer abcdefghijklmnop'],
  ['token with NUL-like escape', 'token abc%00defgh'], ['lower-case scheme garbage', 'tOkEn !!!!!!!!!!'], ['only spaces', '     '],
];
const authCases: CorpusCase[] = AUTH_HEADERS.flatMap(([what, header]) => [
  { name: `detail with ${what}`, method: 'GET', path: '/containers/api/detail/{container}', auth: { header }, expect: [401] },
  { name: `create with ${what}`, method: 'POST', path: '/containers/api/create/{project}', auth: { header }, body: { title: 'x' }, expect: [401] },
]);

const headerCases: CorpusCase[] = [
  { name: 'garbage session cookie', method: 'GET', path: '/containers/api/detail/{container}', auth: 'none', headers: { cookie: 'portico_session=%E0%A4%A' }, expect: [401] },
  { name: 'unknown session cookie', method: 'GET', path: '/containers/api/detail/{container}', auth: 'none', headers: { cookie: 'portico_session=abc; other=1' }, expect: [401] },
  { name: 'cookie without value', method: 'GET', path: '/containers/api/detail/{container}', auth: 'none', headers: { cookie: 'portico_session' }, expect: [401] },
  { name: 'spoofed X-Forwarded-For and Host', method: 'GET', path: '/containers/api/inspect/{container}', auth: 'owner', headers: { 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https', 'x-real-ip': '127.0.0.1' }, expect: [403] },
  { name: 'metrics without credentials', method: 'GET', path: '/metrics', auth: 'none', expect: [401] },
  { name: 'metrics as an owner', method: 'GET', path: '/metrics', auth: 'owner', expect: [403] },
  { name: 'metrics with a made-up bearer', method: 'GET', path: '/metrics', auth: { header: 'Bearer made-up-token-1234567890' }, expect: [401] },
  { name: 'images as an owner', method: 'GET', path: '/containers/api/images', auth: 'owner', expect: [403] },
  { name: 'pull as an owner', method: 'POST', path: '/containers/api/images/pull', auth: 'owner', body: { image: 'a/b:1' }, expect: [403] },
  ...(['', '   ', 'UPPER:1', 'a b:c', '../../x', 'a/b:' + 'x'.repeat(200), 'a@sha256:xyz', 'x'.repeat(600), 'a:b:c:d'].map((image) => ({
    name: `pull image ${JSON.stringify(image).slice(0, 40)}`, method: 'POST', path: '/containers/api/images/pull', auth: 'admin' as const, body: { image }, expect: [400],
  }))),
  { name: 'pull without an image', method: 'POST', path: '/containers/api/images/pull', auth: 'admin', body: {}, expect: [400] },
  { name: 'pull with an array body', method: 'POST', path: '/containers/api/images/pull', auth: 'admin', body: '[]', expect: [400] },
  { name: 'pull with malformed JSON', method: 'POST', path: '/containers/api/images/pull', auth: 'admin', body: '{"image":', expect: [400] },
  { name: 'session without a token', method: 'POST', path: '/api/session', auth: 'none', expect: [401] },
  // Image hosts (docs/image-hosts.md): site admins only; every field checked, nothing stored on a 4xx.
  { name: 'image hosts as an owner', method: 'GET', path: '/containers/api/image-hosts', auth: 'owner', expect: [403] },
  { name: 'image host added by an owner', method: 'POST', path: '/containers/api/image-hosts', auth: 'owner', body: { name: 'x', address: 'r.example.org' }, expect: [403] },
  { name: 'image host without credentials', method: 'GET', path: '/containers/api/image-hosts', auth: 'none', expect: [401] },
  ...([
    {}, { name: 'x' }, { address: 'r.example.org' }, { name: 'x', address: 'http://r.example.org' }, { name: 'x', address: 'r.example.org/v3/x' },
    { name: 'x', address: 'r.example.org:99999' }, { name: 'x', address: 'UPPER CASE' }, { name: '<script>', address: 'r.example.org' },
    { name: 'x'.repeat(65), address: 'r.example.org' }, { name: 'x', address: 'r.example.org', username: 'a:b', password: 'p' },
    { name: 'x', address: 'r.example.org', username: 'u' }, { name: 'x', address: 'r.example.org', password: 'p' },
    { name: 'x', address: 'r.example.org', ca_cert: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----' },
    { name: 'x', address: 'r.example.org', is_default: 'yes' }, { name: 'x', address: 'r.example.org', check: 1 },
    { name: 42, address: 'r.example.org' }, { name: 'x', address: ['r.example.org'] }, { name: 'x', address: 'r.example.org', token: 't' },
  ].map((body) => ({
    name: `image host ${JSON.stringify(body).slice(0, 60)}`, method: 'POST', path: '/containers/api/image-hosts', auth: 'admin' as const, body, expect: [400],
  }))),
  { name: 'image host with an array body', method: 'POST', path: '/containers/api/image-hosts', auth: 'admin', body: '[]', expect: [400] },
  { name: 'image host with malformed JSON', method: 'POST', path: '/containers/api/image-hosts', auth: 'admin', body: '{"name":', expect: [400] },
  { name: 'unknown image host', method: 'GET', path: '/containers/api/image-hosts/nobody-here', auth: 'admin', expect: [404] },
  { name: 'test an unknown image host', method: 'POST', path: '/containers/api/image-hosts/nobody-here/test', auth: 'admin', expect: [404] },
  { name: 'change an unknown image host', method: 'PATCH', path: '/containers/api/image-hosts/nobody-here', auth: 'admin', body: { username: '' }, expect: [404] },
  { name: 'pull naming an unknown image host', method: 'POST', path: '/containers/api/images/pull', auth: 'admin', body: { image: 'a/b:1', registry: 'nobody-here' }, expect: [404] },
  { name: 'pull with a registry that is no name', method: 'POST', path: '/containers/api/images/pull', auth: 'admin', body: { image: 'a/b:1', registry: 7 }, expect: [400] },
];

const traversalCases: CorpusCase[] = [
  '/static/..%2f..%2fpackage.json', '/static/%2e%2e%2fpackage.json', '/static/....//package.json', '/static/%00', '/static/.htaccess',
  '/static/portico.css%00.js', '/%2e%2e/%2e%2e/etc/passwd', '/containers/api/detail/..%2F..%2F', '/containers/../../etc/passwd',
  '/containers/api/../../../etc/passwd', '/containers/proxy/../api/detail/x', '/containers/proxy/%2e%2e/%2e%2e/etc/passwd',
  '/containers/proxy/not-a-uuid/', '/containers/proxy/{unknown}/', '/containers/proxy/{unknown}/../../metrics', '/\u00e9\u00e8', '/%ff%fe',
].map((path) => ({ name: `traversal ${path.slice(0, 50)}`, method: 'GET', path, auth: 'owner' as const }));

const rawCases: CorpusCase[] = [
  { name: 'raw: header over 16 KB', raw: `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, expect: [431] },
  { name: 'raw: Content-Length and chunked together', raw: 'POST /containers/api/create/{project} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', expect: [400] },
  { name: 'raw: two Content-Length headers', raw: 'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', expect: [400] },
  { name: 'raw: negative Content-Length', raw: 'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', expect: [400] },
  { name: 'raw: space in the request target', raw: 'GET /containers/api/detail/a b HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400] },
  { name: 'raw: NUL in the path', raw: 'GET /containers/\0api HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400] },
  { name: 'raw: unknown HTTP version', raw: 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n', expect: [400, 505] },
  { name: 'raw: header without colon', raw: 'GET /healthz HTTP/1.1\r\nHost x\r\n\r\n', expect: [400] },
  { name: 'raw: invalid method token', raw: 'G{T /healthz HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400] },
  { name: 'raw: unknown method', raw: 'BREW /containers/api/detail/{container} HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400, 404, 405, 501] },
  { name: 'raw: absolute-form target', raw: 'GET http://evil.example/containers/api/detail/{container} HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400, 401, 404] },
  { name: 'raw: asterisk target', raw: 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', expect: [400, 404, 405] },
  { name: 'raw: header with a bare LF', raw: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: b\nX-B: c\r\n\r\n', expect: [200, 400] },
  { name: 'raw: obs-fold header', raw: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n', expect: [400] },
  { name: 'raw: body shorter than Content-Length, then close', raw: 'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":', expect: [401, 400, 0] },
];

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** uiCases post bad forms to the UI (no CSRF token, malformed encodings, huge values, wrong types). */
const uiCases: CorpusCase[] = [
  // A token caller has no session: /logout just sends it home (303); the others refuse.
  ...['/login', '/logout', '/password', '/tokens', '/admin/read-only', '/projects/{project}/members'].flatMap((path) => [
    { name: `form ${path} without CSRF token`, method: 'POST', path, auth: 'owner' as const, headers: FORM, body: 'a=1' },
    { name: `form ${path} with broken percent-encoding`, method: 'POST', path, auth: 'owner' as const, headers: FORM, body: 'csrf_token=%E0%A4%A&x=%zz' },
    { name: `form ${path} with a JSON body`, method: 'POST', path, auth: 'owner' as const, body: { csrf_token: 1 } },
  ].map((c) => (path === '/logout' ? { ...c, expect: [303, 400, 403, 415] } : c))),
  { name: 'login form with a 2 MB password', method: 'POST', path: '/login', auth: 'none', headers: FORM, body: 'username=a&password=' + 'x'.repeat(2 * 1024 * 1024) },
  { name: 'login form with NUL bytes', method: 'POST', path: '/login', auth: 'none', headers: FORM, body: 'username=%00admin&password=%00' },
  { name: 'login form with a foreign Origin', method: 'POST', path: '/login', auth: 'none', headers: { ...FORM, origin: 'http://evil.example' }, body: 'username=admin&password=x' },
  { name: 'login with an absolute next', method: 'POST', path: '/login?next=//evil.example/', auth: 'none', headers: FORM, body: 'username=admin&password=x' },
  // Site-admin bulk actions: a confirm must match the preview; nothing here may run one.
  { name: 'bulk confirm by a non-admin', method: 'POST', path: '/siteadmin/bulk/stop-all', auth: 'owner', headers: FORM, body: 'expect=x', expect: [403] },
  { name: 'bulk confirm without the preview fingerprint', method: 'POST', path: '/siteadmin/bulk/stop-all', auth: 'admin', headers: FORM, body: 'a=1', expect: [409] },
  { name: 'bulk confirm with a 100 kB fingerprint', method: 'POST', path: '/siteadmin/bulk/remove-stopped', auth: 'admin', headers: FORM, body: 'expect=' + 'f'.repeat(100_000), expect: [409] },
  { name: 'bulk confirm with broken percent-encoding', method: 'POST', path: '/siteadmin/bulk/stop-unused', auth: 'admin', headers: FORM, body: 'expect=%E0%A4%A', expect: [400, 409] },
  { name: 'bulk confirm with a JSON body', method: 'POST', path: '/siteadmin/bulk/stop-all', auth: 'admin', body: { expect: ['x'] } },
  { name: 'bulk confirm of an unknown action', method: 'POST', path: '/siteadmin/bulk/rm-rf', auth: 'admin', headers: FORM, body: 'expect=x', expect: [404] },
  { name: 'bulk action with encoded traversal', method: 'GET', path: '/siteadmin/bulk/..%2F..%2Fadmin', auth: 'admin', expect: [404] },
  { name: 'bulk action named __proto__', method: 'GET', path: '/siteadmin/bulk/__proto__', auth: 'admin', expect: [404] },
  { name: 'bulk run with an unknown id', method: 'GET', path: '/siteadmin/bulk/runs/{unknown}', auth: 'admin', expect: [404] },
  { name: 'bulk run with a 5000-character id', method: 'GET', path: '/siteadmin/bulk/runs/' + 'a'.repeat(5000), auth: 'admin', expect: [404] },
  ...BAD_IDS.map(([what, id]): CorpusCase => ({ name: `stats page with ${what}`, method: 'GET', path: `/containers/${id}/stats`, auth: 'admin', expect: [404] })),
  { name: 'stats page by a non-member', method: 'GET', path: '/containers/{container}/stats', auth: 'stranger', expect: [404] },
];

/** CASES is every case of the corpus. */
export const CASES: CorpusCase[] = [
  ...unknownIds, ...createCases, ...updateCases, ...queryCases, ...authCases, ...headerCases, ...traversalCases, ...rawCases, ...uiCases,
  ...TEMPLATE_FILE_CASES,
];
