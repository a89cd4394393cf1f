/**
 * ws-echo.ts (bench): a WebSocket echo backend (on 127.0.0.1 unless told); prints its port. It also
 * answers /1k and /1m with 1 KiB and 1 MiB bodies, so in a container (bench/proxy.ts --topology
 * container|shared, where it runs in portico-test/node:1) it is the one backend for every run.
 * Usage: node ws-echo.ts [port] [listen address]
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';

const bodies: Record<string, Buffer> = { '/1k': Buffer.alloc(1024, 97), '/1m': Buffer.alloc(1024 * 1024, 98) };
const server = http.createServer((req, res) => {
  const body = bodies[req.url ?? ''];
  if (body) { res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }); res.end(body); return; }
  // /slow answers after a second, so clients can abort requests in flight (proxy-memory.ts).
  if (req.url?.startsWith('/slow')) setTimeout(() => res.end('slow'), 1000);
  else res.end('ws-echo ready');
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, binary) => ws.send(data, { binary }));
  ws.on('error', () => {});
});
server.listen(Number(process.argv[2] ?? 0), process.argv[3] ?? '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port }) + '\n');
});
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
