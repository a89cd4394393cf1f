/**
 * raw-socket.ts (test helper): bytes written as they are onto a TCP connection, for requests no
 * HTTP client would send (bare LF, two Host lines, a TLS ClientHello). Everything the server
 * sends until it closes (or `waitMs` passes) is read back, with the time the first byte took.
 */
import net from 'node:net';

/** RawAnswer is what came back: the text (latin1), its status, its JSON body if any, and timings. */
export interface RawAnswer {
  text: string;
  status: number;
  /** body is the part after the first head (of the last final answer when there were 1xx ones). */
  body: string;
  /** firstByteMs: when the first byte arrived (Infinity: none did). */
  firstByteMs: number;
  /** closed: the server closed the connection within the wait. */
  closed: boolean;
}

/** rawExchange connects to 127.0.0.1:`port`, writes each part in turn (`pauseMs` apart), and reads until close or `waitMs`. */
export function rawExchange(port: number, parts: Array<string | Buffer> | string | Buffer, o: { waitMs?: number; pauseMs?: number; endOnFirstAnswer?: boolean } = {}): Promise<RawAnswer> {
  const list = Array.isArray(parts) ? parts : [parts];
  const waitMs = o.waitMs ?? 3_000;
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    let firstByteMs = Infinity;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text.replace(/^HTTP\/1\.1 1\d\d [^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n/g, ''))?.[1] ?? 0);
      const final = text.replace(/^(?:HTTP\/1\.1 1\d\d [^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n)+/, '');
      const at = final.indexOf('\r\n\r\n');
      let body = at < 0 ? '' : final.slice(at + 4);
      if (at >= 0 && /\r\ntransfer-encoding: *chunked\r\n/i.test(final.slice(0, at + 2))) body = dechunk(body);
      resolve({ text, status, body, firstByteMs, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    s.setEncoding('latin1');
    s.on('data', (d: string) => { if (text === '') firstByteMs = performance.now() - t0; text += d; });
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('error', () => finish(true));
    s.on('connect', async () => {
      for (let i = 0; i < list.length; i++) {
        if (i > 0 && o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
        if (!s.destroyed) s.write(list[i]);
      }
    });
  });
}

/** dechunk reads a chunked body (what arrived of it). */
function dechunk(text: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const nl = text.indexOf('\r\n', i);
    if (nl < 0) return out;
    const size = parseInt(text.slice(i, nl), 16);
    if (!(size > 0)) return out;
    out += text.slice(nl + 2, nl + 2 + size);
    i = nl + 2 + size + 2;
  }
}

/** TLS_CLIENT_HELLO is the start of a TLS 1.2 ClientHello, as a browser sends to an https:// URL on the plain port. */
export const TLS_CLIENT_HELLO = Buffer.from('16030100c8010000c40303' + '00'.repeat(32) + '00001c' + 'c02bc02f', 'hex');
