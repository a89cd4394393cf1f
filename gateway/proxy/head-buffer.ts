/**
 * head-buffer.ts: one scratch buffer that heads are written into on the way out, in place of a
 * string built by concatenation and then encoded by the socket (each `+=` left a rope node, and
 * the write flattened and copied it once more). A head is written into the scratch buffer and a
 * view of it goes to the socket in the same call; when the kernel took the write whole nothing
 * points into the buffer any more and the next head reuses it, else (a write still queued) the
 * buffer stays with the socket and the next head gets a fresh one — the read buffer's rule
 * (raw-upstream.ts).
 *
 * An answer's head may wait in the buffer for its first body bytes (fast-forward.ts writes head and
 * first chunk as one buffer): it is the buffer's holder then, and whoever takes the buffer next
 * first has it spill its head into a string of its own.
 */

/** SIZE fits a head of Node's 16 KiB limit plus what the proxy adds, and a small first chunk behind it. */
const SIZE = 40 * 1024;

let scratch = Buffer.allocUnsafeSlow(SIZE);

/** Holder is a head waiting in the scratch buffer; spill copies it out before the buffer is reused. */
export interface Holder { spill(): void }
let holder: Holder | null = null;

/** headBuffer is the scratch buffer when `n` bytes fit in it (held by `h` until `sent` or `drop`), else a buffer of its own. */
export function headBuffer(n: number, h: Holder | null = null): Buffer {
  if (holder !== null) { const x = holder; holder = null; x.spill(); }
  if (n > SIZE) return Buffer.allocUnsafeSlow(n);
  holder = h;
  return scratch;
}

/** sent: a view of `b` went to a socket; while the write is queued the buffer stays the socket's. */
export function sent(b: Buffer, queued: boolean): void {
  if (b !== scratch) return;
  holder = null;
  if (queued) scratch = Buffer.allocUnsafeSlow(SIZE);
}

/** drop: `h`'s head in the buffer will not be sent (its answer failed). */
export function drop(h: Holder): void {
  if (holder === h) holder = null;
}

/** put writes `s` at `at` as latin1 (one byte per character, as write(s, 'latin1') sends) and returns the offset after it. */
export function put(b: Buffer, at: number, s: string): number {
  return at + (b as Latin1Buffer).latin1Write(s, at);
}

/** crlf writes CR LF at `at` and returns the offset after it. */
export function crlf(b: Buffer, at: number): number {
  b[at] = 13; b[at + 1] = 10;
  return at + 2;
}

/** field writes "name: value\r\n" at `at` and returns the offset after it. */
export function field(b: Buffer, at: number, name: string, value: string): number {
  let o = at + (b as Latin1Buffer).latin1Write(name, at);
  b[o] = 58; b[o + 1] = 32;
  o += 2 + (b as Latin1Buffer).latin1Write(value, o + 2);
  b[o] = 13; b[o + 1] = 10;
  return o + 2;
}

/** Latin1Buffer is Node's Buffer with its latin1Write method (Buffer#write's own, without the encoding lookup). */
interface Latin1Buffer extends Buffer { latin1Write(s: string, offset: number): number }
