/**
 * pipeline-attack.ts (bench): the abusive clients of bench/abuse.ts, in their own process.
 * - Pipeliners: `conns` connections each write their share of `total` GET requests in one go and
 *   never read, so the answers back up in the proxy (it must stop reading, not queue them all).
 * - Slow clients: `slow` connections, half sending a request head one byte every 200 ms
 *   (slowloris), half asking for 1 MiB and reading it at 16 KiB/s.
 * Runs for `seconds`, then destroys everything and prints {"pipelined": n, "slowHeads": n, "slowReadBytes": n}.
 * Usage: node pipeline-attack.ts <port> <path> <authorization|-> <total> <conns> <slow> <seconds> [bigPath]
 */
import net from 'node:net';

const [port, target, authArg, totalArg, connsArg, slowArg, secondsArg, bigArg] = process.argv.slice(2);
const auth = authArg === '-' ? '' : `Authorization: ${authArg}\r\n`;
const total = Math.min(200_000, Number(totalArg));
const conns = Math.max(1, Math.min(64, Number(connsArg)));
const slow = Math.min(2000, Number(slowArg));
const seconds = Math.min(60, Number(secondsArg));
const big = bigArg ?? target.replace(/[^/]*$/, '1m');
const sockets: net.Socket[] = [];
const open = (): net.Socket => { const s = net.connect(Number(port), '127.0.0.1'); s.on('error', () => {}); sockets.push(s); return s; };

let pipelined = 0;
// BENCH_ATTACK_SLOW_PATH=1: each request carries `Content-Length: 0`, which the fast path leaves to Node's server.
const extra = process.env.BENCH_ATTACK_SLOW_PATH === '1' ? 'Content-Length: 0\r\n' : '';
const head = Buffer.from(`GET ${target} HTTP/1.1\r\nHost: bench\r\n${auth}${extra}\r\n`);
for (let c = 0; c < conns; c++) {
  const s = open();
  s.pause(); // never read: the answers pile up on the proxy's side
  const n = Math.floor(total / conns) + (c < total % conns ? 1 : 0);
  // Written in batches of 1,000 so the client process itself stays small; write() queues when the proxy stops reading.
  s.once('connect', () => {
    for (let i = 0; i < n; i += 1000) { s.write(Buffer.concat(Array(Math.min(1000, n - i)).fill(head))); pipelined += Math.min(1000, n - i); }
  });
}

let slowHeads = 0;
let slowReadBytes = 0;
const timers: NodeJS.Timeout[] = [];
for (let i = 0; i < slow; i++) {
  const s = open();
  if (i % 2 === 0) {
    const bytes = Buffer.from(`GET ${target} HTTP/1.1\r\nHost: bench\r\n${auth}X-Slow: ${'x'.repeat(200)}\r\n\r\n`);
    let k = 0;
    timers.push(setInterval(() => { if (k < bytes.length && !s.destroyed) { s.write(bytes.subarray(k, k + 1)); k++; } }, 200));
    slowHeads++;
  } else {
    s.once('connect', () => s.write(`GET ${big} HTTP/1.1\r\nHost: bench\r\n${auth}\r\n`));
    s.pause();
    // 16 KiB/s: read a little every 100 ms.
    timers.push(setInterval(() => { const d = s.read(1638) as Buffer | null; if (d) slowReadBytes += d.length; }, 100));
  }
}

setTimeout(() => {
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.destroy();
  process.stdout.write(JSON.stringify({ pipelined, slowHeads, slowReadBytes }) + '\n');
  process.exit(0);
}, seconds * 1000);
