/**
 * ws-echo.ts (bench): a WebSocket echo backend on 127.0.0.1; prints its port. Usage: node ws-echo.ts [port]
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';

const server = http.createServer((req, res) => {
  // /slow answers after a second, so clients can abort requests in flight (proxy-memory.ts).
  if (req.url?.startsWith('/slow')) setTimeout(() => res.end('slow'), 1000);
  else res.end('ws-echo ready');
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, binary) => ws.send(data, { binary }));
  ws.on('error', () => {});
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port }) + '\n');
});
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
