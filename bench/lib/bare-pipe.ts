/**
 * bare-pipe.ts (bench): the floor for any proxy written on Node's sockets — each client
 * connection gets its own upstream connection and bytes are copied both ways as they come, with
 * no HTTP at all: no parsing, no headers, no routing, no pool. It does what every Node proxy must
 * (a read and a write in JavaScript per direction per exchange) and nothing else, so its CPU per
 * request is what Node itself costs. The upstream side reads with `onread` into one buffer (as
 * Portico's pool does); the client side is an accepted socket, which only has 'data' events.
 * Two listeners: one to the HTTP backend, one to the WebSocket backend. Prints {port, wsPort}.
 * Usage: node bare-pipe.ts <http host:port> <ws host:port>
 */
import net from 'node:net';

function hostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

function pipeServer(to: { host: string; port: number }): net.Server {
  return net.createServer({ noDelay: true }, (client) => {
    // A write the kernel queues keeps its view of the read buffer: the next read then gets a fresh one.
    let buf = Buffer.allocUnsafeSlow(64 * 1024);
    const up = net.connect({
      host: to.host, port: to.port, noDelay: true,
      onread: {
        buffer: () => buf,
        callback: (n: number, b: Uint8Array) => {
          client.write((b as Buffer).subarray(0, n));
          if (client.writableLength !== 0) buf = Buffer.allocUnsafeSlow(64 * 1024);
          return true;
        },
      },
    });
    client.on('data', (chunk) => up.write(chunk));
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  });
}

const http = pipeServer(hostPort(process.argv[2]));
const ws = pipeServer(hostPort(process.argv[3]));
http.listen(0, '127.0.0.1', () => ws.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (http.address() as net.AddressInfo).port, wsPort: (ws.address() as net.AddressInfo).port }) + '\n');
}));
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
