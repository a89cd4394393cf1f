/**
 * ws-load.ts (bench): N WebSocket clients each send a 32-byte message and wait for its echo, over
 * and over, for a fixed time (bounded: at most `max` round trips in all). Prints
 * {clients, roundTrips, seconds, perSecond, p50Ms, p99Ms}.
 * Usage: node ws-load.ts <url> <clients> <seconds> [authorization]
 */
import WebSocket from 'ws';

const [url, clientsArg, secondsArg, authorization] = process.argv.slice(2);
const clients = Number(clientsArg);
const seconds = Number(secondsArg);
const max = 5_000_000;
const payload = Buffer.alloc(32, 120);
const headers: Record<string, string> = authorization ? { authorization } : {};
const samples: number[] = [];
let total = 0;

const sockets = await Promise.all(Array.from({ length: clients }, () => new Promise<WebSocket>((resolve, reject) => {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  ws.once('open', () => resolve(ws));
  ws.once('error', reject);
})));
// Warm up one round each.
await Promise.all(sockets.map((ws) => new Promise((r) => { ws.once('message', r); ws.send(payload); })));

const end = performance.now() + seconds * 1000;
await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
  let sentAt = 0;
  ws.on('message', () => {
    total++;
    if ((total & 15) === 0) samples.push(performance.now() - sentAt);
    if (performance.now() >= end || total >= max) { resolve(); return; }
    sentAt = performance.now();
    ws.send(payload);
  });
  sentAt = performance.now();
  ws.send(payload);
})));
const elapsed = seconds;
samples.sort((a, b) => a - b);
const pct = (p: number) => samples.length ? Math.round(samples[Math.min(samples.length - 1, Math.floor(samples.length * p))] * 1000) / 1000 : 0;
for (const ws of sockets) ws.terminate();
process.stdout.write(JSON.stringify({ clients, roundTrips: total, seconds: elapsed, perSecond: Math.round(total / elapsed), p50Ms: pct(0.5), p99Ms: pct(0.99) }) + '\n');
process.exit(0);
