/**
 * fixed-client.ts (bench): sends exactly `count` keep-alive GETs spread over `conns` connections
 * (one request in flight per connection, as wrk does), then prints {"done": n, "errors": e, "firstError": the first answer that was not a 200}. The
 * count is fixed, not the time, so a profiler can divide what the proxy did by the requests it
 * served (bench/proxy-profile.ts). Answers are framed by Content-Length; anything else is an error.
 * Usage: node fixed-client.ts <port> <path> <conns> <count> [authorization]
 */
import net from 'node:net';

const [port, target, conns, count, authz] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4]), Number(process.argv[5]), process.argv[6]];
const request = Buffer.from(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${authz ? `Authorization: ${authz}\r\n` : ''}\r\n`, 'latin1');
let sent = 0;
let done = 0;
let errors = 0;
let open = 0;
let firstError = '';

function conn(): void {
  open++;
  const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
  let buf: Buffer = Buffer.alloc(0);
  const next = (): void => {
    if (sent >= count) { s.end(); return; }
    sent++;
    s.write(request);
  };
  s.on('connect', next);
  s.on('data', (d: Buffer) => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const m = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (m === null) { errors++; s.destroy(); return; }
      const total = end + 4 + Number(m[1]);
      if (buf.length < total) return;
      if (!head.startsWith('HTTP/1.1 200')) { errors++; if (firstError === '') firstError = buf.toString('latin1', 0, total); }
      buf = buf.subarray(total);
      done++;
      next();
    }
  });
  s.on('error', () => { errors++; });
  s.on('close', () => {
    if (--open === 0) process.stdout.write(JSON.stringify({ done, errors, firstError }) + '\n');
  });
}
for (let i = 0; i < conns; i++) conn();
