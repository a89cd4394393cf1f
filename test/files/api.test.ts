/**
 * api.test.ts: small files through the REST API: streamed upload (raw PUT and multipart POST),
 * list, download, delete, roles; names with separators, traversal or control characters, and
 * oversized uploads refused with nothing left on disk or in the database.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { rawRequest } from '../helpers/raw-request.ts';

/** diskFiles lists every file under the files directory (temporary ones included). */
function diskFiles(gw: TestGateway): string[] {
  const root = gw.config.filesDir;
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p); else out.push(path.relative(root, p));
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out.sort();
}

function multipart(boundary: string, fields: Record<string, string>, file: { name: string; data: Buffer; type?: string }): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`), file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

t.test('upload, list, download, delete and roles', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const p = gw.project();
  const other = gw.project();
  const { token } = await gw.user('cat', { project: p, role: 'contributor' });
  const guest = (await gw.user('gil', { project: p, role: 'guest' })).token;
  const outsider = (await gw.user('oz', { project: other, role: 'owner' })).token;
  const data = randomBytes(300_000);

  const put = await rawRequest(`${gw.base}/containers/api/files/upload/${p}/${encodeURIComponent('pbmc 3k.h5ad')}`, {
    method: 'PUT', headers: { authorization: `token ${token}`, 'content-type': 'application/x-hdf5', 'content-length': data.length }, body: data,
  });
  t.equal(put.status, 201, 'raw PUT upload answers 201');
  const f = JSON.parse(put.body);
  t.equal(f.name, 'pbmc 3k.h5ad');
  t.equal(f.size, data.length);
  t.equal(f.uploaded_by, 'cat');
  t.equal(f.content_type, 'application/x-hdf5');
  t.equal(f.reference, `__PORTICO_FILE__${f.sodar_uuid}__`, 'the reference to put in a command');
  t.same(diskFiles(gw), [path.join(p, f.sodar_uuid)], 'stored on disk under project/uuid, not under its name; no temp left');
  t.ok(fs.readFileSync(path.join(gw.config.filesDir, p, f.sodar_uuid)).equals(data), 'bytes on disk are the upload');

  const boundary = '----form' + randomBytes(6).toString('hex');
  const mp = await rawRequest(`${gw.base}/containers/api/files/upload/${p}`, {
    method: 'POST', headers: { authorization: `token ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: (req) => { const b = multipart(boundary, { note: 'x' }, { name: 'notes.txt', data: Buffer.from('hello\r\n--not a boundary\r\n'), type: 'text/plain' }); req.end(b); },
  });
  t.equal(mp.status, 201, 'multipart POST upload (chunked) answers 201');
  const notes = JSON.parse(mp.body);
  t.equal(notes.size, Buffer.byteLength('hello\r\n--not a boundary\r\n'));

  const list = await gw.api('GET', `/containers/api/files/${p}`, guest);
  t.equal(list.status, 200, 'guests list files');
  t.same(list.body.results.map((r: { name: string }) => r.name), ['notes.txt', 'pbmc 3k.h5ad']);
  t.equal((await gw.api('GET', `/containers/api/files/${p}`, outsider)).status, 404, 'non-members: 404');

  const dl = await fetch(`${gw.base}/containers/api/files/download/${f.sodar_uuid}`, { headers: { authorization: `token ${guest}` } });
  t.equal(dl.status, 200, 'guests download');
  t.ok(Buffer.from(await dl.arrayBuffer()).equals(data), 'download returns the bytes');
  t.equal(dl.headers.get('content-type'), 'application/octet-stream', 'never served as its own type (no HTML on the gateway origin)');
  t.match(dl.headers.get('content-disposition'), /^attachment; filename="pbmc 3k.h5ad"; filename\*=UTF-8''pbmc%203k.h5ad$/);
  t.equal((await gw.api('GET', `/containers/api/files/download/${f.sodar_uuid}`, outsider)).body.code, 'E_FILE_NOT_FOUND', 'non-members cannot download');
  t.equal((await gw.api('GET', `/containers/api/files/download/${f.sodar_uuid}`, null)).status, 401);

  const dupe = await rawRequest(`${gw.base}/containers/api/files/upload/${p}/notes.txt`, {
    method: 'PUT', headers: { authorization: `token ${token}`, 'content-length': 3 }, body: Buffer.from('abc'),
  });
  t.equal(dupe.status, 409, 'a taken name is a conflict');
  t.equal(JSON.parse(dupe.body).code, 'E_CONFLICT');
  t.match(JSON.parse(dupe.body).error, /already exists/);

  const byGuest = await rawRequest(`${gw.base}/containers/api/files/upload/${p}/g.txt`, {
    method: 'PUT', headers: { authorization: `token ${guest}`, 'content-length': 3 }, body: Buffer.from('abc'),
  });
  t.equal(byGuest.status, 403, 'guests cannot upload');
  t.equal((await gw.api('DELETE', `/containers/api/files/delete/${f.sodar_uuid}`, guest)).status, 403, 'guests cannot delete');
  t.equal((await gw.api('DELETE', `/containers/api/files/delete/${f.sodar_uuid}`, outsider)).status, 404, 'non-members: 404');

  const detail = await gw.api('GET', `/containers/api/files/detail/${f.sodar_uuid}`, guest);
  t.same(detail.body.referenced_by, [], 'not referenced yet');
  await gw.api('POST', `/containers/api/create/${p}`, token, { title: 'uses it', repository: 'busybox', command: `wget ${f.reference}` });
  await gw.api('POST', `/containers/api/create/${p}`, token, { title: 'env use', repository: 'busybox', environment: { DATA: f.reference } });
  await gw.api('POST', `/containers/api/create/${p}`, token, { title: 'other file', repository: 'busybox', command: `wget ${notes.reference}` });
  const detail2 = await gw.api('GET', `/containers/api/files/detail/${f.sodar_uuid}`, guest);
  t.same(detail2.body.referenced_by.map((c: { title: string }) => c.title), ['env use', 'uses it'], 'containers referencing it (command or environment)');

  t.equal((await gw.api('DELETE', `/containers/api/files/delete/${f.sodar_uuid}`, token)).status, 204, 'a referenced file can be deleted');
  t.equal((await gw.api('GET', `/containers/api/files/download/${f.sodar_uuid}`, token)).status, 404);
  t.same(diskFiles(gw), [path.join(p, notes.sodar_uuid)], 'its bytes are gone from disk');
});

t.test('bad names and oversized uploads are refused with nothing left behind', async (t) => {
  const gw = await startGateway({ PORTICO_MAX_UPLOAD_BYTES: String(1024 * 1024) });
  t.teardown(() => gw.close());
  const p = gw.project();
  const { token } = await gw.user('nia', { project: p, role: 'owner' });
  const put = (name: string, body: Buffer, headers: Record<string, string | number> = {}) => rawRequest(`${gw.base}/containers/api/files/upload/${p}/${name}`, {
    method: 'PUT', headers: { authorization: `token ${token}`, 'content-length': body.length, ...headers }, body,
  });

  const bad: Array<[string, string]> = [
    ['a%2Fb.txt', 'slash'],
    ['a%5Cb.txt', 'backslash'],
    ['..%2F..%2Fetc%2Fpasswd', 'traversal with encoded slashes'],
    ['..%5C..%5Cboot.ini', 'traversal with backslashes'],
    ['%2E%2E', '".." (encoded)'],
    ['a%00b', 'NUL'],
    ['a%0Ab', 'newline'],
    ['a%1Bb', 'escape'],
    ['evil%E2%80%AEtxt.exe', 'right-to-left override'],
    ['%20lead', 'leading space'],
    ['x'.repeat(256), 'over 255 bytes'],
  ];
  for (const [name, what] of bad) {
    const r = await put(name, Buffer.from('data'));
    t.ok(r.status >= 400 && r.status < 500, `${what}: refused (${r.status})`);
    if (r.status === 400) t.equal(JSON.parse(r.body).code, 'E_VALIDATION', `${what}: E_VALIDATION`);
  }
  t.equal((await put('%2E%2E', Buffer.from('d'))).status, 405, '".." as a path segment is resolved by URL parsing and never reaches the upload handler');
  t.same(diskFiles(gw), [], 'nothing on disk after bad names');
  const boundary = 'b0undary';
  const traversalForm = await rawRequest(`${gw.base}/containers/api/files/upload/${p}`, {
    method: 'POST', headers: { authorization: `token ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: multipart(boundary, {}, { name: '../../escape.txt', data: Buffer.from('x') }),
  });
  t.equal(traversalForm.status, 400, 'multipart file name with traversal refused');
  for (const name of ['..', '.', 'a/b', 'C:\\x\\y.txt']) {
    const r = await rawRequest(`${gw.base}/containers/api/files/upload/${p}`, {
      method: 'POST', headers: { authorization: `token ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: multipart(boundary, {}, { name, data: Buffer.from('x') }),
    });
    t.equal(r.status, 400, `multipart file name ${JSON.stringify(name)} refused`);
  }

  const limit = 1024 * 1024;
  const declared = await put('big.bin', Buffer.alloc(limit + 1));
  t.equal(declared.status, 413, 'declared oversized body: 413');
  t.equal(JSON.parse(declared.body).code, 'E_BODY_TOO_LARGE');
  const exact = await put('exact.bin', Buffer.alloc(limit, 1));
  t.equal(exact.status, 201, 'exactly the limit is accepted');

  // Chunked, so the size is only known while streaming: refused once past the limit.
  const streamed = await rawRequest(`${gw.base}/containers/api/files/upload/${p}/stream.bin`, {
    method: 'PUT', headers: { authorization: `token ${token}`, 'transfer-encoding': 'chunked' },
    body: (req) => {
      const chunk = Buffer.alloc(64 * 1024, 2);
      let sent = 0;
      const pump = () => {
        while (sent < 4 * limit) {
          sent += chunk.length;
          if (!req.write(chunk)) { req.once('drain', pump); return; }
        }
        req.end();
      };
      req.on('error', () => {});
      pump();
    },
  });
  t.equal(streamed.status, 413, 'streamed oversized body: 413');
  const mpBig = await rawRequest(`${gw.base}/containers/api/files/upload/${p}`, {
    method: 'POST', headers: { authorization: `token ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
    body: (req) => { req.on('error', () => {}); req.end(multipart(boundary, {}, { name: 'big-form.bin', data: Buffer.alloc(limit + 10) })); },
  });
  t.equal(mpBig.status, 413, 'oversized multipart file part: 413');

  // Let any handler still tidying up finish.
  await new Promise((r) => setTimeout(r, 200));
  const list = await gw.api('GET', `/containers/api/files/${p}`, token);
  t.same(list.body.results.map((r: { name: string }) => r.name), ['exact.bin'], 'only the accepted upload is recorded');
  t.same(diskFiles(gw).filter((f) => !f.endsWith(list.body.results[0].sodar_uuid)), [], 'no partial or temporary file left on disk');
});
