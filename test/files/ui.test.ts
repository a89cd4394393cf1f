/**
 * ui.test.ts: the Small Files pages over HTTP with a session cookie: multipart upload with the
 * form's CSRF field (refused without it, nothing written), list, download, upload errors shown on
 * the page, and the delete confirmation warning which containers reference the file.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { startGateway } from '../helpers/gateway.ts';
import { login } from '../helpers/session.ts';
import { rawRequest } from '../helpers/raw-request.ts';

function form(boundary: string, fields: Record<string, string>, file: { name: string; data: string }): Buffer {
  let s = '';
  for (const [k, v] of Object.entries(fields)) s += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  s += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/plain\r\n\r\n${file.data}\r\n--${boundary}--\r\n`;
  return Buffer.from(s);
}

t.test('small files pages', async (t) => {
  const gw = await startGateway({ PORTICO_MAX_UPLOAD_BYTES: '1000' });
  t.teardown(() => gw.close());
  const p = gw.project('Files');
  const { token } = await gw.user('fred', { project: p, role: 'contributor' });
  const guestToken = (await gw.user('gina', { project: p, role: 'guest' })).token;
  const s = await login(gw, token);
  const guest = await login(gw, guestToken);
  const boundary = '----WebKitFormBoundaryabc123';
  const upload = (fields: Record<string, string>, name: string, data: string, cookie = s.cookie) => rawRequest(`${gw.base}/projects/${p}/files`, {
    method: 'POST', headers: { cookie, accept: 'text/html', 'content-type': `multipart/form-data; boundary=${boundary}` }, body: form(boundary, fields, { name, data }),
  });

  const page = await s.get(`/projects/${p}/files`);
  t.equal(page.status, 200);
  t.match(page.text, /enctype="multipart\/form-data"/, 'upload form for contributors');
  t.match(page.text, /No files uploaded yet/);

  const noCsrf = await upload({}, 'a.txt', 'hello');
  t.equal(noCsrf.status, 403, 'upload without the CSRF field refused');
  t.same(fs.readdirSync(path.join(gw.config.filesDir, '.tmp')), [], 'nothing written');

  const ok = await upload({ csrf_token: s.csrf }, 'cells.h5ad', 'hello cells');
  t.equal(ok.status, 303, 'upload redirects to the list');
  const list = await s.get(`/projects/${p}/files?done=uploaded&f=${(await gw.api('GET', `/containers/api/files/${p}`, token)).body.results[0].sodar_uuid}`);
  t.match(list.text, /Uploaded cells\.h5ad \(11 bytes\)/, 'success message from the stored record');
  t.match(list.text, /<td>11 bytes<\/td>/, 'size');
  t.match(list.text, /fred/, 'uploader');
  const uuid = /files\/([0-9a-f-]{36})\/download/.exec(list.text)![1];
  t.match(list.text, `__PORTICO_FILE__${uuid}__`, 'the reference is shown');

  const dl = await guest.get(`/projects/${p}/files/${uuid}/download`);
  t.equal(dl.status, 200, 'guests download');
  t.equal(dl.text, 'hello cells');
  t.match(dl.headers.get('content-disposition') ?? '', /^attachment;/);
  const guestPage = await guest.get(`/projects/${p}/files`);
  t.notMatch(guestPage.text, /enctype="multipart/, 'no upload form for guests');
  t.equal((await upload({ csrf_token: guest.csrf }, 'g.txt', 'x', guest.cookie)).status, 403, 'guests cannot upload');

  const again = await upload({ csrf_token: s.csrf }, 'cells.h5ad', 'other');
  t.equal(again.status, 409, 'same name: 409 on the page');
  t.match(again.body, /Upload failed: a file named &quot;cells\.h5ad&quot; already exists/);
  const big = await upload({ csrf_token: s.csrf }, 'big.txt', 'x'.repeat(2000));
  t.equal(big.status, 413, 'too large: 413 on the page');
  t.match(big.body, /Upload failed: the file is larger than the upload limit/);
  const badName = await upload({ csrf_token: s.csrf }, '..', 'x');
  t.equal(badName.status, 400);
  t.same(fs.readdirSync(path.join(gw.config.filesDir, '.tmp')), [], 'no temporary file left');

  // The delete confirmation names the containers that reference the file.
  await gw.api('POST', `/containers/api/create/${p}`, token, { title: 'Viewer <1>', repository: 'busybox', command: `cellxgene launch __PORTICO_FILE__${uuid}__ -p 8050` });
  const confirm = await s.get(`/projects/${p}/files/${uuid}/delete`);
  t.equal(confirm.status, 200);
  t.match(confirm.text, /this container references the file/, 'warning shown');
  t.match(confirm.text, /Viewer &lt;1&gt;/, 'the referencing container, escaped');
  t.equal((await guest.post(`/projects/${p}/files/${uuid}/delete`, { file: uuid })).status, 403, 'guests cannot delete');
  const del = await s.post(`/projects/${p}/files/${uuid}/delete`, { file: uuid });
  t.equal(del.status, 303);
  t.equal((await s.get(`/projects/${p}/files/${uuid}/download`)).status, 404, 'gone');
});
