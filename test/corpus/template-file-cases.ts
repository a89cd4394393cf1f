/**
 * template-file-cases.ts: bad-input cases for the template and small-file endpoints (REST API and
 * UI), run with the rest of the corpus by test/ops/corpus.test.ts. Each must get a clear 4xx.
 */
import type { CorpusCase } from './rest-cases.ts';

const BAD_IDS: Array<[string, string]> = [
  ['unknown uuid', '{unknown}'], ['not a uuid', 'not-a-uuid'], ['encoded traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['NUL byte', '%00'], ['5000 characters', 'a'.repeat(5000)], ['broken percent-encoding', '%E0%A4%A'],
];

const BY_ID: Array<[string, string]> = [
  ['GET', '/containers/api/templates/detail/{id}'], ['PATCH', '/containers/api/templates/update/{id}'],
  ['DELETE', '/containers/api/templates/delete/{id}'], ['POST', '/containers/api/templates/duplicate/{id}'],
  ['GET', '/containers/api/files/detail/{id}'], ['GET', '/containers/api/files/download/{id}'], ['DELETE', '/containers/api/files/delete/{id}'],
  ['GET', '/containers/api/templates/{id}'], ['GET', '/containers/api/files/{id}'], ['POST', '/containers/api/templates/create/{id}'],
];

const unknownIds: CorpusCase[] = BY_ID.flatMap(([method, p]) => BAD_IDS.map(([what, id]) => ({
  name: `${method} ${p} with ${what}`, method, path: p.replace('{id}', id), auth: 'admin' as const,
  body: method === 'PATCH' || method === 'POST' ? { title: 'x' } : undefined, expect: [404],
})));

const CREATE = '/containers/api/templates/create/{project}';
const templateCases: CorpusCase[] = [
  ...['{', '{"title": "a",}', "{'title': 'a'}", '[]', '42', 'null', '"title"'].map((body) => ({ name: `template create with ${body}`, method: 'POST', path: CREATE, auth: 'owner' as const, body, expect: [400] })),
  ...([
    ['title', ''], ['title', 1], ['title', 'x'.repeat(10_000)], ['title', 'nul\u0000'], ['repository', 'UPPER CASE'], ['tag', 'a/b'],
    ['container_port', 70000], ['container_port', 'eighty'], ['environment', 'A=1'], ['environment', { '1BAD': 'x' }],
    ['environment_secret_keys', 'MISSING'], ['strip_prefix', 'maybe'], ['command', "sh -c 'unterminated"], ['timeout', -1],
  ] as Array<[string, unknown]>).map(([field, value]) => ({
    name: `template create with ${field} = ${JSON.stringify(value).slice(0, 30)}`, method: 'POST', path: CREATE, auth: 'owner' as const,
    body: { title: `corpus ${field}`, [field]: value }, expect: [400],
  })),
  { name: 'template create without a title', method: 'POST', path: CREATE, auth: 'owner', body: { repository: 'a/b' }, expect: [400] },
  { name: 'template create as text/plain', method: 'POST', path: CREATE, auth: 'owner', headers: { 'content-type': 'text/plain' }, body: 'title=x', expect: [415] },
  { name: 'template create by a guest', method: 'POST', path: CREATE, auth: 'guest', body: { title: 'g' }, expect: [403] },
  { name: 'template create by a non-member', method: 'POST', path: CREATE, auth: 'stranger', body: { title: 's' }, expect: [404] },
  { name: 'site template create by an owner', method: 'POST', path: '/containers/api/templates/create/site', auth: 'owner', body: { title: 's' }, expect: [403] },
  { name: 'template list anonymously', method: 'GET', path: '/containers/api/templates/site', auth: 'none', expect: [401] },
  { name: 'template copy without a template', method: 'POST', path: '/containers/api/templates/copy/{project}', auth: 'owner', body: {}, expect: [400] },
  { name: 'template copy of a number', method: 'POST', path: '/containers/api/templates/copy/{project}', auth: 'owner', body: { template: 5 }, expect: [400] },
  { name: 'template copy of not a uuid', method: 'POST', path: '/containers/api/templates/copy/{project}', auth: 'owner', body: { template: '../x' }, expect: [404] },
  { name: 'template copy of an unknown template', method: 'POST', path: '/containers/api/templates/copy/{project}', auth: 'owner', body: { template: '{unknown}' }, expect: [404] },
  { name: 'template copy into the site', method: 'POST', path: '/containers/api/templates/copy/site', auth: 'admin', body: { template: '{unknown}' }, expect: [400] },
];

const UPLOAD = '/containers/api/files/upload/{project}';
const MP = (boundary: string) => ({ 'content-type': `multipart/form-data; boundary=${boundary}` });
const fileCases: CorpusCase[] = [
  ...['a%2Fb', 'a%5Cb', '..%2F..%2Fetc%2Fpasswd', 'a%00b', 'a%0Ab', 'a%7Fb', 'x%E2%80%AEtxt.exe', '%20x', 'x%20', 'y'.repeat(256), '%E0%A4%A']
    .map((name) => ({ name: `upload named ${name.slice(0, 30)}`, method: 'PUT', path: `${UPLOAD}/${name}`, auth: 'owner' as const, headers: { 'content-type': 'text/plain' }, body: 'data' })),
  { name: 'upload by a guest', method: 'PUT', path: `${UPLOAD}/g.txt`, auth: 'guest', headers: { 'content-type': 'text/plain' }, body: 'x', expect: [403] },
  { name: 'upload by a non-member', method: 'PUT', path: `${UPLOAD}/s.txt`, auth: 'stranger', headers: { 'content-type': 'text/plain' }, body: 'x', expect: [404] },
  { name: 'upload anonymously', method: 'PUT', path: `${UPLOAD}/a.txt`, auth: 'none', headers: { 'content-type': 'text/plain' }, body: 'x', expect: [401] },
  { name: 'multipart upload without a boundary', method: 'POST', path: UPLOAD, auth: 'owner', headers: { 'content-type': 'multipart/form-data' }, body: 'x', expect: [400] },
  { name: 'multipart upload as JSON', method: 'POST', path: UPLOAD, auth: 'owner', body: { file: 'x' }, expect: [400] },
  { name: 'multipart upload with garbage', method: 'POST', path: UPLOAD, auth: 'owner', headers: MP('zz'), body: 'not multipart at all', expect: [400] },
  { name: 'multipart upload cut off', method: 'POST', path: UPLOAD, auth: 'owner', headers: MP('zz'), body: '--zz\r\nContent-Disposition: form-data; name="file"; filename="c.txt"\r\n\r\nabc', expect: [400] },
  { name: 'multipart upload without a file part', method: 'POST', path: UPLOAD, auth: 'owner', headers: MP('zz'), body: '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--zz--\r\n', expect: [400] },
  { name: 'multipart upload with an empty file name', method: 'POST', path: UPLOAD, auth: 'owner', headers: MP('zz'), body: '--zz\r\nContent-Disposition: form-data; name="file"; filename=""\r\n\r\n\r\n--zz--\r\n', expect: [400] },
  { name: 'multipart upload with a bad delimiter line', method: 'POST', path: UPLOAD, auth: 'owner', headers: MP('zz'), body: '--zzXX\r\n\r\n', expect: [400] },
  { name: 'multipart upload with huge part headers', method: 'POST', path: UPLOAD, auth: 'owner', headers: MP('zz'), body: `--zz\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`, expect: [400] },
  { name: 'multipart upload with a traversal file name', method: 'POST', path: UPLOAD, auth: 'owner', headers: MP('zz'), body: '--zz\r\nContent-Disposition: form-data; name="file"; filename="../../x"\r\n\r\nx\r\n--zz--\r\n', expect: [400] },
  // (CSRF on the UI upload is for cookie sessions; test/files/ui.test.ts covers it.)
  { name: 'UI upload with a traversal file name', method: 'POST', path: '/projects/{project}/files', auth: 'owner', headers: MP('zz'), body: '--zz\r\nContent-Disposition: form-data; name="file"; filename="..\\u.txt"\r\n\r\nx\r\n--zz--\r\n', expect: [400] },
  { name: 'UI upload cut off', method: 'POST', path: '/projects/{project}/files', auth: 'owner', headers: MP('zz'), body: '--zz\r\nContent-Disposition: form-data; name="file"; filename="v.txt"\r\n\r\nx', expect: [400] },
  { name: 'UI template form as JSON', method: 'POST', path: '/projects/{project}/templates/create', auth: 'owner', body: { title: 'x' } },
  { name: 'UI pre-fill without a template', method: 'GET', path: '/projects/{project}/containers/prefill', auth: 'owner', expect: [404] },
  { name: 'UI pre-fill with an unknown template', method: 'GET', path: '/projects/{project}/containers/prefill?template={unknown}', auth: 'owner', expect: [404] },
];

/** TEMPLATE_FILE_CASES are the corpus cases of the templates and small-files endpoints. */
export const TEMPLATE_FILE_CASES: CorpusCase[] = [...unknownIds, ...templateCases, ...fileCases];
