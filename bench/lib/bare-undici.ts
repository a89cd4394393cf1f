/**
 * bare-undici.ts (bench): the floor for a Node proxy — node:http in front of one undici Pool via
 * `dispatch`, no authentication, routing or header rewriting. Prints {port}.
 * Usage: node bare-undici.ts <backendPort | host:port>
 */
import http from 'node:http';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

const backend = process.argv[2].includes(':') ? process.argv[2] : `127.0.0.1:${Number(process.argv[2])}`;
const pool = new Pool(`http://${backend}`, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });

class Handler implements Dispatcher.DispatchHandler {
  private readonly res: http.ServerResponse;
  constructor(res: http.ServerResponse) { this.res = res; }
  onRequestStart(): void {}
  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    const flat: string[] = [];
    for (const k in headers) if (k !== 'connection' && k !== 'keep-alive' && k !== 'transfer-encoding') flat.push(k, String(headers[k]));
    this.res.writeHead(status, flat);
  }
  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) { c.pause(); this.res.once('drain', () => c.resume()); }
  }
  onResponseEnd(): void { this.res.end(); }
  onResponseError(_c: Dispatcher.DispatchController, err: Error): void { if (process.env.DEBUG) console.error(err); this.res.destroy(); }
}

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  pool.dispatch({ path: req.url!, method: req.method as Dispatcher.HttpMethod, headers: req.rawHeaders, body: null }, new Handler(res));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port }) + '\n'));
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
