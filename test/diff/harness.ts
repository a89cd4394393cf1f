/**
 * harness.ts (differential test): the machinery that sends one case's raw bytes through a proxy to
 * a scripted raw-socket app and records both ends. Three pieces:
 * - ScriptedApp: a `net` server on 127.0.0.1:0 that parses what it receives (request line, headers,
 *   framing, body; per connection) and answers the case's first request with scripted steps, any
 *   other (and the runner's /second and /probe) with `echo:<method> <path>`, so a desynchronised
 *   answer is recognisable.
 * - startNginx: the Debian nginx as a reverse proxy with a generated config (own prefix in a temp
 *   dir, daemon off, one location per case mirroring Portico's prefix stripping and header rules).
 * - exchange / parseResponses: a raw client socket that writes bytes and reads until the server
 *   closes or goes quiet, and a lenient reader of what came back.
 */
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Step } from '../corpus/diff-cases.ts';

/** AppRequest is one request as the app parsed it. */
export interface AppRequest {
  line: string;
  headers: Array<[string, string]>;
  /** framing the proxy chose: Content-Length, chunked, both (a smuggling hazard) or none. */
  framing: 'cl' | 'chunked' | 'both' | 'none' | 'bad';
  body: Buffer;
  complete: boolean;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** ScriptedApp is the raw upstream: it records every byte and parsed request, and answers by script. */
export class ScriptedApp {
  port = 0;
  /** raw: every byte received, per connection, since the last reset. */
  raw: Buffer[][] = [];
  requests: AppRequest[] = [];
  private script: Step[] = [];
  private replyOnHead = false;
  private answered = 0;
  private readonly server = net.createServer((s) => this.serve(s));
  private readonly open = new Set<net.Socket>();

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** reset forgets what was received and sets the script for the next first request. */
  reset(script: Step[], replyOnHead = false): void {
    this.raw = []; this.requests = []; this.script = script; this.replyOnHead = replyOnHead; this.answered = 0;
  }

  /** received is everything the app got, as latin1 text. */
  received(): string {
    return this.raw.map((c) => Buffer.concat(c).toString('latin1')).join('\n---\n');
  }

  close(): Promise<void> {
    for (const s of this.open) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }

  private serve(s: net.Socket): void {
    this.open.add(s);
    const chunks: Buffer[] = [];
    this.raw.push(chunks);
    let buf = Buffer.alloc(0);
    let current: AppRequest | null = null;
    let need = 0; // Content-Length bytes still to read, or -1: chunked
    let busy = Promise.resolve();
    s.on('close', () => this.open.delete(s));
    s.on('error', () => {});
    const early = new Set<AppRequest>(); // answered on its head already
    const done = (r: AppRequest) => { r.complete = true; current = null; if (!early.has(r)) busy = busy.then(() => this.answer(s, r)); };
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (current === null) {
          const end = buf.indexOf(HEAD_END);
          if (end < 0) return;
          const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
          buf = buf.subarray(end + 4);
          const headers = lines.slice(1).map((l): [string, string] => { const i = l.indexOf(':'); return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]; });
          const te = headers.filter(([n]) => n === 'transfer-encoding').map(([, v]) => v).join(',');
          const cl = headers.find(([n]) => n === 'content-length');
          const framing = te && cl ? 'both' : te ? 'chunked' : cl ? 'cl' : 'none';
          const r: AppRequest = { line: lines[0], headers, framing, body: Buffer.alloc(0), complete: false };
          this.requests.push(r);
          current = r;
          if (this.replyOnHead && this.answered === 0 && !/ \/(second|probe) /.test(r.line)) { early.add(r); busy = busy.then(() => this.answer(s, r)); }
          if (te) need = -1;
          else need = cl ? Number(cl[1]) : 0;
          if (!(need >= 0 || need === -1)) { r.framing = 'bad'; return; }
          if (need === 0) { done(r); continue; }
        }
        const r: AppRequest = current;
        if (need > 0) {
          const take = buf.subarray(0, need);
          r.body = Buffer.concat([r.body, take]);
          buf = buf.subarray(take.length);
          need -= take.length;
          if (need > 0) return;
          done(r);
          continue;
        }
        // chunked: one chunk at a time (size line, data, CRLF); trailers are not used by the cases.
        const eol = buf.indexOf('\r\n');
        if (eol < 0) return;
        const size = parseInt(buf.subarray(0, eol).toString('latin1').split(';')[0], 16);
        if (!Number.isSafeInteger(size) || size < 0) { r.framing = 'bad'; return; }
        if (size === 0) {
          if (buf.length < eol + 4) return;
          buf = buf.subarray(eol + 4);
          done(r);
          continue;
        }
        if (buf.length < eol + 2 + size + 2) return;
        r.body = Buffer.concat([r.body, buf.subarray(eol + 2, eol + 2 + size)]);
        buf = buf.subarray(eol + 2 + size + 2);
      }
    });
  }

  private async answer(s: net.Socket, r: AppRequest): Promise<void> {
    // The script answers the case's own first request; the runner's /second and /probe always get an echo.
    const first = !/ \/(second|probe) /.test(r.line) && this.answered++ === 0;
    if (!first || this.script.length === 0) {
      if (r.complete && !s.destroyed) {
        const body = `echo:${r.line.split(' ').slice(0, 2).join(' ')}`;
        s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      }
      return;
    }
    for (const step of this.script) {
      if (s.destroyed) return;
      if (typeof step === 'number') await new Promise((res) => setTimeout(res, step));
      else if (step === 'close') s.destroy();
      else if (step === 'end') s.end();
      else s.write(step);
    }
  }
}

/** Exchange is what one client socket saw. */
export interface Exchange {
  bytes: Buffer;
  /** closed: the server closed (or reset) the connection. */
  closed: boolean;
  /** firstMs: ms from the first write to the first byte back or the close (NaN: neither). */
  firstMs: number;
}

/** exchange writes `parts` (numbers are pauses in ms) and reads until the server closes, goes quiet for `waitMs`, or `maxMs` pass. */
export function exchange(socket: net.Socket, parts: Array<Buffer | number>, waitMs: number, maxMs = 5000): Promise<Exchange> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    const t0 = Date.now();
    let firstMs = NaN;
    let last = Date.now();
    let writing = true;
    let finished = false;
    const finish = (closed: boolean) => {
      if (finished) return;
      finished = true;
      clearInterval(tick);
      socket.off('data', onData); socket.off('close', onClose); socket.off('end', onClose);
      resolve({ bytes: Buffer.concat(got), closed, firstMs });
    };
    const onData = (d: Buffer) => { got.push(d); last = Date.now(); if (Number.isNaN(firstMs)) firstMs = last - t0; };
    const onClose = () => { if (Number.isNaN(firstMs)) firstMs = Date.now() - t0; finish(true); };
    socket.on('data', onData); socket.once('close', onClose); socket.once('end', onClose);
    if (socket.destroyed) { finish(true); return; }
    const tick = setInterval(() => {
      if (!writing && Date.now() - last > waitMs) finish(false);
      else if (Date.now() - t0 > maxMs) finish(false);
    }, 20);
    void (async () => {
      for (const p of parts) {
        if (typeof p === 'number') { await new Promise((r) => setTimeout(r, p)); continue; }
        if (socket.destroyed) break;
        socket.write(p);
      }
      writing = false;
      last = Date.now();
    })();
  });
}

/** connect opens a raw client socket; later socket errors are ignored (a reset shows as a close). */
export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => { s.off('error', reject); s.on('error', () => {}); resolve(s); });
    s.once('error', reject);
  });
}

/** ClientResponse is one response the client got (1xx included); `framed`: its end was known (length, last chunk, or no body), not "until close". */
export interface ClientResponse { status: number; headers: Array<[string, string]>; body: Buffer; framed: boolean }

/** parseResponses reads responses leniently (bare LF allowed) until the bytes run out or stop making sense. */
export function parseResponses(buf: Buffer): ClientResponse[] {
  const out: ClientResponse[] = [];
  let rest: Buffer = buf;
  while (rest.length) {
    const crlf = rest.indexOf('\r\n\r\n'), lf = rest.indexOf('\n\n');
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) break;
    const lines = rest.subarray(0, end).toString('latin1').split(/\r?\n/);
    rest = rest.subarray(end + (end === crlf ? 4 : 2));
    const m = /^HTTP\/\d\.\d (\d{3})(?: |$)/.exec(lines[0]);
    if (!m) break;
    const status = Number(m[1]);
    const headers = lines.slice(1).map((l): [string, string] => { const i = l.indexOf(':'); return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]; });
    const h = (n: string) => headers.find(([k]) => k === n)?.[1];
    let body: Buffer = Buffer.alloc(0);
    let framed = true;
    if (status >= 100 && status < 200 || status === 204 || status === 304) { /* no body */ }
    else if (/chunked/i.test(h('transfer-encoding') ?? '')) {
      const parts: Buffer[] = [];
      for (;;) {
        const eol = rest.indexOf('\r\n');
        if (eol < 0) { rest = Buffer.alloc(0); framed = false; break; }
        const size = parseInt(rest.subarray(0, eol).toString('latin1'), 16);
        if (!(size >= 0)) { rest = Buffer.alloc(0); framed = false; break; }
        if (size === 0) { const t = rest.indexOf('\r\n\r\n', eol); rest = t < 0 ? Buffer.alloc(0) : rest.subarray(t + 4); framed = t >= 0; break; }
        parts.push(rest.subarray(eol + 2, eol + 2 + size));
        rest = rest.subarray(eol + 2 + size + 2);
      }
      body = Buffer.concat(parts);
    } else if (h('content-length') !== undefined) {
      const n = Number(h('content-length'));
      body = rest.subarray(0, n);
      rest = rest.subarray(body.length);
      framed = body.length === n;
    } else {
      body = rest;
      rest = Buffer.alloc(0);
      framed = false;
    }
    out.push({ status, headers, body, framed });
  }
  return out;
}

/** NginxLocation is one location of the generated nginx config: a case's uuid and its app's port. */
export interface NginxLocation { uuid: string; upstreamPort: number }

/** Nginx is a running nginx reverse proxy; stop() kills it by pid and removes its prefix dir. */
export interface Nginx { port: number; stop(): Promise<void>; errorLog(): string }

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); });
  });
}

// The proxy directives of every location (see nginxConfig).
const PROXY_RULES = `proxy_http_version 1.1; proxy_set_header Host $http_host; proxy_set_header Connection $connection_upgrade; proxy_set_header Upgrade $http_upgrade; proxy_set_header Authorization ""; proxy_set_header Forwarded ""; proxy_set_header X-Forwarded-For $remote_addr; proxy_set_header X-Forwarded-Proto $scheme; proxy_set_header X-Forwarded-Host $http_host; proxy_buffering off; proxy_request_buffering off; proxy_connect_timeout 1s; proxy_read_timeout 3s; proxy_send_timeout 3s; proxy_next_upstream off;`;

/**
 * nginxConfig mirrors Portico's proxy rules as far as nginx allows: the prefix is stripped, the
 * client's Host is kept, Authorization (Portico's credential) and Forwarded are dropped,
 * X-Forwarded-* are set from the connection (an untrusted client's are replaced), hop-by-hop
 * fields go, upgrades pass, nothing is buffered (Portico streams both ways), upstream connections
 * are kept alive. Header names with underscores are dropped (nginx's default, as Portico's).
 */
export function nginxConfig(dir: string, port: number, locations: NginxLocation[]): string {
  const ups = locations.map((l, i) => `upstream app${i} { server 127.0.0.1:${l.upstreamPort}; keepalive 4; }`).join('\n  ');
  // proxy_set_header is inherited only by a level that sets none itself, so every location carries the whole set.
  const locs = locations.map((l, i) => `location /containers/proxy/${l.uuid}/ { proxy_pass http://app${i}/; ${PROXY_RULES} proxy_set_header X-Forwarded-Prefix /containers/proxy/${l.uuid}; }`).join('\n    ');
  return `worker_processes 1; daemon off; user root; pid ${dir}/nginx.pid; error_log ${dir}/error.log info;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  ${ups}
  server {
    listen 127.0.0.1:${port};
    client_header_timeout 2s; client_body_timeout 1s; keepalive_timeout 10s; send_timeout 2s;
    ${locs}
  }
}
`;
}

/** startNginx writes the config into a temp prefix dir, starts nginx in the foreground and waits for its port. */
export async function startNginx(locations: NginxLocation[]): Promise<Nginx> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-diff-nginx-'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, port, locations));
  const child: ChildProcess = spawn('/usr/sbin/nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((r) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (ok) break;
    if (child.exitCode !== null || i > 200) throw new Error(`nginx did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    port,
    errorLog: () => { try { return fs.readFileSync(path.join(dir, 'error.log'), 'utf8'); } catch { return ''; } },
    async stop() {
      if (child.exitCode === null && child.pid) {
        const gone = new Promise((r) => child.once('exit', r));
        process.kill(child.pid, 'SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
        if (child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
