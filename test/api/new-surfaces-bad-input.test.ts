/**
 * new-surfaces-bad-input.test.ts: bad bytes thrown at the surfaces added late (the SODAR-shaped
 * project API, Kiosc's exact container API, OIDC, the app-origin handshake, Kiosc's old URLs, the
 * SODAR sync form, the volumes API) over raw sockets, and the CLI verbs with unknown ids or bad
 * targets as real processes. Each gets a 4xx at once (never a 5xx, never a hang) with a body that
 * says what was wrong, and the gateway still answers /healthz.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { startGateway } from '../helpers/gateway.ts';
import { login } from '../helpers/session.ts';

interface Answer { status: number; headers: Record<string, string>; body: string }

/** Case is one bad request; `expect` narrows the allowed statuses (default: any 4xx); `html` marks a browser route. */
interface Case {
  name: string;
  method?: string;
  path: string;
  auth?: 'admin' | 'owner' | 'none' | 'cookie' | { header: string | Buffer };
  headers?: Record<string, string>;
  body?: string | Buffer;
  host?: string;
  expect?: number[];
  html?: boolean;
  /** browser: sent as a browser would (Accept: text/html, no token); the answer must be an HTML page. */
  browser?: boolean;
  /** says: a pattern the body must match (what was wrong). */
  says?: RegExp;
}

function send(port: number, request: Buffer, ms = 5000): Promise<Answer> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const done = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!m) return resolve({ status: timedOut ? -1 : 0, headers: {}, body: text });
      const headers: Record<string, string> = {};
      for (const line of m[2].split('\r\n')) { const i = line.indexOf(':'); if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim(); }
      resolve({ status: Number(m[1]), headers, body: m[3] });
    };
    sock.setTimeout(ms, () => { timedOut = true; sock.destroy(); });
    sock.on('data', (c) => chunks.push(c));
    sock.on('close', done);
    sock.on('error', () => {});
    sock.write(request);
  });
}

const KIOSC_JSON = 'application/vnd.bihealth.kiosc-server.containers+json';
const basic = (s: string | Buffer) => Buffer.concat([Buffer.from('Basic '), Buffer.from(Buffer.from(s).toString('base64'))]);

function cases(u: string): Case[] {
  const long = 'a'.repeat(5000);
  return [
    // The SODAR-shaped project / role / user API.
    { name: 'project retrieve with an unknown uuid', path: `/project/api/retrieve/${u}`, expect: [404] },
    { name: 'project retrieve with encoded traversal', path: '/project/api/retrieve/..%2F..%2Fetc%2Fpasswd', expect: [404] },
    { name: 'project retrieve with broken percent-encoding', path: '/project/api/retrieve/%E0%A4%A', expect: [400, 404] },
    { name: 'project retrieve with 5000 characters', path: `/project/api/retrieve/${long}`, expect: [404, 414] },
    { name: 'project create with malformed JSON', method: 'POST', path: '/project/api/create', body: '{"title": "a",', says: /JSON/i },
    { name: 'project create with a JSON array', method: 'POST', path: '/project/api/create', body: '[1,2]' },
    { name: 'project create with a non-UTF-8 body', method: 'POST', path: '/project/api/create', body: Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
    { name: 'project create with a title of 100000 characters', method: 'POST', path: '/project/api/create', body: JSON.stringify({ title: 'x'.repeat(100_000), type: 'PROJECT' }) },
    { name: 'project create with a huge body', method: 'POST', path: '/project/api/create', body: JSON.stringify({ title: 'x', pad: 'y'.repeat(3_000_000) }), expect: [413] },
    { name: 'project create with an unknown parent', method: 'POST', path: '/project/api/create', body: JSON.stringify({ title: 'x', type: 'PROJECT', parent: u }) },
    { name: 'project update with an unknown uuid', method: 'PATCH', path: `/project/api/update/${u}`, body: '{"title":"x"}', expect: [404] },
    { name: 'project update with malformed JSON', method: 'PATCH', path: '/project/api/update/{project}', body: '{"title": ', says: /JSON/i },
    { name: 'project destroy with an unknown uuid', method: 'DELETE', path: `/project/api/destroy/${u}`, expect: [404] },
    { name: 'role create in an unknown project', method: 'POST', path: `/project/api/roles/create/${u}`, body: JSON.stringify({ role: 'project guest', user: u }), expect: [404] },
    { name: 'role create with an unknown user', method: 'POST', path: '/project/api/roles/create/{project}', body: JSON.stringify({ role: 'project guest', user: u }) },
    { name: 'role create with a made-up role', method: 'POST', path: '/project/api/roles/create/{project}', body: JSON.stringify({ role: 'project boss', user: u }) },
    { name: 'role update with an unknown assignment', method: 'PATCH', path: `/project/api/roles/update/${u}`, body: JSON.stringify({ role: 'project guest' }), expect: [404] },
    { name: 'role destroy with a NUL byte id', method: 'DELETE', path: '/project/api/roles/destroy/%00', expect: [404] },
    { name: 'owner transfer with an unknown user', method: 'POST', path: '/project/api/roles/owner-transfer/{project}', body: JSON.stringify({ new_owner: 'nobody-here', old_owner_role: 'project guest' }) },
    { name: 'users list without credentials', path: '/project/api/users/list', auth: 'none', expect: [401, 403] },
    { name: 'project list with a vendor Accept version that does not exist', path: '/project/api/list', headers: { accept: 'application/vnd.bihealth.sodar-core.projectroles+json; version=99.0' }, expect: [406] },

    { name: 'project create with a form body of broken percent-encoding', method: 'POST', path: '/project/api/create', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'title=%FF%FE&type=%ZZ&owner=%E0%A4%A' },
    { name: 'project create with a truncated multipart body', method: 'POST', path: '/project/api/create', headers: { 'content-type': 'multipart/form-data; boundary=B' }, body: '--B\r\nContent-Disposition: form-data; name="title"\r\n\r\nab' },
    { name: 'project update with PUT and an empty body', method: 'PUT', path: '/project/api/update/{project}', body: '' },
    { name: 'project list with a garbage page number', path: '/project/api/list?page=%FF&page_size=-1', expect: [400, 404] },
    { name: 'users list with a Basic header of odd bytes', path: '/project/api/users/list', auth: { header: basic(Buffer.from([0x00, 0x3a, 0x00])) }, expect: [401] },
    { name: 'project list with a garbage page', path: '/project/api/list?page=abc', expect: [400, 404] },
    { name: 'role update with an empty body', method: 'PATCH', path: `/project/api/roles/update/${u}`, body: '', expect: [400, 404] },
    { name: 'owner transfer with an empty JSON object', method: 'POST', path: '/project/api/roles/owner-transfer/{project}', body: '{}' },
    { name: 'project create with malformed chunked encoding', method: 'POST', path: '/project/api/create', headers: { 'transfer-encoding': 'chunked' }, body: 'zz\r\n{}\r\n0\r\n\r\n', expect: [400] },
    { name: 'project create with a charset the server cannot read', method: 'POST', path: '/project/api/create', headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{"title":"x"}', expect: [400, 415] },
    // Kiosc's exact containers API.
    { name: 'containers list with an unknown Kiosc version', path: '/containers/api/{project}', headers: { accept: `${KIOSC_JSON}; version=9.9` }, expect: [406] },
    { name: 'containers list with a garbage version parameter', path: '/containers/api/{project}', headers: { accept: `${KIOSC_JSON}; version=\u00ff\u00fe` }, expect: [406] },
    { name: 'containers list with a 10000-character Accept', path: '/containers/api/{project}', headers: { accept: `${KIOSC_JSON}; version=${'1'.repeat(10_000)}` }, expect: [406, 431] },
    { name: 'Basic auth with no colon', path: '/containers/api/{project}', auth: { header: basic('adminnocolon') }, expect: [401] },
    { name: 'Basic auth that is not base64', path: '/containers/api/{project}', auth: { header: 'Basic !!!***' }, expect: [401] },
    { name: 'Basic auth with non-UTF-8 credentials', path: '/containers/api/{project}', auth: { header: basic(Buffer.from([0xff, 0xfe, 0x3a, 0xc3, 0x28])) }, expect: [401] },
    { name: 'Basic auth with raw high bytes in the header', path: '/containers/api/{project}', auth: { header: Buffer.from([0x42, 0x61, 0x73, 0x69, 0x63, 0x20, 0xff, 0xfe, 0x80]) }, expect: [400, 401] },
    { name: 'Basic auth with a 6000-byte password', path: '/containers/api/{project}', auth: { header: basic('adm:' + 'p'.repeat(6000)) }, expect: [400, 401, 431], says: /too long/ },
    { name: 'Basic auth with an empty user', path: '/containers/api/{project}', auth: { header: basic(':password') }, expect: [401] },
    { name: 'create with a broken form body', method: 'POST', path: '/containers/api/create/{project}', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'title=%E0%A4%A&repository=%ZZ' },
    { name: 'create with a form body of bare keys', method: 'POST', path: '/containers/api/create/{project}', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '&&&=&title' },
    { name: 'create with multipart without a boundary', method: 'POST', path: '/containers/api/create/{project}', headers: { 'content-type': 'multipart/form-data' }, body: '--x\r\n\r\n' },
    { name: 'create with a truncated multipart body', method: 'POST', path: '/containers/api/create/{project}', headers: { 'content-type': 'multipart/form-data; boundary=XyZ' }, body: '--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nabc' },
    { name: 'create with an unsupported content type', method: 'POST', path: '/containers/api/create/{project}', headers: { 'content-type': 'text/csv' }, body: 'a,b', expect: [400, 415] },
    { name: 'regression: a Kiosc Accept with a malformed q silently fell back to Portico\'s JSON, now 406', path: '/containers/api/{project}', headers: { accept: `${KIOSC_JSON}; q=abc; version=1.0` }, expect: [406], says: /"q"/ },
    { name: 'create with a Kiosc Accept and malformed JSON', method: 'POST', path: '/containers/api/create/{project}', headers: { accept: KIOSC_JSON }, body: '{"title":', says: /JSON/i },
    { name: 'create with a multipart part header of 20000 bytes', method: 'POST', path: '/containers/api/create/{project}', headers: { 'content-type': 'multipart/form-data; boundary=B' }, body: `--B\r\nContent-Disposition: form-data; name="${'n'.repeat(20_000)}"\r\n\r\nx\r\n--B--\r\n` },
    { name: 'create with a form body of 3 MB', method: 'POST', path: '/containers/api/create/{project}', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'title=' + 'x'.repeat(3_000_000), expect: [413] },
    { name: 'update with a form body setting an unknown template', method: 'PATCH', path: '/containers/api/update/{container}', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'containertemplatesite=99999999999999999999' },
    { name: 'containers list with a garbage page', path: '/containers/api/{project}?page=%FF', expect: [400, 404] },
    { name: 'OPTIONS on an unknown container', method: 'OPTIONS', path: `/containers/api/detail/${u}`, expect: [404] },
    { name: 'OPTIONS on an unknown project', method: 'OPTIONS', path: `/containers/api/${u}`, expect: [404] },
    { name: 'detail with a traversal id', path: '/containers/api/detail/..%2F..%2Fetc', expect: [404] },

    // OIDC (configured against a provider that is not there).
    { name: 'OIDC start with a Host that is not a host', path: '/login/oidc', host: 'bad host', auth: 'none', html: true, expect: [400] },
    { name: 'OIDC callback with garbage state and code', path: '/login/oidc/callback?state=%FF%FE%00&code=%E0%A4%A', auth: 'none', html: true },
    { name: 'OIDC callback with an error from the provider', path: '/login/oidc/callback?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=x', auth: 'none', html: true },
    { name: 'OIDC callback with no parameters', path: '/login/oidc/callback', auth: 'none', html: true },
    { name: 'OIDC callback with a 6000-character state', path: `/login/oidc/callback?state=${long}&code=${long}`, auth: 'none', html: true, expect: [400, 414, 431] },
    { name: 'OIDC callback with repeated parameters', path: '/login/oidc/callback?state=a&state=b&code=c&code=d', auth: 'none', html: true },

    // The app-origin handshake on <uuid>.localhost.
    { name: 'app-origin handshake with a garbage code', path: '/.portico/auth?code=%FF%00garbage&next=/', host: 'app', auth: 'none', html: true },
    { name: 'app-origin handshake with no code', path: '/.portico/auth?next=/', host: 'app', auth: 'none', html: true },
    { name: 'app-origin handshake with an absolute next', path: '/.portico/auth?code=abc&next=https://evil.example/', host: 'app', auth: 'none', html: true },
    { name: 'app-origin handshake with a //evil next', path: '/.portico/auth?code=abc&next=//evil.example/', host: 'app', auth: 'none', html: true },
    { name: 'app-origin handshake with a backslash next', path: '/.portico/auth?code=abc&next=/%5C%5Cevil.example/', host: 'app', auth: 'none', html: true },
    { name: 'app-origin handshake with CR/LF in next', path: '/.portico/auth?code=abc&next=/%0D%0ASet-Cookie:%20x=1', host: 'app', auth: 'none', html: true },
    { name: 'app-origin handshake with a 6000-character code', path: `/.portico/auth?code=${long}&next=/`, host: 'app', auth: 'none', html: true, expect: [400, 403, 414, 431] },
    { name: 'app-origin handshake on an unknown app', path: '/.portico/auth?code=abc&next=/', host: `${u}.localhost`, auth: 'none', html: true },

    // Kiosc's old URLs.
    { name: 'Kiosc lobby URL with junk', path: '/containers/proxy/lobby/%FF%FE..%2F..', auth: 'admin', expect: [400, 404] },
    { name: 'Kiosc lobby URL with an unknown uuid', path: `/containers/proxy/lobby/${u}`, auth: 'admin', expect: [404] },
    { name: 'Kiosc file serve with junk and traversal', path: '/containers/file/serve/junk/..%2F..%2Fetc%2Fpasswd', auth: 'admin', expect: [400, 404] },
    { name: 'Kiosc file serve in an unknown project', path: `/containers/file/serve/${u}/a.txt`, auth: 'admin', expect: [404] },
    { name: 'Kiosc file serve with a NUL byte', path: '/containers/file/serve/{project}/a%00b', auth: 'admin', expect: [400, 404] },
    { name: 'kioscadmin with junk', path: '/kioscadmin/%FF/../../x', auth: 'admin', html: true, expect: [400, 404] },
    { name: 'containertemplates with a junk template', path: '/containertemplates/site/detail/%E0%A4%A', auth: 'admin', html: true, expect: [400, 404] },
    { name: 'containertemplates with a 5000-character project', path: `/containertemplates/project/${long}`, auth: 'admin', html: true, expect: [400, 404, 414] },

    // The same routes as a browser meets them.
    { name: 'browser: app-origin handshake with a garbage code', path: '/.portico/auth?code=%FF%00garbage&next=//evil.example/', host: 'app', browser: true },
    { name: 'browser: app-origin handshake on an unknown app', path: '/.portico/auth?code=abc&next=/', host: `${u}.localhost`, browser: true },
    { name: 'browser: OIDC callback with garbage state', path: '/login/oidc/callback?state=%FF&code=x', browser: true },
    { name: 'browser: Kiosc lobby URL with junk', path: '/containers/proxy/lobby/%FF%FE..%2F..', browser: true, expect: [400, 404] },
    { name: 'browser: kioscadmin with junk', path: '/kioscadmin/%FF/../../x', browser: true, expect: [400, 404] },
    { name: 'browser: containertemplates with a junk template', path: '/containertemplates/site/detail/%E0%A4%A', browser: true, expect: [400, 404] },
    { name: 'browser: project page of an unknown project', path: `/projects/${u}`, browser: true, expect: [404] },
    // The SODAR sync form.
    { name: 'SODAR sync POST without CSRF', method: 'POST', path: '/admin/sodar/sync', auth: 'cookie', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '', expect: [403], html: true },
    { name: 'SODAR sync POST with a wrong CSRF token', method: 'POST', path: '/admin/sodar/sync', auth: 'cookie', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf_token=%FF%FEnope', expect: [403], html: true },

    { name: 'regression: the SODAR sync button on a site that is not a SODAR target answered the browser with JSON', method: 'POST', path: '/admin/sodar/sync', auth: 'cookie', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf_token={csrf}', html: true, browser: true, expect: [400, 409] },
    { name: 'SODAR sync POST with a token and no form', method: 'POST', path: '/admin/sodar/sync', auth: 'admin', html: true, body: '', expect: [400, 403, 409] },
    { name: 'SODAR sync POST as a project owner', method: 'POST', path: '/admin/sodar/sync', auth: 'owner', html: true, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1', expect: [403] },
    { name: 'regression: the SODAR sync page refused a non-admin browser with JSON', path: '/admin/sodar?%FF=%00', browser: true, auth: 'owner', expect: [403] },

    { name: 'regression: the site-admin users page refused a non-admin browser with JSON', path: '/admin/users', browser: true, auth: 'owner', expect: [403] },
    { name: 'regression: the site-admin projects page refused a non-admin browser with JSON', path: '/admin/projects', browser: true, auth: 'owner', expect: [403] },
    { name: 'regression: the site-admin page refused a non-admin browser with JSON', path: '/admin', browser: true, auth: 'owner', expect: [403] },

    // The volumes API.
    { name: 'volume delete with an unknown name', method: 'DELETE', path: '/containers/api/volumes/no-such-volume-here', expect: [404] },
    { name: 'volume delete with encoded traversal', method: 'DELETE', path: '/containers/api/volumes/..%2F..%2Fetc', expect: [400, 404] },
    { name: 'volume delete with a NUL byte', method: 'DELETE', path: '/containers/api/volumes/a%00b', expect: [400, 404] },
    { name: 'volume delete with 5000 characters', method: 'DELETE', path: `/containers/api/volumes/${long}`, expect: [400, 404, 414] },
    { name: 'volume delete with broken percent-encoding', method: 'DELETE', path: '/containers/api/volumes/%E0%A4%A', expect: [400, 404] },
    { name: 'volume delete with an emoji', method: 'DELETE', path: '/containers/api/volumes/%F0%9F%98%80', expect: [400, 404] },
    { name: 'volume delete with an encoded slash only', method: 'DELETE', path: '/containers/api/volumes/%2F', expect: [400, 404] },
    { name: 'volume delete without a token', method: 'DELETE', path: '/containers/api/volumes/x', auth: 'none', expect: [401] },
    { name: 'volume delete as a project owner', method: 'DELETE', path: '/containers/api/volumes/x', auth: 'owner', expect: [403] },
    { name: 'volume list with a bad size flag', path: '/containers/api/volumes?size=%FF', expect: [400] },
  ];
}

t.test('new surfaces: bad input gets a clear 4xx, no 5xx, no hang', async (t) => {
  const gw = await startGateway({
    PORTICO_APP_ORIGINS: 'per-app',
    ENABLE_OIDC: '1', SOCIAL_AUTH_OIDC_OIDC_ENDPOINT: 'http://127.0.0.1:9/', SOCIAL_AUTH_OIDC_KEY: 'portico', SOCIAL_AUTH_OIDC_SECRET: 'secret',
  });
  t.teardown(() => gw.close());
  const project = gw.project();
  const owner = (await gw.user('cora', { project, role: 'owner' })).token;
  const admin = (await gw.user('adm', { admin: true, password: 'adm-password' })).token;
  const session = await login(gw, admin);
  const { body: created } = await gw.api('POST', `/containers/api/create/${project}`, owner, { title: 'target', repository: 'portico-test/httpd', tag: '1' });
  const app = created.sodar_uuid as string;
  const before = gw.core.store.containers.all().length;
  const projectsBefore = gw.core.store.projects.all().length;
  const u = randomUUID();

  const build = (c: Case): Buffer => {
    const fill = (s: string) => s.replaceAll('{csrf}', encodeURIComponent(session.csrf)).replaceAll('{project}', project).replaceAll('{container}', app);
    const host = c.host === 'app' ? `${app}.localhost:${gw.port}` : c.host ? `${c.host}:${gw.port}` : `127.0.0.1:${gw.port}`;
    const lines: Buffer[] = [Buffer.from(`${c.method ?? 'GET'} ${fill(c.path)} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n`, 'latin1')];
    const auth = c.auth ?? (c.browser ? 'cookie' : 'admin');
    if (typeof auth === 'object') lines.push(Buffer.from('authorization: '), Buffer.from(auth.header), Buffer.from('\r\n'));
    else if (auth === 'cookie') lines.push(Buffer.from(`cookie: ${session.cookie}\r\naccept: text/html\r\n`));
    else if (auth !== 'none') lines.push(Buffer.from(`authorization: token ${auth === 'admin' ? admin : owner}\r\n`));
    const payload = c.body === undefined ? Buffer.alloc(0) : Buffer.from(c.body);
    const headers: Record<string, string> = { ...(c.browser && auth !== 'cookie' ? { accept: 'text/html' } : {}), ...(c.headers ?? {}) };
    if (c.body !== undefined) headers['content-type'] ??= 'application/json';
    if (!headers['transfer-encoding'] && (payload.length || (c.method && c.method !== 'GET'))) headers['content-length'] = String(Buffer.from(fill(payload.toString('latin1')), 'latin1').length);
    for (const [k, v] of Object.entries(headers)) lines.push(Buffer.from(`${k}: ${v}\r\n`, 'latin1'));
    lines.push(Buffer.from('\r\n'), Buffer.from(fill(payload.toString('latin1')), 'latin1'));
    return Buffer.concat(lines);
  };

  const failures: string[] = [];
  const all = cases(u);
  for (const c of all) {
    const started = Date.now();
    const a = await send(gw.port, build(c));
    const took = Date.now() - started;
    const allowed = c.expect ?? [];
    const okStatus = a.status >= 400 && a.status < 500 && (!allowed.length || allowed.includes(a.status));
    if (!okStatus) { failures.push(`${c.name}: got ${a.status} ${a.body.slice(0, 200).replace(/\s+/g, ' ')}`); continue; }
    if (took > 3000) failures.push(`${c.name}: took ${took} ms`);
    const type = a.headers['content-type'] ?? '';
    if (c.browser && !type.includes('text/html')) { failures.push(`${c.name}: a browser got ${type} instead of a page: ${a.body.slice(0, 160)}`); continue; }
    if ((c.html || c.browser) && type.includes('text/html')) {
      if (!/<html|<!doctype/i.test(a.body)) failures.push(`${c.name}: an HTML answer without a page`);
      if (/<script>alert/.test(a.body)) failures.push(`${c.name}: unescaped provider text on the page`);
    } else if (a.status !== 431 && a.status !== 414) {
      let j: { error?: unknown; code?: unknown } | null = null;
      try { j = JSON.parse(a.body); } catch { /* reported below */ }
      if (!type.includes('json') || !j || typeof j.error !== 'string' || !j.error || typeof j.code !== 'string') {
        failures.push(`${c.name}: ${a.status} without a JSON {error, code}: ${type} ${a.body.slice(0, 160).replace(/\s+/g, ' ')}`);
        continue;
      }
      if (c.says && !c.says.test(j.error)) failures.push(`${c.name}: message ${JSON.stringify(j.error)} does not say ${c.says}`);
    }
    if (a.headers['set-cookie']?.includes('x=1')) failures.push(`${c.name}: header injection`);
  }
  t.same(failures, [], `${all.length} cases answered with a clear 4xx`);
  const health = await send(gw.port, Buffer.from(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`));
  t.equal(health.status, 200, 'the gateway still answers /healthz');
  t.equal(gw.core.store.containers.all().length, before, 'no container was created by bad input');
  t.equal(gw.core.store.projects.all().length, projectsBefore, 'no project was created or lost by bad input');
  t.ok(gw.core.store.projects.byUuid(project), 'the project under attack is still there');
});

t.test('CLI verbs with unknown ids and bad targets fail with a message, never a stack', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cli-bad-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cli = new URL('../../gateway/cli.ts', import.meta.url).pathname;
  const dead = net.createServer((s) => s.end('this is not PostgreSQL\r\n'));
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => dead.close());
  const junkPort = (dead.address() as net.AddressInfo).port;
  const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH, PORTICO_DATA_DIR: dir }, input: '', encoding: 'utf8', timeout: 20_000,
  });
  const u = randomUUID();
  const cliCases: Array<[string, string[], number[], RegExp]> = [
    ['import-kiosc with a URL that is not a URL', ['import-kiosc', '--database', 'not a url'], [1, 2], /database|URL/i],
    ['import-kiosc with an unreachable port', ['import-kiosc', '--database', 'postgres://kiosc@127.0.0.1:9/kiosc'], [1], /127\.0\.0\.1|connect|reach/i],
    ['regression: import-kiosc against a server that is not PostgreSQL said only "timeout expired"', ['import-kiosc', '--database', `postgres://kiosc@127.0.0.1:${junkPort}/kiosc`], [1], /no PostgreSQL answer from 127\.0\.0\.1/],
    ['import-kiosc with a non-postgres scheme', ['import-kiosc', '--database', 'mysql://u@127.0.0.1/x'], [1, 2], /postgres/i],
    ['sodar sync with SODAR not configured', ['sodar', 'sync'], [1, 2], /SODAR/i],
    ['volume rm with traversal', ['volume', 'rm', '../../etc'], [1, 2], /volume/i],
    ['volume rm with a NUL-free odd name', ['volume', 'rm', 'a b\tc'], [1, 2], /volume/i],
    ['volume rm with 5000 characters', ['volume', 'rm', 'v'.repeat(5000)], [1, 2], /volume/i],
    ['project rename with an unknown id', ['project', 'rename', u, 'New title'], [1], /project/i],
    ['project archive with an unknown id', ['project', 'archive', u], [1], /project/i],
    ['project delete with an unknown id', ['project', 'delete', u, '--yes'], [1], /project/i],
    ['project rename with a junk id', ['project', 'rename', '../x\u00ff', 'T'], [1, 2], /project/i],
  ];
  const failures: string[] = [];
  for (const [name, args, codes, says] of cliCases) {
    const r = run(args);
    const out = `${r.stderr}${r.stdout}`;
    if (r.error) { failures.push(`${name}: ${r.error.message}`); continue; }
    if (!codes.includes(r.status ?? -1)) failures.push(`${name}: exit ${r.status}: ${out.slice(0, 300)}`);
    else if (/\n\s+at .+:\d+:\d+\)?/.test(out)) failures.push(`${name}: a stack trace: ${out.slice(0, 300)}`);
    else if (!says.test(r.stderr.split('\n')[0] ?? '')) failures.push(`${name}: first line does not say what was wrong: ${r.stderr.slice(0, 200)}`);
  }
  t.same(failures, [], `${cliCases.length} CLI cases fail cleanly`);
});
