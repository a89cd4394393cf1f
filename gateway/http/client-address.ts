/**
 * client-address.ts: the client's network address for throttling and logs. It comes from the
 * socket; `X-Forwarded-For` is believed only with PORTICO_TRUST_PROXY, and then only its last
 * entry, the one our own proxy appended (earlier entries are whatever the client sent).
 */
import type { IncomingMessage } from 'node:http';

/** clientAddress returns the peer address of `req` (per the trusted proxy when `trustProxy`). */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!trustProxy) return normalise(peer);
  const header = req.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return normalise(list.length ? list[list.length - 1] : peer);
}

// An IPv4 client on a dual-stack socket shows as ::ffff:1.2.3.4; count it once, as 1.2.3.4.
function normalise(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
