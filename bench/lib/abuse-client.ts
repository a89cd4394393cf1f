/**
 * abuse-client.ts (bench): opens N WebSockets through a proxy URL and holds them until told, then
 * sends M requests to a slow path and aborts each after a few ms (bounded concurrency). Talks to its
 * parent over IPC: {phase:'open', n} when all sockets are open, waits for 'close', then
 * {phase:'closed'}, then {phase:'aborted', n} after the aborted requests.
 * Usage: node abuse-client.ts <wsUrl> <httpUrl> <authorization> <sockets> <aborts>
 */
import http from 'node:http';
import WebSocket from 'ws';

const [wsUrl, httpUrl, authorization, socketsArg, abortsArg] = process.argv.slice(2);
const headers = { authorization };
const sockets: WebSocket[] = [];
for (let i = 0; i < Number(socketsArg); i += 100) {
  const batch = await Promise.all(Array.from({ length: Math.min(100, Number(socketsArg) - i) }, () => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { headers, perMessageDeflate: false });
    ws.once('open', () => { ws.once('message', () => resolve(ws)); ws.send('hi'); });
    ws.once('error', reject);
  })));
  sockets.push(...batch);
}
process.send!({ phase: 'open', n: sockets.length });
await new Promise((r) => process.once('message', r));
await Promise.all(sockets.map((ws) => new Promise((r) => { ws.once('close', r); ws.close(); })));
process.send!({ phase: 'closed' });

const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
let done = 0;
const total = Number(abortsArg);
async function worker(): Promise<void> {
  while (done < total) {
    done++;
    await new Promise<void>((resolve) => {
      const req = http.get(httpUrl, { headers, agent }, (res) => { res.resume(); res.on('end', resolve); res.on('error', () => resolve()); });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      setTimeout(() => req.destroy(), 2 + (done % 5));
    });
  }
}
await Promise.all(Array.from({ length: 100 }, worker));
agent.destroy();
process.send!({ phase: 'aborted', n: done });
process.exit(0);
