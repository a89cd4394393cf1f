// WebSocket echo server for Portico's tests (image portico-test/node:1).
// - Listens on PORT (default 80).
// - Plain HTTP requests (any method, any path) get 200 "ws-echo ready", so
//   readiness checks succeed.
// - WebSocket upgrades on any path: the first offered subprotocol is accepted; the
//   server first sends one JSON text message
//   {"hello":true,"url":req.url,"protocol":ws.protocol,"headers":req.headers}
//   and then echoes every message back as-is (binary stays binary).
import http from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT || 80);

const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ws-echo ready');
});

const wss = new WebSocketServer({
  server,
  handleProtocols: (protocols) => {
    for (const p of protocols) return p;
    return false;
  },
});

wss.on('connection', (ws, req) => {
  ws.send(JSON.stringify({ hello: true, url: req.url, protocol: ws.protocol, headers: req.headers }));
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});

server.listen(port, () => console.log(`ws-echo listening on ${port}`));

// As PID 1 node gets no default signal handlers: exit promptly on docker stop.
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
