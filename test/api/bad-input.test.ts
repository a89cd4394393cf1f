/**
 * bad-input.test.ts: bad input that used to crash or slip through now gets a clear 4xx at once:
 * a CSRF token with a non-ASCII character, environment keys and values Docker refuses, an
 * over-long password, and a client that aborts while sending its body (one info line, no error).
 */
import t from 'tap';
import net from 'node:net';
import { startGateway, waitFor, TEST_IMAGE } from '../helpers/gateway.ts';
import { login } from '../helpers/session.ts';
import { createWebClient } from '../helpers/web.ts';
import { captureLogger } from '../proxy/helpers.ts';

t.test('regression: a CSRF token of the right length with a non-ASCII character was a 500 (RangeError); now 403', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('alice', { project, role: 'owner' });
  const s = await login(gw, token);
  const forged = 'é' + s.csrf.slice(1); // as many characters as the real token, more bytes

  // The header: a session-authenticated API write.
  const viaHeader = await fetch(`${gw.base}/containers/api/create/${project}`, {
    method: 'POST', body: JSON.stringify({ title: 'x', ...TEST_IMAGE }),
    headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': forged },
  });
  t.equal(viaHeader.status, 403, 'X-CSRF-Token: 403');
  const body = await viaHeader.json() as { code: string; error: string };
  t.equal(body.code, 'E_CSRF');
  t.match(body.error, /CSRF token/, 'with a clear message');

  // The UI form field.
  const viaForm = await s.post(`/projects/${project}/containers/create`, { csrf_token: forged, title: 'x', ...TEST_IMAGE, container_port: '80' }, { csrf: false });
  t.equal(viaForm.status, 403, 'form field: 403');
  t.match(viaForm.text, /CSRF token/);
  t.equal((await gw.api('GET', `/containers/api/${project}`, token)).body.count, 0, 'nothing created');
});

t.test('regression: an environment value with NUL was accepted (then 502 at start) and a key __proto__ dropped silently; both refused at create', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('bob', { project, role: 'owner' });
  // Raw JSON: a JavaScript object literal cannot even hold "__proto__" as a key.
  const create = (env: string) => gw.api('POST', `/containers/api/create/${project}`, token,
    `{"title":"e","repository":"${TEST_IMAGE.repository}","tag":"${TEST_IMAGE.tag}","environment":${env}}`);
  const cases: Array<[string, string, RegExp]> = [
    ['a NUL in a value', '{"A":"x\\u0000y"}', /^environment: the value of "A" contains a NUL character/],
    ['the key __proto__', '{"__proto__":"x"}', /^environment: key "__proto__" is reserved/],
    ['an empty key', '{"":"x"}', /^environment: key "" is empty/],
    ['a key with "="', '{"A=B":"x"}', /^environment: key "A=B" cannot contain "="/],
    ['a key with a control character', '{"A\\u0001":"x"}', /^environment: key .* cannot contain control characters/],
    ['a key with a NUL', '{"A\\u0000":"x"}', /^environment: key .* cannot contain control characters/],
  ];
  for (const [name, env, msg] of cases) {
    const r = await create(env);
    t.equal(r.status, 400, `${name}: 400`);
    t.equal(r.body.code, 'E_VALIDATION', `${name}: E_VALIDATION`);
    t.match(r.body.error, msg, `${name}: says what is wrong`);
    t.ok(r.body.fields?.environment, `${name}: as a field error`);
  }
  // The string form (the UI's JSON field, also accepted by the API) is checked the same way.
  const asString = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'e', ...TEST_IMAGE, environment: '{"__proto__": "x"}' });
  t.equal(asString.status, 400, 'environment as a JSON string: 400');
  t.equal((await gw.api('GET', `/containers/api/${project}`, token)).body.count, 0, 'nothing was created');

  const s = await login(gw, token);
  const form = await s.post(`/projects/${project}/containers/create`, { title: 'e', ...TEST_IMAGE, container_port: '80', environment: '{"A": "x\\u0000y"}' });
  t.equal(form.status, 400, 'the UI form: 400');
  t.match(form.text, /contains a NUL character/, 'the message is next to the field');

  // What stays allowed: a NUL escaped inside an object value is text, not a NUL byte.
  const ok = await create('{"A":"plain","B":{"nested":"x\\u0000y"},"C":1}');
  t.equal(ok.status, 201, 'ordinary values and objects are fine');
});

t.test('regression: a 10 KB password got "Enter your user name and password."; now it says the password is too long', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  await gw.user('carol', { password: 'carol-password' });
  const web = createWebClient(gw.base);
  const long = await web.login('carol', 'x'.repeat(10_240));
  t.equal(long.status, 400, '400');
  t.match(long.text, /The password is too long: at most 1024 bytes\./, 'says so, with the limit');
  t.notMatch(long.text, /Enter your user name and password/);
  const multibyte = await web.login('carol', 'é'.repeat(600)); // 600 characters, 1200 bytes
  t.match(multibyte.text, /The password is too long/, 'the cap counts bytes');
  t.equal((await web.login('carol', '')).status, 401, 'an empty password is still "enter your password"');
  t.equal((await web.login('carol', 'carol-password')).status, 303, 'the right password still logs in');
});

t.test('regression: a client aborting while sending an API body was logged as "unhandled error ECONNRESET"; now one info line', async (t) => {
  const logger = captureLogger();
  const gw = await startGateway({}, { logger });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('dave', { project, role: 'owner' });
  logger.lines.length = 0;
  const sock = net.connect(gw.port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  sock.write(`POST /containers/api/create/${project} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token ${token}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"title":`);
  await new Promise((r) => setTimeout(r, 100));
  sock.destroy();
  const line = (await waitFor(() => logger.lines.find((l) => /client went away/.test(l.msg)), 5000, 'the log line'))!;
  t.equal(line.level, 'info', 'logged at info');
  t.match(line.msg, /^client went away: ECONNRESET/, 'one line that says what happened');
  t.notOk(line.fields?.err, 'no error object, so no stack');
  await new Promise((r) => setTimeout(r, 100));
  t.same(logger.lines.filter((l) => l.level === 'error'), [], 'nothing at error level');
  t.equal((await gw.api('GET', `/containers/api/${project}`, token)).body.count, 0, 'nothing created');
});
