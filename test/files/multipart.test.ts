/**
 * multipart.test.ts: the streaming multipart reader (pure logic, so unit tests): bodies split at
 * every possible chunk boundary, binary content that nearly matches the delimiter, browser name
 * escaping, and truncated bodies refused.
 */
import t from 'tap';
import { MultipartParser, MultipartReader, multipartBoundary } from '../../gateway/http/multipart.ts';

const B = '----WebKitFormBoundaryx7Yz';

function body(parts: Array<{ headers: string; data: Buffer | string }>, boundary = B): Buffer {
  const out: Buffer[] = [Buffer.from('preamble ignored\r\n')];
  for (const p of parts) out.push(Buffer.from(`--${boundary}\r\n${p.headers}\r\n\r\n`), Buffer.from(p.data), Buffer.from('\r\n'));
  out.push(Buffer.from(`--${boundary}--\r\nepilogue`));
  return Buffer.concat(out);
}

async function* chunks(buf: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let i = 0, k = 0;
  while (i < buf.length) {
    const n = sizes[k++ % sizes.length];
    yield buf.subarray(i, i + n);
    i += n;
  }
}

async function readAll(buf: Buffer, sizes: number[]) {
  const r = new MultipartReader(chunks(buf, sizes), B);
  const parts: Array<{ field: string; filename: string | null; data: Buffer }> = [];
  for (let p = await r.next(); p; p = await r.next()) {
    const data: Buffer[] = [];
    for await (const c of r.body()) data.push(Buffer.from(c));
    parts.push({ field: p.field, filename: p.filename, data: Buffer.concat(data) });
  }
  return parts;
}

t.test('boundary from the content type', async (t) => {
  t.equal(multipartBoundary(`multipart/form-data; boundary=${B}`), B);
  t.equal(multipartBoundary('multipart/form-data; boundary="a b"'), 'a b');
  t.equal(multipartBoundary('application/json'), null);
  t.equal(multipartBoundary(undefined), null);
});

t.test('every chunk split gives the same parts', async (t) => {
  // Content that contains the boundary text without its leading CRLF, and CRLF-- near misses.
  const tricky = Buffer.concat([Buffer.from(`x--${B}\r\n--${B.slice(0, -1)}\r\n-`), Buffer.from([0, 13, 10, 45, 45, 255])]);
  const buf = body([
    { headers: 'Content-Disposition: form-data; name="csrf_token"', data: 'tok' },
    { headers: 'Content-Disposition: form-data; name="file"; filename="a%22b.txt"\r\nContent-Type: text/plain', data: tricky },
    { headers: 'Content-Disposition: form-data; name="empty"; filename=""\r\nContent-Type: application/octet-stream', data: '' },
  ]);
  let failures = 0;
  for (let size = 1; size <= buf.length; size++) {
    const parts = await readAll(buf, [size, 7, 1]);
    const ok = parts.length === 3 && parts[0].data.toString() === 'tok' && parts[1].filename === 'a"b.txt'
      && parts[1].data.equals(tricky) && parts[2].filename === '' && parts[2].data.length === 0;
    if (!ok) failures++;
  }
  t.equal(failures, 0, `all ${buf.length} split sizes parse identically`);
});

t.test('a large part is handed on in pieces, not buffered', async (t) => {
  const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
  const buf = body([{ headers: 'Content-Disposition: form-data; name="f"; filename="big.bin"', data: big }]);
  const p = new MultipartParser(B);
  let largest = 0, total = 0;
  for (let i = 0; i < buf.length; i += 65536) {
    for (const ev of p.push(buf.subarray(i, i + 65536))) if (ev.kind === 'data') { largest = Math.max(largest, ev.data.length); total += ev.data.length; }
  }
  p.finish();
  t.equal(total, big.length, 'all bytes delivered');
  t.ok(largest <= 65536 + B.length + 4, `no data event larger than a chunk plus a delimiter (largest ${largest})`);
});

t.test('truncated and malformed bodies are refused', async (t) => {
  const buf = body([{ headers: 'Content-Disposition: form-data; name="f"; filename="x"', data: 'abc' }]);
  await t.rejects(readAll(buf.subarray(0, buf.length - 20), [100]), { code: 'E_BAD_REQUEST' }, 'cut-off body');
  const noDisposition = body([{ headers: 'Content-Type: text/plain', data: 'abc' }]);
  await t.rejects(readAll(noDisposition, [100]), { code: 'E_BAD_REQUEST' }, 'part without Content-Disposition');
  const hugeHeaders = Buffer.from(`--${B}\r\nX: ${'a'.repeat(20000)}`);
  await t.rejects(readAll(hugeHeaders, [4096]), { code: 'E_BAD_REQUEST' }, 'header block over the limit');
});
