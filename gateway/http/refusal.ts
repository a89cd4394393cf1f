/**
 * refusal.ts: a complete answer written straight onto a socket, for the requests the gateway
 * refuses before any handler (and any ServerResponse) exists: heads Node's parser rejects, CONNECT,
 * a head or body that stopped arriving. The body is the usual error shape (respond.ts's
 * errorBody: `{"error": message, "code": code}`), and the connection closes: after a malformed
 * or unfinished request the next byte on it cannot be trusted to start a new one.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorCode } from '../core/errors.ts';

/** refusalAnswer is the whole HTTP/1.1 response text for a refusal; `headers` are extra lines ("name: value"). */
export function refusalAnswer(status: number, code: ErrorCode, message: string, headers: readonly string[] = []): string {
  const body = JSON.stringify({ error: message, code });
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\n`
    + `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n`;
  for (const h of headers) head += h + '\r\n';
  return head + '\r\n' + body;
}
