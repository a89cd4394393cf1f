/**
 * check.ts: tests an image host the way the engine will use it: a real GET of the registry's /v2/
 * endpoint over HTTPS, answering a Basic or Bearer challenge with the host's credentials
 * (https://distribution.github.io/distribution/spec/auth/token/). Gives one of four outcomes.
 */
import https from 'node:https';
import { v2Base } from './image-ref.ts';

/** CheckOutcome is what a test of an image host found. */
export type CheckOutcome = 'ok' | 'unauthorized' | 'unreachable' | 'bad certificate';

/** CheckResult is the outcome with the registry's own words. */
export interface CheckResult { outcome: CheckOutcome; detail: string }

/** CheckTarget is what a check needs to know of a host. */
export interface CheckTarget { address: string; username: string; password: string; caCert: string }

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|ERR_TLS_CERT|HOSTNAME/;

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function get(url: string, target: CheckTarget, authorization: string | null, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, {
      headers: { accept: 'application/json', 'user-agent': 'portico-image-host-check', ...(authorization ? { authorization } : {}) },
      ca: target.caCert || undefined,
      timeout: timeoutMs,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { if (body.length < 4096) body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

/** challenge parses a WWW-Authenticate header into its scheme and parameters. */
function challenge(header: string | string[] | undefined): { scheme: string; params: Record<string, string> } | null {
  const h = Array.isArray(header) ? header[0] : header;
  if (!h) return null;
  const m = /^\s*(\w+)\s*(.*)$/.exec(h);
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"/g)) params[p[1].toLowerCase()] = p[2];
  return { scheme: m[1].toLowerCase(), params };
}

/** registryMessage is the registry's own error text from a JSON error body ({"errors": [{"message": …}]}). */
function registryMessage(a: Answer): string {
  try {
    const j = JSON.parse(a.body) as { errors?: Array<{ code?: string; message?: string }>; details?: string };
    const e = j.errors?.[0];
    if (e) return [e.code, e.message].filter(Boolean).join(': ');
    if (j.details) return j.details;
  } catch { /* not JSON */ }
  return `HTTP ${a.status}`;
}

function fromError(err: unknown): CheckResult {
  const e = err as NodeJS.ErrnoException;
  const text = `${e.code ? `${e.code}: ` : ''}${e.message}`;
  if (e.code && CERT_CODES.test(e.code)) return { outcome: 'bad certificate', detail: text };
  return { outcome: 'unreachable', detail: text };
}

/** checkImageHost sends the /v2/ request and answers its challenge with the host's credentials. */
export async function checkImageHost(target: CheckTarget, timeoutMs = 10_000): Promise<CheckResult> {
  const url = v2Base(target.address);
  const basic = target.username ? `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}` : null;
  let first: Answer;
  try { first = await get(url, target, null, timeoutMs); } catch (err) { return fromError(err); }
  if (first.status === 200) return { outcome: 'ok', detail: basic ? 'the registry needs no credentials' : 'the registry answered' };
  if (first.status !== 401) return { outcome: 'unreachable', detail: `${url} answered ${registryMessage(first)} (not a registry's /v2/ API?)` };
  const ch = challenge(first.headers['www-authenticate']);
  if (ch?.scheme === 'bearer' && ch.params.realm) {
    // Token auth (Docker Hub, GHCR, Harbor): the token service judges the credentials.
    let realm: URL;
    try { realm = new URL(ch.params.realm); } catch { return { outcome: 'unreachable', detail: `bad token realm ${ch.params.realm}` }; }
    if (ch.params.service) realm.searchParams.set('service', ch.params.service);
    if (target.username) realm.searchParams.set('account', target.username);
    if (realm.protocol !== 'https:') return { outcome: 'unreachable', detail: `the token service ${realm.origin} is not HTTPS` };
    let tok: Answer;
    try { tok = await get(realm.href, target, basic, timeoutMs); } catch (err) { return fromError(err); }
    if (tok.status === 200) return { outcome: 'ok', detail: basic ? 'the token service accepted the credentials' : 'anonymous token issued' };
    if (tok.status === 401 || tok.status === 403) return { outcome: 'unauthorized', detail: `the token service refused ${basic ? 'the credentials' : 'anonymous access'}: ${registryMessage(tok)}` };
    return { outcome: 'unreachable', detail: `the token service answered ${registryMessage(tok)}` };
  }
  if (!basic) return { outcome: 'unauthorized', detail: `the registry needs credentials: ${registryMessage(first)}` };
  let second: Answer;
  try { second = await get(url, target, basic, timeoutMs); } catch (err) { return fromError(err); }
  if (second.status === 200) return { outcome: 'ok', detail: 'the registry accepted the credentials' };
  if (second.status === 401 || second.status === 403) return { outcome: 'unauthorized', detail: `the registry refused the credentials: ${registryMessage(second)}` };
  return { outcome: 'unreachable', detail: `${url} answered ${registryMessage(second)}` };
}
