/**
 * http-diff.test.ts: the differential test. Every case of test/corpus/diff-cases.ts goes through a
 * real Portico gateway and through nginx (as a reverse proxy) to scripted raw-socket apps, and
 * each side is held to the case's expectation (nginx's, where it differs with a reason). Besides
 * the per-case fields, every run must hold the invariants: no answer meant for one request
 * reaches another (desync), the app never receives a request with both Content-Length and
 * Transfer-Encoding, and never a smuggled request. Ends with a table of both sides.
 * Each case has its own app (one per proxy) and its own container/location, so cases run in parallel.
 */
import t from 'tap';
import type net from 'node:net';
import { startGateway } from '../helpers/gateway.ts';
import { login } from '../helpers/session.ts';
import { KNOWN_VARIABLES } from '../../gateway/core/config.ts';
import { DIFF_CASES } from '../corpus/diff-cases.ts';
import type { DiffCase, Expect, Status } from '../corpus/diff-cases.ts';
import { ScriptedApp, connect, exchange, parseResponses, startNginx } from './harness.ts';
import type { AppRequest, ClientResponse } from './harness.ts';

type Proxy = 'portico' | 'nginx';
/**
 * Outcome of a later request on the connection: 'wrong' is the app's answer to another request (a
 * desync); 'refused' is an error status for a well-formed request; 'busy': not sent, the first answer
 * is still being relayed until the app closes.
 */
type Outcome = 'ok' | 'closed' | 'wrong' | 'refused' | 'hang' | 'busy' | 'unsent';

/** Observed is what one proxy did with one case. */
interface Observed {
  status: number | null;
  interim: number[];
  clientBody: string;
  setCookies: string[];
  /** clientHeaders: the first final response's headers. */
  clientHeaders: Array<[string, string]>;
  closed: boolean;
  firstMs: number;
  /** raw: what the client got (then, after a |, what the probe got), for DIFF_DEBUG=1. */
  raw: string;
  requests: AppRequest[];
  received: string;
  pipelined: Outcome;
  probe: Outcome;
}

// A short client body timeout, when Portico has such a setting (the short-body case needs one).
const bodyTimeout = KNOWN_VARIABLES.find((n) => /BODY.*TIMEOUT|TIMEOUT.*BODY/.test(n));
const gw = await startGateway({ PORTICO_PUBLISH_PORTS: 'true', ...(bodyTimeout ? { [bodyTimeout]: bodyTimeout.endsWith('_MS') ? '1000' : '1' } : {}) });
const projectUuid = gw.project();
const { token } = await gw.user('differ', { project: projectUuid, role: 'guest' });
const sid = (await login(gw, token)).cookie.split('=')[1];
const project = gw.core.store.projects.byUuid(projectUuid)!;

// DIFF_ONLY=<regex> runs only the cases whose names match (to look at one closely, with DIFF_DEBUG=1).
const only = process.env.DIFF_ONLY ? new RegExp(process.env.DIFF_ONLY) : null;
const setups = await Promise.all(DIFF_CASES.filter((c) => !only || only.test(c.name)).map(async (c) => {
  const apps = { portico: await new ScriptedApp().listen(), nginx: await new ScriptedApp().listen() };
  const rec = gw.core.containers.create(project.id, { title: 'diff-' + Math.random().toString(36).slice(2, 8), repository: 'diff/none', tag: '1', container_port: 80 }, 'diff');
  // Running for an hour already, so the proxy treats it as ready (no readiness probe): the upstream is 127.0.0.1:<app port>.
  gw.core.store.containers.setRuntime(rec.id, { state: 'running', dockerId: `diff-${rec.id}`, hostPort: apps.portico.port, dateStarted: new Date(Date.now() - 3_600_000).toISOString() });
  return { c, uuid: rec.uuid, apps };
}));
const nginx = await startNginx(setups.map((s) => ({ uuid: s.uuid, upstreamPort: s.apps.nginx.port })));
t.teardown(async () => {
  await Promise.all(setups.flatMap((s) => [s.apps.portico.close(), s.apps.nginx.close()]));
  await nginx.stop();
});

const ports: Record<Proxy, number> = { portico: gw.port, nginx: nginx.port };

function fill(s: string, uuid: string): string {
  return s.replaceAll('{P}', `/containers/proxy/${uuid}`).replaceAll('{A}', `Authorization: token ${token}`).replaceAll('{SID}', sid);
}

function outcome(r: ClientResponse | undefined, closed: boolean, path: string): Outcome {
  if (r) {
    const body = r.body.toString('latin1');
    if (body === `echo:GET ${path}`) return 'ok';
    return r.status >= 400 && !body.startsWith('echo:') && !body.includes('EVIL!') ? 'refused' : 'wrong';
  }
  return closed ? 'closed' : 'hang';
}

/** observe runs one case through one proxy. */
async function observe(c: DiffCase, uuid: string, app: ScriptedApp, proxy: Proxy): Promise<Observed> {
  app.reset((c.reply ?? ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok']).map((s) => (typeof s === 'string' && s !== 'close' && s !== 'end' ? fill(s, uuid) : s)), c.replyOnHead);
  const parts = (Array.isArray(c.request) ? c.request : [c.request]).map((p) => (typeof p === 'string' ? Buffer.from(fill(p, uuid), 'latin1') : p));
  if (c.second) parts.push(Buffer.from(fill(c.second, uuid), 'latin1'));
  const socket: net.Socket = await connect(ports[proxy]);
  try {
    const waitMs = c.waitMs ?? 500;
    const ex = await exchange(socket, parts, waitMs, waitMs + 2500);
    const all = parseResponses(ex.bytes);
    const firstFinal = all.findIndex((r) => r.status >= 200 || r.status === 101);
    const finals = firstFinal < 0 ? [] : all.slice(firstFinal).filter((r) => r.status >= 200 || r.status === 101);
    const first = finals[0];
    const requests = app.requests.slice();
    const received = app.received();
    let probe: Outcome = 'closed';
    let probeRaw = '';
    if (!ex.closed && first && !first.framed) probe = 'busy';
    else if (!ex.closed) {
      const px = await exchange(socket, [Buffer.from(fill('GET {P}/probe HTTP/1.1\r\nHost: gw\r\n{A}\r\n\r\n', uuid), 'latin1')], 500, 2500);
      probe = outcome(parseResponses(px.bytes).find((r) => r.status >= 200), px.closed, '/probe');
      probeRaw = px.bytes.toString('latin1');
    }
    return {
      status: first ? first.status : null,
      interim: (firstFinal < 0 ? all : all.slice(0, firstFinal)).map((r) => r.status),
      clientBody: first ? first.body.toString('latin1') : '',
      setCookies: first ? first.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v) : [],
      clientHeaders: first ? first.headers : [],
      closed: ex.closed,
      firstMs: ex.firstMs,
      raw: ex.bytes.toString('latin1') + (probeRaw ? ' | ' + probeRaw : ''),
      requests,
      received,
      pipelined: c.second ? outcome(finals[1], ex.closed, '/second') : 'unsent',
      probe,
    };
  } finally {
    socket.destroy();
  }
}

function statusMatches(got: number | null, want: Status): boolean {
  if (want === 'none') return got === null;
  if (got === null) return false;
  return typeof want === 'number' ? got === want : String(got)[0] === want[0];
}

/** problems lists how `o` breaks the expectation `e` and the invariants, for one case and proxy. */
function problems(c: DiffCase, e: Expect, o: Observed, uuid: string): string[] {
  const p: string[] = [];
  const mine = o.requests.filter((r) => !/ \/(second|probe) /.test(r.line));
  const complete = mine.filter((r) => r.complete);
  if (e.status !== undefined) {
    const wants = Array.isArray(e.status) ? e.status : [e.status];
    if (!wants.some((w) => statusMatches(o.status, w))) p.push(`status ${o.status ?? 'none'}, want ${wants.join('|')}`);
  }
  if (e.interim !== undefined && e.interim.join() !== o.interim.join()) p.push(`interim [${o.interim}], want [${e.interim}]`);
  if (e.upstream !== undefined && complete.length !== e.upstream) p.push(`app got ${complete.length} complete requests, want ${e.upstream}`);
  if (e.upstreamLine !== undefined && mine[0]?.line !== e.upstreamLine) p.push(`app's request line ${JSON.stringify(mine[0]?.line)}, want ${JSON.stringify(e.upstreamLine)}`);
  if (e.upstreamBody !== undefined && (mine[0]?.body.toString('latin1') !== e.upstreamBody || !mine[0]?.complete)) p.push(`app's body ${JSON.stringify(mine[0]?.body.toString('latin1'))} (${mine[0]?.framing}), want ${JSON.stringify(e.upstreamBody)}`);
  if (e.clientBody !== undefined && o.clientBody !== e.clientBody) p.push(`client body ${JSON.stringify(o.clientBody.slice(0, 60))}, want ${JSON.stringify(e.clientBody)}`);
  if (e.closed !== undefined && o.closed !== e.closed) p.push(o.closed ? 'connection closed, want kept open' : 'connection kept open, want closed');
  if (e.probe !== undefined && o.probe !== e.probe && !(o.probe === 'busy' && e.busyOk)) p.push(`next request on the connection: ${o.probe}, want ${e.probe}`);
  if (e.pipelined !== undefined && o.pipelined !== e.pipelined) p.push(`pipelined request: ${o.pipelined}, want ${e.pipelined}`);
  for (const s of e.upstreamNever ?? []) if (o.received.includes(fill(s, uuid))) p.push(`app received ${JSON.stringify(fill(s, uuid))}`);
  if (e.cookiePathsUnder) {
    const prefix = `/containers/proxy/${uuid}`;
    for (const sc of o.setCookies) for (const m of sc.matchAll(/;\s*path=([^;]*)/gi)) if (!(m[1].trim() === prefix || m[1].trim().startsWith(prefix + '/'))) p.push(`Set-Cookie ${JSON.stringify(sc)} has Path=${m[1]}`);
    if (o.setCookies.length === 0) p.push('no Set-Cookie reached the client');
  }
  if (e.maxMs !== undefined && !(o.firstMs <= e.maxMs)) p.push(`first answer after ${Number.isNaN(o.firstMs) ? 'never' : o.firstMs + ' ms'}, want ≤ ${e.maxMs} ms`);
  // Invariants, for every case.
  if (o.probe === 'wrong' || o.pipelined === 'wrong') p.push(`DESYNC: the ${o.probe === 'wrong' ? 'next' : 'pipelined'} request got another request's answer`);
  if (o.probe === 'hang' && !e.busyOk) p.push('the connection was left open but the next request got no answer');
  if (o.requests.some((r) => r.framing === 'both')) p.push('app received both Content-Length and Transfer-Encoding');
  if (o.requests.some((r) => r.line.includes('/smuggled'))) p.push('app received a smuggled request');
  return p;
}

// What legitimately differs between the two proxies, left out of the header comparison: each one's
// own additions and credentials (X-Forwarded-*, X-Portico-*, Via, Authorization), hop-by-hop fields,
// and on the client side Server, Date, framing (either may re-chunk) and Portico's own cookie scoping.
const OWN_REQUEST = /^(x-forwarded-.*|x-portico-.*|via|authorization|connection|keep-alive|te|transfer-encoding|content-length)$/;
const OWN_RESPONSE = /^(server|date|via|connection|keep-alive|transfer-encoding|content-length|set-cookie|x-portico-.*)$/;

/** headerDiff compares two header lists by lower-cased name and value, ignoring order and what `own` matches; '' when equal. */
function headerDiff(a: Array<[string, string]>, b: Array<[string, string]>, own: RegExp): string {
  const norm = (h: Array<[string, string]>) => h.filter(([n]) => !own.test(n)).map(([n, v]) => `${n}: ${v}`).sort();
  const x = norm(a), y = norm(b);
  const onlyA = x.filter((l) => !y.includes(l)), onlyB = y.filter((l) => !x.includes(l));
  return onlyA.length || onlyB.length ? `portico only [${onlyA.join(' | ')}], nginx only [${onlyB.join(' | ')}]` : '';
}

/** differences lists what the two proxies did differently with the same bytes (reported, not asserted: the expectations decide). */
function differences(p: Observed, n: Observed): string[] {
  const d: string[] = [];
  const first = (o: Observed) => o.requests.find((r) => !/ \/(second|probe) /.test(r.line));
  const pa = first(p), na = first(n);
  if (pa && na) {
    if (pa.line !== na.line) d.push(`request line ${JSON.stringify(pa.line)} vs ${JSON.stringify(na.line)}`);
    if (pa.framing !== na.framing) d.push(`framing to the app ${pa.framing} vs ${na.framing}`);
    if (!pa.body.equals(na.body)) d.push(`body to the app ${pa.body.length} vs ${na.body.length} bytes`);
    const h = headerDiff(pa.headers, na.headers, OWN_REQUEST);
    if (h) d.push(`app headers: ${h}`);
  }
  if (p.status !== null && n.status !== null && p.status < 400 && n.status < 400) {
    if (p.clientBody !== n.clientBody) d.push(`client body ${p.clientBody.length} vs ${n.clientBody.length} bytes`);
    const h = headerDiff(p.clientHeaders, n.clientHeaders, OWN_RESPONSE);
    if (h) d.push(`client headers: ${h}`);
  }
  return d;
}

function summary(o: Observed): string {
  const mine = o.requests.filter((r) => !/ \/(second|probe) /.test(r.line) && r.complete).length;
  return `${o.interim.length ? o.interim.join('+') + '+' : ''}${o.status ?? 'none'} app:${mine} ${o.closed ? 'closed' : 'open'}${o.pipelined !== 'unsent' ? ' pipe:' + o.pipelined : ''} next:${o.probe}`;
}

/** pool runs `fn` over `items` with at most `n` at a time, keeping order. */
async function pool<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < items.length) { const i = next++; out[i] = await fn(items[i]); } }));
  return out;
}

const skipPortico = (c: DiffCase): string | null => (c.needs && !KNOWN_VARIABLES.some((n) => c.needs!.setting.test(n)) ? c.needs.why : null);
const results = await pool(setups, 6, async (s) => ({
  portico: skipPortico(s.c) ? null : await observe(s.c, s.uuid, s.apps.portico, 'portico'),
  nginx: s.c.only ? null : await observe(s.c, s.uuid, s.apps.nginx, 'nginx'),
}));

const rows: string[] = ['| case | Portico | | nginx 1.22 | | same? |', '|---|---|---|---|---|---|'];
const differing: string[] = [];
let failing: string[] = [];
setups.forEach((s, i) => {
  const c = s.c;
  const r = results[i];
  const ngExpect: Expect = { ...c.expect, ...(c.nginx ?? {}) };
  const pp = r.portico ? problems(c, c.expect, r.portico, s.uuid) : null;
  const np = r.nginx ? problems(c, ngExpect, r.nginx, s.uuid) : null;
  const diff = r.portico && r.nginx ? differences(r.portico, r.nginx) : null;
  if (diff?.length) differing.push(`- ${c.name}: ${diff.join('; ')}`);
  rows.push(`| ${c.name} | ${r.portico ? summary(r.portico) : 'skipped'} | ${pp === null ? '–' : pp.length ? 'FAIL' : 'ok'} | ${r.nginx ? summary(r.nginx) : 'n/a'} | ${np === null ? '–' : np.length ? 'FAIL' : 'ok'} | ${diff === null ? '–' : diff.length ? 'differs' : 'same'} |`);
  const debug = (o: Observed) => (process.env.DIFF_DEBUG ? `\n    client got ${JSON.stringify(o.raw.slice(0, 900))}\n    app got ${JSON.stringify(o.received.slice(0, 600))}` : '');
  if (pp?.length) failing.push(`- [portico] ${c.name}: ${pp.join('; ')}${debug(r.portico!)}`);
  if (np?.length) failing.push(`- [nginx] ${c.name}: ${np.join('; ')}${debug(r.nginx!)}`);
  t.test(`[${c.group}] ${c.name}`, async (t) => {
    if (r.portico && pp) t.same(pp, [], `portico: ${pp.join('; ') || 'as expected'}`);
    else t.pass(`portico: skipped, ${skipPortico(c)}`, { skip: true });
    if (r.nginx && np) t.same(np, [], `nginx: ${np.join('; ') || 'as expected'}${c.nginx ? ` (differs: ${c.nginx.why})` : ''}`);
    else t.comment(`nginx: not run (${c.only?.why})`);
  });
});
t.test('report', async (t) => {
  t.comment('\n' + rows.join('\n'));
  if (failing.length) t.comment('\nFailing:\n' + failing.join('\n'));
  if (differing.length) t.comment('\nWhere the two differ (after normalising what legitimately differs; not asserted):\n' + differing.join('\n'));
  failing = [];
  t.pass(`${setups.length} cases through both proxies`);
});
t.test('regression: the gateway shuts down within 5 s after the corpus (no request left hanging)', async (t) => {
  const closed = await Promise.race([gw.close().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5000))]);
  t.ok(closed, 'gateway closed');
  // A close that never finishes keeps sockets open: end the process once TAP is written, rather than wait for tap's timeout.
  if (!closed) setTimeout(() => process.exit(1), 1000).unref();
});
