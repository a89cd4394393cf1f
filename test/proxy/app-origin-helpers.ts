/**
 * app-origin-helpers.ts (proxy tests): requests to an app's own origin without wildcard DNS — sent
 * to 127.0.0.1 with Host `<uuid>.localhost:<port>` — and the handshake a browser goes through.
 */
import http from 'node:http';
import type { TestGateway } from '../helpers/gateway.ts';
import { login } from '../helpers/session.ts';

/** ECHO_APP is a Node app (node test image, run from APP_JS) that echoes the request as JSON, redirects and sets cookies on request, and echoes WebSockets. */
export const ECHO_APP = `const http=require('http');const {WebSocketServer}=require('ws');
const s=http.createServer((q,r)=>{
if(q.url.startsWith('/redir-host')){r.writeHead(302,{location:'http://'+q.headers.host+'/dashboard?from=host'});r.end();return}
if(q.url.startsWith('/redir-root')){r.writeHead(302,{location:'/landing?x=1'});r.end();return}
if(q.url.startsWith('/cookie')){r.setHeader('set-cookie',['a=1; Domain=localhost; Path=/','portico_app=evil; Path=/','b=2; Path=/sub; domain=.localhost; HttpOnly']);r.end('ok');return}
r.setHeader('content-type','application/json');r.end(JSON.stringify({url:q.url,method:q.method,headers:q.headers}))});
new WebSocketServer({server:s}).on('connection',(ws,q)=>{ws.send(JSON.stringify({url:q.url,headers:q.headers}));ws.on('message',d=>ws.send(String(d)))});
s.listen(80);`;

/** appHost is the Host of app `uuid` on the test gateway. */
export function appHost(gw: TestGateway, uuid: string): string {
  return `${uuid}.localhost:${gw.port}`;
}

export interface Answer { status: number; headers: http.IncomingHttpHeaders; text: string; json(): any }

/** send makes one request to the gateway's port with the given Host (`body` adds Content-Length, which keeps it off the fast path). */
export function send(gw: TestGateway, host: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host, ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = http.request({ host: '127.0.0.1', port: gw.port, path, method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** NAV are the headers of a browser's top-level navigation from another site. */
export const NAV = { accept: 'text/html', 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'cross-site' };

/** codeFor logs `token`'s owner in (or uses `cookie`) and asks the gateway for app `uuid` at `path`: the handshake redirect's code and next. */
export async function codeFor(gw: TestGateway, uuid: string, path: string, cookie: string): Promise<{ location: string; code: string; next: string }> {
  const r = await send(gw, `127.0.0.1:${gw.port}`, `/containers/proxy/${uuid}${path}`, { headers: { ...NAV, cookie } });
  if (r.status !== 302) throw new Error(`handshake redirect expected, got ${r.status} ${r.text}`);
  const location = String(r.headers.location);
  const u = new URL(location);
  return { location, code: u.searchParams.get('code') ?? '', next: u.searchParams.get('next') ?? '' };
}

/** signIn goes through the whole handshake for `token`'s owner and returns the app origin's cookie ("portico_app=…") and the gateway's. */
export async function signIn(gw: TestGateway, token: string, uuid: string): Promise<{ app: string; gateway: string }> {
  const s = await login(gw, token);
  const { code } = await codeFor(gw, uuid, '/', s.cookie);
  const r = await send(gw, appHost(gw, uuid), `/.portico/auth?code=${code}&next=%2F`, { headers: NAV });
  if (r.status !== 302) throw new Error(`exchange failed: ${r.status} ${r.text}`);
  return { app: String(r.headers['set-cookie']?.[0] ?? '').split(';')[0], gateway: s.cookie };
}
