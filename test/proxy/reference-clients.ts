/**
 * reference-clients.ts (test helper): what Node's own client (llhttp) and undici make of an app's
 * exact answer bytes, for the differential tests of Portico's upstream client.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

/** Outcome is one client's reading of one answer. */
export interface Outcome { ok: boolean; status?: number; body?: string; error?: string }

/** rawApp serves `raw` (latin1) to every connection once the request head is in, then ends the socket unless `keepOpen`. */
export async function rawApp(raw: string, keepOpen = false): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const open = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => {});
    let head = '';
    s.on('data', (d) => {
      if (head.includes('\r\n\r\n')) return;
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      s.write(Buffer.from(raw, 'latin1'));
      if (!keepOpen) s.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise<void>((r) => { for (const c of open) c.destroy(); server.close(() => r()); }),
  };
}

const LIMIT_MS = 2_000;

/** viaNode reads the answer with node:http (llhttp). */
export function viaNode(port: number, method = 'GET'): Promise<Outcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: Outcome) => { if (!done) { done = true; clearTimeout(timer); req.destroy(); resolve(o); } };
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), LIMIT_MS);
    const req = http.request({ host: '127.0.0.1', port, method, path: '/', agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => finish({ ok: true, status: res.statusCode, body: Buffer.concat(parts).toString('latin1') }));
      res.on('error', (e) => finish({ ok: false, error: (e as { code?: string }).code ?? e.message }));
      res.on('aborted', () => finish({ ok: false, error: 'aborted' }));
    });
    req.on('error', (e) => finish({ ok: false, error: (e as { code?: string }).code ?? e.message }));
    req.end();
  });
}

/** viaUndici reads the answer with undici. */
export async function viaUndici(port: number, method = 'GET'): Promise<Outcome> {
  const agent = new Agent({ headersTimeout: LIMIT_MS, bodyTimeout: LIMIT_MS });
  try {
    const r = await request(`http://127.0.0.1:${port}/`, { method: method as 'GET', dispatcher: agent });
    const body = Buffer.from(await r.body.arrayBuffer()).toString('latin1');
    return { ok: true, status: r.statusCode, body };
  } catch (e) {
    return { ok: false, error: (e as { code?: string }).code ?? (e as Error).message };
  } finally {
    agent.destroy().catch(() => {});
  }
}
