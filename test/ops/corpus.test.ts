/**
 * corpus.test.ts: runs the bad-input corpus (test/corpus/rest-cases.ts) against a real gateway over
 * raw sockets (so nothing normalises the requests on the way): every case gets a 4xx, JSON errors
 * carry `error` and `code`, and the gateway is healthy and unchanged afterwards.
 */
import t from 'tap';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { startGateway, engineContainers, TEST_IMAGE } from '../helpers/gateway.ts';
import { CASES } from '../corpus/rest-cases.ts';
import type { CorpusCase } from '../corpus/rest-cases.ts';

interface Answer { status: number; headers: Record<string, string>; body: string }

function send(port: number, request: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!m) return resolve({ status: 0, headers: {}, body: text });
      const headers: Record<string, string> = {};
      for (const line of m[2].split('\r\n')) { const i = line.indexOf(':'); if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim(); }
      resolve({ status: Number(m[1]), headers, body: m[3] });
    };
    sock.setTimeout(15_000, () => sock.destroy());
    sock.on('data', (c) => chunks.push(c));
    sock.on('close', done);
    sock.on('error', () => {});
    sock.write(request);
  });
}

t.test(`bad-input corpus (${CASES.length} cases): no 5xx, no crash, a clear message each`, async (t) => {
  t.ok(CASES.length >= 200, `${CASES.length} cases`);
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const other = gw.project();
  const tokens = {
    owner: (await gw.user('cora', { project, role: 'owner' })).token,
    guest: (await gw.user('gil', { project, role: 'guest' })).token,
    stranger: (await gw.user('stan', { project: other, role: 'owner' })).token,
    admin: (await gw.user('adm', { admin: true })).token,
  };
  const { body } = await gw.api('POST', `/containers/api/create/${project}`, tokens.owner, { title: 'target', ...TEST_IMAGE });
  const container = body.sodar_uuid as string;
  const unknown = randomUUID();
  const fill = (s: string) => s.replaceAll('{project}', project).replaceAll('{container}', container).replaceAll('{unknown}', unknown);
  const before = gw.core.store.containers.all().length;

  const build = (c: CorpusCase): Buffer => {
    if (c.raw) return Buffer.from(fill(c.raw), 'utf8');
    const headers: Record<string, string> = { host: `127.0.0.1:${gw.port}`, connection: 'close', ...(c.headers ?? {}) };
    const auth = c.auth ?? 'owner';
    if (typeof auth === 'object') headers.authorization = auth.header;
    else if (auth !== 'none') headers.authorization = `token ${tokens[auth]}`;
    let payload = Buffer.alloc(0);
    if (c.body !== undefined) {
      payload = Buffer.from(typeof c.body === 'string' ? c.body : JSON.stringify(c.body), 'utf8');
      headers['content-type'] ??= 'application/json';
    }
    if (payload.length || c.method !== 'GET') headers['content-length'] = String(payload.length);
    const head = `${c.method ?? 'GET'} ${fill(c.path ?? '/')} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'utf8'), payload]);
  };

  const failures: string[] = [];
  const statuses = new Map<number, number>();
  for (const c of CASES) {
    const a = await send(gw.port, build(c));
    statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    const allowed = c.expect ?? [];
    const okStatus = allowed.length ? allowed.includes(a.status) : a.status >= 400 && a.status < 500;
    if (!okStatus) { failures.push(`${c.name}: got ${a.status} ${a.body.slice(0, 200)}`); continue; }
    if (a.status >= 500) { failures.push(`${c.name}: 5xx ${a.status}`); continue; }
    if ((a.headers['content-type'] ?? '').includes('application/json') && a.status >= 400) {
      let j: { error?: unknown; code?: unknown } | null = null;
      try { j = JSON.parse(a.body); } catch { /* reported below */ }
      if (!j || typeof j.error !== 'string' || !j.error || typeof j.code !== 'string' || !/^E_[A-Z_]+$/.test(j.code)) {
        failures.push(`${c.name}: unclear error body ${a.body.slice(0, 200)}`);
      } else if (c.code && j.code !== c.code) {
        failures.push(`${c.name}: code ${j.code}, expected ${c.code}`);
      }
    }
  }
  t.same(failures, [], 'every case answered as expected with a clear message');
  t.comment(`statuses: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`);
  const health = await gw.api('GET', '/healthz', null);
  t.equal(health.status, 200, 'the gateway is healthy afterwards');
  const created = gw.core.store.containers.all().length - before;
  t.ok(created >= 0, `${created} container(s) created by valid-but-odd input (unicode titles)`);
  t.equal(engineContainers(gw.instance).length, 0, 'no engine container was started by any case');
  t.equal((await gw.api('GET', `/containers/api/detail/${container}`, tokens.owner)).body.state, 'initial', 'the target is untouched');
});
