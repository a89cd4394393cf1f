/**
 * multipart.ts: a streaming multipart/form-data reader (RFC 7578) for browser uploads. It holds at
 * most one network chunk plus a boundary's length in memory: file parts are handed on chunk by
 * chunk, and the next chunk is read only when the consumer asks for more (so backpressure reaches
 * the socket). Text fields are buffered with a limit.
 */
import { PorticoError, badRequest } from '../core/errors.ts';

/** PartInfo is one part's header: its form field name, and the file name for file parts. */
export interface PartInfo { field: string; filename: string | null; contentType: string | null }

type ParseEvent = { kind: 'part'; info: PartInfo } | { kind: 'data'; data: Buffer } | { kind: 'end' } | { kind: 'done' };

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/** multipartBoundary returns the boundary of a multipart/form-data Content-Type, or null. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

// Browsers escape '"', CR and LF in names as %22, %0D and %0A (HTML's form-data encoding algorithm).
function unescapeName(s: string): string {
  return s.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}

function parseHeaders(block: string): PartInfo {
  let disposition = '';
  let contentType: string | null = null;
  for (const line of block.split('\r\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (!/^form-data\b/i.test(disposition)) throw badRequest('multipart part without Content-Disposition: form-data');
  const param = (key: string) => {
    const m = new RegExp(`;\\s*${key}="([^"]*)"`, 'i').exec(disposition) ?? new RegExp(`;\\s*${key}=([^;\\s]*)`, 'i').exec(disposition);
    return m ? unescapeName(m[1]) : null;
  };
  return { field: param('name') ?? '', filename: param('filename'), contentType };
}

/** MultipartParser is the synchronous state machine: bytes in, part events out. */
export class MultipartParser {
  private readonly delimiter: Buffer;
  private buf: Buffer;
  private state: 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done' = 'preamble';

  constructor(boundary: string) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
    // The first delimiter has no CRLF before it; pretending one was there makes every delimiter alike.
    this.buf = Buffer.from(CRLF);
  }

  /** push feeds one chunk and returns the events it completes. Data events share memory with `chunk`. */
  push(chunk: Buffer): ParseEvent[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const events: ParseEvent[] = [];
    for (;;) {
      if (this.state === 'done') { this.buf = Buffer.alloc(0); return events; }
      if (this.state === 'preamble' || this.state === 'body') {
        const at = this.buf.indexOf(this.delimiter);
        if (at < 0) {
          const keep = this.delimiter.length - 1;
          if (this.state === 'body' && this.buf.length > keep) events.push({ kind: 'data', data: this.buf.subarray(0, this.buf.length - keep) });
          this.buf = this.buf.subarray(Math.max(0, this.buf.length - keep));
          return events;
        }
        if (this.state === 'body') {
          if (at > 0) events.push({ kind: 'data', data: this.buf.subarray(0, at) });
          events.push({ kind: 'end' });
        }
        this.buf = this.buf.subarray(at + this.delimiter.length);
        this.state = 'after-delimiter';
      } else if (this.state === 'after-delimiter') {
        // Optional transport padding (spaces, tabs), then "--" (the end) or CRLF (a part follows).
        let i = 0;
        while (i < this.buf.length && (this.buf[i] === 0x20 || this.buf[i] === 0x09)) i++;
        if (this.buf.length - i < 2) return events;
        if (this.buf[i] === 0x2d && this.buf[i + 1] === 0x2d) {
          this.state = 'done';
          events.push({ kind: 'done' });
          continue;
        }
        if (this.buf[i] !== 0x0d || this.buf[i + 1] !== 0x0a) throw badRequest('malformed multipart body (bad delimiter line)');
        // Keep the CRLF so an empty header block ends at "\r\n\r\n" like any other.
        this.buf = this.buf.subarray(i);
        this.state = 'headers';
      } else {
        const end = this.buf.indexOf(HEADER_END);
        if (end < 0) {
          if (this.buf.length > MAX_HEADER_BYTES) throw badRequest('multipart part headers are too large');
          return events;
        }
        events.push({ kind: 'part', info: parseHeaders(this.buf.subarray(2, end).toString('utf8')) });
        this.buf = this.buf.subarray(end + HEADER_END.length);
        this.state = 'body';
      }
    }
  }

  /** finish checks the body ended with the closing delimiter. */
  finish(): void {
    if (this.state !== 'done') throw badRequest('the multipart body ended early (upload interrupted?)');
  }
}

/** MultipartReader pulls parts from a request body on demand. */
export class MultipartReader {
  private readonly source: AsyncIterator<Buffer>;
  private readonly parser: MultipartParser;
  private queue: ParseEvent[] = [];
  private inPart = false;
  private finished = false;

  constructor(source: AsyncIterable<Buffer>, boundary: string) {
    this.source = source[Symbol.asyncIterator]();
    this.parser = new MultipartParser(boundary);
  }

  private async pull(): Promise<ParseEvent> {
    while (this.queue.length === 0) {
      if (this.finished) return { kind: 'done' };
      const { value, done } = await this.source.next();
      if (done) {
        this.parser.finish();
        this.finished = true;
        return { kind: 'done' };
      }
      this.queue = this.parser.push(value as Buffer);
    }
    return this.queue.shift()!;
  }

  /** next skips what is left of the current part and returns the next part's header, or null at the end. */
  async next(): Promise<PartInfo | null> {
    for (;;) {
      const ev = await this.pull();
      if (ev.kind === 'done') { this.finished = true; this.queue = []; return null; }
      if (ev.kind === 'part') { this.inPart = true; return ev.info; }
      if (ev.kind === 'end') this.inPart = false;
    }
  }

  /** body yields the current part's bytes chunk by chunk. */
  async *body(): AsyncGenerator<Buffer> {
    while (this.inPart) {
      const ev = await this.pull();
      if (ev.kind === 'data') yield ev.data;
      else if (ev.kind === 'end') this.inPart = false;
      else throw badRequest('malformed multipart body');
    }
  }

  /** text reads the current part as UTF-8, refusing more than `limit` bytes. */
  async text(limit: number): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const data of this.body()) {
      size += data.length;
      if (size > limit) throw new PorticoError('E_BODY_TOO_LARGE', 413, `form field is larger than ${limit} bytes`);
      chunks.push(Buffer.from(data));
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
