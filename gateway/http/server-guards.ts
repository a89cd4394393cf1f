/**
 * server-guards.ts: the Node HTTP server's answers of its own, each a complete response in the
 * usual error shape (refusal.ts) instead of Node's empty ones or none:
 * - a head Node's parser rejects ('clientError'): 400, 431 (head too large), 413 (chunk
 *   extensions too large), 405 (a method token the parser does not know), 408 (Node's timeouts);
 * - CONNECT: 405 — Portico is no forward proxy (Node would drop the connection without a word);
 * - Expect other than 100-continue: 417. Expect: 100-continue gets its 100 only once a handler
 *   starts reading the body, so a refused request (401, 403, 413…) gets its final answer instead;
 * - request-checks.ts's refusals (Host, absolute-form, transfer codings), on requests and upgrades;
 * - and a body that stops arriving (body-watch.ts): 408.
 */
import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode, PorticoError } from '../core/errors.ts';
import { refusalAnswer } from './refusal.ts';
import { checkRequest } from './request-checks.ts';
import { BodyWatch, announcesBody } from './body-watch.ts';
import { errorBody, sendJson } from './respond.ts';
import { isToken } from './token.ts';

/** GuardOptions are the handlers the guards pass accepted requests to, and the body timeout. */
export interface GuardOptions {
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  bodyTimeoutMs: number;
}

const ALLOW = ['allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'];

interface Refusal { status: number; code: ErrorCode; message: string; headers?: readonly string[] }

/** parserRefusal maps a Node parser error (llhttp's HPE_* codes, Node's timeout) to the answer it gets. */
export function parserRefusal(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): Refusal {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'E_HEADERS_TOO_LARGE', message: 'the request head is too large (the limit is 16 KiB for the request line and headers)' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'E_BODY_TOO_LARGE', message: 'the chunk extensions of the request body are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'E_REQUEST_TIMEOUT', message: 'the request did not arrive in time' };
    case 'HPE_INVALID_METHOD': {
      // A well-formed method the parser does not know is refused as a method no route allows (a
      // 4xx: it is the client's choice, and the gateway implements none beyond Node's list);
      // anything else (a TLS handshake on the plain port, binary noise) is not HTTP at all.
      const raw = err.rawPacket?.toString('latin1', 0, 64) ?? '';
      const sp = raw.indexOf(' ');
      if (sp > 0 && isToken(raw, 0, sp)) return { status: 405, code: 'E_METHOD_NOT_ALLOWED', message: `the method ${raw.slice(0, sp)} is not supported`, headers: ALLOW };
      return { status: 400, code: 'E_BAD_REQUEST', message: 'malformed request: this is not an HTTP/1.x request (TLS sent to the plain HTTP port?)' };
    }
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { status: 400, code: 'E_BAD_REQUEST', message: 'malformed request: chunked must be the last transfer coding' };
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'E_BAD_REQUEST', message: `malformed request: ${err.message.replace(/^Parse Error: /, '')} (one Content-Length, or Transfer-Encoding, not both)` };
    default:
      return { status: 400, code: 'E_BAD_REQUEST', message: `malformed request: ${err.message.replace(/^Parse Error: /, '')}` };
  }
}

function refuse(res: ServerResponse, e: PorticoError | Refusal): void {
  // The unread rest of a refused request cannot be told from a next one: close after the answer.
  res.shouldKeepAlive = false;
  sendJson(res, e.status, errorBody(e as PorticoError), { connection: 'close' });
}

const EXPECT_REFUSAL: Refusal = { status: 417, code: 'E_EXPECTATION_FAILED', message: 'the only expectation supported is "Expect: 100-continue"' };

/** ServerGuards wraps a server's handlers with the answers above; `request` is the server's request listener. */
export class ServerGuards {
  private readonly o: GuardOptions;
  private readonly bodies: BodyWatch;

  constructor(o: GuardOptions) {
    this.o = o;
    this.bodies = new BodyWatch(o.bodyTimeoutMs);
  }

  /** request checks a request, watches its body, and passes it on. */
  readonly request = (req: IncomingMessage, res: ServerResponse): void => {
    const problem = checkRequest(req);
    if (problem !== null) { refuse(res, problem); return; }
    if (announcesBody(req)) this.bodies.watch(req, res);
    this.o.onRequest(req, res);
  };

  /** attach installs the guards on `server` (whose request listener is `request`). */
  attach(server: http.Server): void {
    server.on('checkContinue', this.checkContinue);
    server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => refuse(res, EXPECT_REFUSAL));
    server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
      socket.on('error', () => socket.destroy());
      socket.end(refusalAnswer(405, 'E_METHOD_NOT_ALLOWED', 'CONNECT is not supported: Portico is not a forward proxy', ALLOW));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const problem = checkRequest(req);
      if (problem === null) { this.o.onUpgrade(req, socket, head); return; }
      socket.on('error', () => socket.destroy());
      socket.end(refusalAnswer(problem.status, problem.code, problem.message));
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      const parse = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || (err.code?.startsWith('HPE_') ?? false);
      const inAnswer = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage?.headersSent === true;
      if (!parse || !socket.writable || inAnswer) { socket.destroy(); return; }
      const r = parserRefusal(err);
      socket.end(refusalAnswer(r.status, r.code, r.message, r.headers));
    });
  }

  /**
   * checkContinue takes a request with Expect: 100-continue: the 100 goes out when a handler
   * starts reading the body, which it does only once authentication and permission allow it.
   * Until then the answer closes the connection, since the client may or may not send the body.
   */
  private readonly checkContinue = (req: IncomingMessage, res: ServerResponse): void => {
    const keep = res.shouldKeepAlive;
    res.shouldKeepAlive = false;
    const onListener = (event: string | symbol) => {
      if (event !== 'data' && event !== 'readable') return;
      req.off('newListener', onListener);
      if (res.headersSent) return;
      res.writeContinue();
      res.shouldKeepAlive = keep;
    };
    req.on('newListener', onListener);
    this.request(req, res);
  };

  /** close stops the body sweep. */
  close(): void { this.bodies.close(); }
}
