/**
 * raw-request.ts (test helper): an HTTP request with node:http, for exact bodies (binary, chunked,
 * streamed) and for servers that answer before reading the whole body (413s).
 */
import http from 'node:http';

/** rawRequest sends a body with http.request and resolves on the response even if the server stops reading early. */
export function rawRequest(url: string, opts: { method: string; headers: Record<string, string | number>; body: Buffer | ((req: http.ClientRequest) => void) }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method, headers: opts.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', (err) => reject(err));
    if (typeof opts.body === 'function') opts.body(req);
    else req.end(opts.body);
  });
}

