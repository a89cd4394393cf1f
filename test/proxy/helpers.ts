/**
 * helpers.ts (proxy tests): create containers through the REST API, call the proxy with undici,
 * and capture the gateway's log lines.
 */
import http from 'node:http';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import type { TestGateway } from '../helpers/gateway.ts';
import { TEST_IMAGE } from '../helpers/gateway.ts';
import type { Logger } from '../../gateway/core/log.ts';

/**
 * UPLOAD_APP is a Node app (in the node test image) that reports body size + sha256, serves
 * /big/<n> bytes, and /pattern/<n>/<seed>[/c]: n bytes of `patternByte` (with Content-Length, or
 * chunked in two parts with /c), and /hdr/<n>: n bytes with the request's X-Bytes header echoed as X-Back.
 */
export const UPLOAD_APP = `node -e "require('http').createServer((q,s)=>{if(q.url.startsWith('/big/')){s.end(Buffer.alloc(+q.url.slice(5),97));return}`
  + `if(q.url.startsWith('/hdr/')){s.setHeader('x-back',q.headers['x-bytes']||'');s.setHeader('content-length',+q.url.slice(5));s.end(Buffer.alloc(+q.url.slice(5),120));return}`
  + `if(q.url.startsWith('/pattern/')){const [n,seed,c]=q.url.slice(9).split('/');const b=Buffer.alloc(+n);for(let i=0;i<b.length;i++)b[i]=(i*31+seed*7+(i>>>10))&255;`
  + `if(c){s.write(b.subarray(0,b.length>>1));setTimeout(()=>s.end(b.subarray(b.length>>1)),5)}else{s.setHeader('content-length',b.length);s.end(b)}return}`
  + `let n=0;const h=require('crypto').createHash('sha256');q.on('data',c=>{n+=c.length;h.update(c)});`
  + `q.on('end',()=>s.end(JSON.stringify({n,sha:h.digest('hex'),te:q.headers['transfer-encoding']||null,cl:q.headers['content-length']||null,method:q.method,url:q.url,prefix:q.headers['x-forwarded-prefix']||null})))}).listen(80)"`;

/** patternByte is byte `i` of UPLOAD_APP's /pattern/<n>/<seed>: it differs per seed and per KiB. */
export function patternByte(i: number, seed: number): number {
  return (i * 31 + seed * 7 + (i >>> 10)) & 255;
}

/** createContainer makes a container via the API and returns its uuid. */
export async function createContainer(gw: TestGateway, token: string, project: string, fields: Record<string, unknown> = {}): Promise<string> {
  const r = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'c-' + Math.random().toString(36).slice(2, 8), ...TEST_IMAGE, container_port: 80, ...fields });
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.sodar_uuid;
}

/** startContainer starts it via the API and fails loudly otherwise. */
export async function startContainer(gw: TestGateway, token: string, uuid: string): Promise<any> {
  const r = await gw.api('POST', `/containers/api/start/${uuid}`, token);
  if (r.status !== 200) throw new Error(`start failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** proxyGet calls the proxy and returns status, headers and the body as text. */
export async function call(gw: TestGateway, path: string, opts: { method?: string; headers?: Record<string, string | string[]>; body?: any; dispatcher?: Dispatcher } = {}) {
  const r = await request(gw.base + path, { method: (opts.method ?? 'GET') as 'GET', headers: opts.headers, body: opts.body, dispatcher: opts.dispatcher });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, text, json: () => JSON.parse(text) };
}

/**
 * callNode is `call` over node:http with `Content-Length: 0` on every request, which keeps it off
 * the listener's fast path (gateway/http/front.ts): Node's HTTP server answers it.
 */
const nodeAgent = new http.Agent({ keepAlive: true });

export async function callNode(gw: TestGateway, path: string, opts: { method?: string; headers?: Record<string, string | string[]>; body?: any } = {}) {
  return new Promise<Awaited<ReturnType<typeof call>>>((resolve, reject) => {
    const req = http.request(gw.base + path, { method: opts.method ?? 'GET', headers: { ...opts.headers, 'content-length': '0' }, agent: nodeAgent }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string | string[]>, text, json: () => JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** captureLogger records every line (level, msg, fields) for assertions. */
export function captureLogger(): Logger & { lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const add = (level: string) => (msg: string, fields?: Record<string, unknown>) => { lines.push({ level, msg, fields }); };
  return { lines, debug: add('debug'), info: add('info'), warn: add('warn'), error: add('error') };
}
