/**
 * oidc.test.ts: OpenID Connect login against a real OpenID provider (oidc-provider, panva's
 * certified OP) run in this process on 127.0.0.1:0, with PKCE required and its development
 * interactions (a login form and a consent form) driven by Chromium: the real journey. Covers
 * the first login creating the user, the group claim making (and unmaking) a site admin, the
 * same user on a second login, tampered state, replayed callbacks and codes, a wrong issuer,
 * denied consent, PKCE, password login beside it, the session in the UI and the proxy, an
 * unreachable or misconfigured provider, and the settings' validation.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import Provider from 'oidc-provider';
import type { Page } from 'playwright-core';
import { TEST_IMAGE, startGateway } from '../helpers/gateway.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { createWebClient } from '../helpers/web.ts';
import { loadConfig } from '../../gateway/core/config.ts';
import { hashPassword } from '../../gateway/core/auth/passwords.ts';
import { createOidcLogin, OIDC_PENDING_MS } from '../../gateway/core/auth/oidc.ts';
import type { OidcProvider } from '../../gateway/core/auth/oidc-client.ts';
import { createStore } from '../../gateway/core/store/index.ts';
import { createLogger, silentLogger } from '../../gateway/core/log.ts';

const SECRET = 'client-secret-0123456789abcdef';
const ADMIN_GROUP = 'portico-admins';

type Claims = { preferred_username: string; name: string; email: string; groups: string[] };
const accounts: Record<string, Claims> = {
  'sub-alice': { preferred_username: 'alice', name: 'Alice Example', email: 'alice@example.org', groups: ['staff'] },
  'sub-carol': { preferred_username: 'carol', name: 'Carol Root', email: 'carol@example.org', groups: ['staff', ADMIN_GROUP] },
  'sub-taken': { preferred_username: 'dave', name: 'Not Dave', email: 'x@example.org', groups: [] },
};

/** listenProvider binds a server first (the issuer needs its port), and attaches the provider later (its client needs the gateway's). */
async function listenProvider(): Promise<{ issuer: string; attach(p: Provider): void; close(): Promise<void> }> {
  let handler: http.RequestListener | null = null;
  const server = http.createServer((req, res) => { if (handler) handler(req, res); else res.writeHead(503).end(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attach(p) { handler = p.callback() as unknown as http.RequestListener; },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

function makeProvider(issuer: string, redirectUri: string): Provider {
  const p = new Provider(issuer, {
    clients: [{ client_id: 'portico', client_secret: SECRET, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'], email: ['email'] },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    async findAccount(_ctx: unknown, id: string) {
      const claims = accounts[id];
      if (!claims) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...claims }; } };
    },
  });
  return p;
}

t.test('OIDC login against a real provider, in Chromium', async (t) => {
  const op = await listenProvider();
  t.teardown(() => op.close());
  const gw = await startGateway({
    ENABLE_OIDC: '1', SOCIAL_AUTH_OIDC_OIDC_ENDPOINT: op.issuer, SOCIAL_AUTH_OIDC_KEY: 'portico', SOCIAL_AUTH_OIDC_SECRET: SECRET,
    SOCIAL_AUTH_OIDC_USERNAME_KEY: 'preferred_username', PORTICO_OIDC_ADMIN_GROUP: ADMIN_GROUP,
  });
  t.teardown(() => gw.close());
  op.attach(makeProvider(op.issuer, `${gw.base}/login/oidc/callback`));
  const { user: dave } = await gw.user('dave', { password: 'dave-password' });

  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const { context, page } = browser;
  // Only this machine: the provider's page links a web font, which must not leave it.
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  const authRequests: URL[] = [];
  page.on('request', (r) => { if (r.url().startsWith(op.issuer + '/auth?')) authRequests.push(new URL(r.url())); });

  /** signInAtProvider fills the provider's login form (any password) and its consent form, when they appear. */
  async function signInAtProvider(p: Page, account: string): Promise<void> {
    await p.waitForURL((u) => u.href.startsWith(op.issuer + '/interaction/'));
    await p.fill('input[name="login"]', account);
    await p.fill('input[name="password"]', 'any');
    await Promise.all([p.waitForNavigation(), p.click('button[type="submit"]')]);
    if (p.url().startsWith(op.issuer + '/interaction/') && await p.isVisible('button:has-text("Continue")')) {
      await Promise.all([p.waitForNavigation(), p.click('button:has-text("Continue")')]);
    }
  }

  async function oidcLogin(account: string, next = '/tokens'): Promise<void> {
    await context.clearCookies();
    await page.goto(`${gw.base}/login?next=${encodeURIComponent(next)}`);
    await page.click('#oidc-login');
    await signInAtProvider(page, account);
    await page.waitForURL(gw.base + next).catch(async (err: Error) => {
      throw new Error(`${err.message.split('\n')[0]}; at ${page.url()}: ${(await page.textContent('body'))?.replace(/\s+/g, ' ').slice(0, 300)}`);
    });
  }

  /**
   * capture signs in at the provider over plain HTTP (one cookie jar, like one browser) and stops
   * at the callback without following it; `jar` then holds this "browser's" binding cookie.
   */
  const jar = new Map<string, string>();
  async function hop(url: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {};
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: form ? 'POST' : 'GET', headers, body: form ? new URLSearchParams(form) : undefined, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0];
      const i = pair.indexOf('=');
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(pair.slice(0, i)); else jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }
  async function capture(account: string, clear = true): Promise<URL> {
    if (clear) jar.clear();
    let url = `${gw.base}/login/oidc`;
    for (let i = 0; i < 12; i++) {
      const res = await hop(url);
      const location = res.headers.get('location');
      if (location) {
        url = new URL(location, url).href;
        if (url.startsWith(`${gw.base}/login/oidc/callback`)) return new URL(url);
        continue;
      }
      const html = await res.text();
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!prompt || !action) throw new Error(`unexpected page at ${url}: ${res.status}`);
      const posted = await hop(new URL(action, url).href, prompt === 'login' ? { prompt, login: account, password: 'any' } : { prompt });
      url = new URL(posted.headers.get('location')!, url).href;
    }
    throw new Error('no callback reached');
  }

  async function visit(url: string): Promise<{ status: number; text: string; location: string | null }> {
    const res = await hop(url);
    return { status: res.status, text: await res.text(), location: res.headers.get('location') };
  }

  await t.test('the login page offers single sign-on beside the password form', async (t) => {
    await page.goto(gw.base + '/login');
    t.equal(await page.textContent('#oidc-login'), 'Single Sign-On', "Kiosc's (SODAR's) button text by default");
    t.ok(await page.isVisible('input[name="password"]'), 'the password form is still there');
    const r = await createWebClient(gw.base).login('dave', 'dave-password', '/tokens');
    t.equal(r.status, 303, 'password login works with OIDC enabled');
    t.equal(r.headers.get('location'), '/tokens');
  });

  await t.test('first login creates the user, not an admin, and lands on next with a working session', async (t) => {
    const before = gw.core.store.users.count();
    await oidcLogin('sub-alice');
    const alice = gw.core.store.users.byUsername('alice')!;
    t.ok(alice, 'user created from the username claim');
    t.equal(gw.core.store.users.count(), before + 1);
    t.match(alice, { source: 'oidc', isAdmin: false, name: 'Alice Example', email: 'alice@example.org', active: true });
    t.equal(gw.core.store.users.passwordHash('alice')!.hash, null, 'no password');
    t.match(await page.content(), /API tokens/i, 'the UI page opened with the new session');
    const auth = authRequests.at(-1)!;
    t.equal(auth.searchParams.get('response_type'), 'code');
    t.equal(auth.searchParams.get('code_challenge_method'), 'S256', 'PKCE S256');
    t.ok(auth.searchParams.get('code_challenge') && auth.searchParams.get('state') && auth.searchParams.get('nonce'), 'challenge, state and nonce sent');
    t.equal(auth.searchParams.get('scope'), 'openid profile email', "python-social-auth's default scope");
    t.equal(auth.searchParams.get('redirect_uri'), `${gw.base}/login/oidc/callback`);
    t.notOk(auth.href.includes(SECRET), 'the secret never travels through the browser');
    const cookie = (await context.cookies(gw.base)).find((c) => c.name === 'portico_session')!;
    t.ok(cookie.httpOnly, 'a normal, HttpOnly session cookie');
    t.notOk((await context.cookies(gw.base)).some((c) => c.name === 'portico_oidc'), 'the sign-in binding cookie is dropped');
  });

  await t.test('a second login reuses the same user; the old session does not survive a new login', async (t) => {
    const alice = gw.core.store.users.byUsername('alice')!;
    const oldSid = (await context.cookies(gw.base)).find((c) => c.name === 'portico_session')!.value;
    const count = gw.core.store.users.count();
    // Same browser, still logged in: log out first through the UI, then sign in again.
    await context.clearCookies({ name: 'portico_session' });
    await page.goto(gw.base + '/login');
    await page.click('#oidc-login');
    await page.waitForURL((u) => u.href.startsWith(gw.base) && !u.pathname.startsWith('/login'));
    t.equal(gw.core.store.users.count(), count, 'no new user');
    t.equal(gw.core.store.users.byUsername('alice')!.id, alice.id);
    const sid = (await context.cookies(gw.base)).find((c) => c.name === 'portico_session')!.value;
    t.not(sid, oldSid, 'a new session id');
    accounts['sub-alice'].name = 'Alice Renamed';
    await oidcLogin('sub-alice');
    t.equal(gw.core.store.users.byId(alice.id)!.name, 'Alice Renamed', 'name refreshed from the claims on login');
  });

  await t.test('the admin group makes a site admin, and its loss revokes it', async (t) => {
    await oidcLogin('sub-carol', '/admin');
    const carol = gw.core.store.users.byUsername('carol')!;
    t.equal(carol.isAdmin, true, 'group claim made a site admin');
    t.match(await page.content(), /Users/, 'the admin page opened');
    accounts['sub-carol'].groups = ['staff'];
    await oidcLogin('sub-carol', '/');
    t.equal(gw.core.store.users.byId(carol.id)!.isAdmin, false, 'demoted when the group is gone');
    const res = await page.goto(gw.base + '/admin');
    t.equal(res!.status(), 403, 'and the admin page is refused');
  });

  await t.test('an OIDC user cannot log in with a password, even one set behind its back', async (t) => {
    const alice = gw.core.store.users.byUsername('alice')!;
    gw.core.store.users.setPasswordHash(alice.id, await hashPassword('known-password'));
    const r = await createWebClient(gw.base).login('alice', 'known-password');
    t.equal(r.status, 401, 'refused');
    t.match(r.text, /Wrong user name or password/);
  });

  await t.test('a tampered state is refused; the real callback works once; its replay is refused', async (t) => {
    const cb = await capture('sub-alice');
    const tampered = new URL(cb);
    // One character changed (never to itself: a state that starts with the same letter would be the real one).
    const state = cb.searchParams.get('state')!;
    tampered.searchParams.set('state', (state[0] === 'x' ? 'y' : 'x') + state.slice(1));
    const bad = await visit(tampered.href);
    t.equal(bad.status, 400, 'tampered state: 400 (got ' + bad.status + ' to ' + bad.location + ')');
    t.match(bad.text, /expired, was already used, or was started in another browser/);
    t.match(bad.text, /name="password"/, 'shown on the login page, password form included');
    const ok = await visit(cb.href);
    t.equal(ok.status, 303, 'the untampered callback logs in');
    t.equal(ok.location, '/');
    t.ok(jar.get('portico_session'), 'with a session cookie');
    t.equal((await visit(gw.base + '/tokens')).status, 200, 'which works for the UI');
    const again = await visit(cb.href);
    t.equal(again.status, 400, 'the same callback again: refused');
  });

  await t.test('a used code is refused by the provider even under a fresh state', async (t) => {
    const first = await capture('sub-alice');
    t.equal((await visit(first.href)).status, 303, 'the first use logs in');
    const fresh = await capture('sub-alice');
    const replay = new URL(fresh);
    replay.searchParams.set('code', first.searchParams.get('code')!);
    const r = await visit(replay.href);
    t.equal(r.status, 400, 'used code (and a verifier that does not match it): 400');
    t.match(r.text, /refused the sign-in code \(invalid_grant\)/);
  });

  await t.test('PKCE: the provider refuses the code without its verifier', async (t) => {
    const cb = await capture('sub-alice');
    const res = await fetch(op.issuer + '/token', {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`portico:${SECRET}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: cb.searchParams.get('code')!, redirect_uri: `${gw.base}/login/oidc/callback` }),
    });
    t.equal(res.status, 400, 'token request without code_verifier refused');
    t.match(await res.json(), { error: /invalid_(grant|request)/ });
  });

  await t.test('a wrong issuer, another browser, and denied consent are refused with a message', async (t) => {
    const cb = await capture('sub-alice');
    const wrongIss = new URL(cb);
    wrongIss.searchParams.set('iss', 'http://127.0.0.1:1/');
    const r = await visit(wrongIss.href);
    t.equal(r.status, 400, 'wrong iss in the authorization response: 400');
    t.match(r.text, /did not pass the checks/);

    const other = await capture('sub-alice');
    const res = await fetch(other.href, { redirect: 'manual' });
    t.equal(res.status, 400, 'a callback without the browser binding cookie: 400');

    await context.clearCookies();
    await page.goto(`${gw.base}/login/oidc`);
    await page.waitForURL((u) => u.href.startsWith(op.issuer + '/interaction/'));
    const [answer] = await Promise.all([
      page.waitForResponse((resp) => resp.url().startsWith(`${gw.base}/login/oidc/callback`)),
      page.click('text=[ Cancel ]'),
    ]);
    t.equal(answer.status(), 403, 'denied at the provider: 403');
    t.match(await page.content(), /cancelled or refused at the provider/);
  });

  await t.test('a name that belongs to a local account is not taken over', async (t) => {
    await context.clearCookies();
    await page.goto(`${gw.base}/login/oidc`);
    await signInAtProvider(page, 'sub-taken');
    await page.waitForURL((u) => u.href.startsWith(gw.base));
    t.match(await page.content(), /belongs to another Portico account/);
    t.equal(gw.core.store.users.byUsername('dave')!.id, dave.id);
    t.equal(gw.core.store.users.byUsername('dave')!.source, 'local');
  });

  await t.test('the OIDC session opens an app through the proxy', async (t) => {
    const alice = gw.core.store.users.byUsername('alice')!;
    const project = gw.project();
    const p = gw.core.store.projects.byUuid(project)!;
    gw.core.store.projects.setRole(p.id, alice.id, 'guest');
    const app = gw.core.containers.create(p.id, { title: 'app', ...TEST_IMAGE, container_port: 80 }, 'setup');
    await oidcLogin('sub-alice', '/');
    let status = 0;
    // The first answer is the "Starting app…" page (202) while the container starts on demand.
    // The waiting page reloads itself once the app is ready: a goto that its reload interrupts is retried.
    for (const deadline = Date.now() + 60_000; status !== 200 && Date.now() < deadline;) {
      status = await page.goto(`${gw.base}/containers/proxy/${app.uuid}/`).then((r) => r!.status(), () => 0);
      if (status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    t.equal(status, 200, 'the app answers through the proxy for the OIDC user');
  });
});

t.test('an unreachable provider: a clear 503 on the login page, password login untouched', async (t) => {
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((r) => probe.close(() => r()));
  const gw = await startGateway({
    ENABLE_OIDC: '1', SOCIAL_AUTH_OIDC_OIDC_ENDPOINT: closed, SOCIAL_AUTH_OIDC_KEY: 'portico', SOCIAL_AUTH_OIDC_SECRET: SECRET,
    PORTICO_OIDC_TIMEOUT: '1', PORTICO_OIDC_LABEL: 'Log in with Example ID',
  });
  t.teardown(() => gw.close());
  await gw.user('dave', { password: 'dave-password' });
  const web = createWebClient(gw.base);
  const page = await web.request('GET', '/login');
  t.equal(page.status, 200, 'the login page shows at once (discovery is lazy)');
  t.match(page.text, /Log in with Example ID/);
  const started = Date.now();
  const r = await web.request('GET', '/login/oidc');
  t.equal(r.status, 503);
  t.ok(r.text.includes(`Single sign-on is unavailable: the provider at ${closed} cannot be reached (ECONNREFUSED)`), 'the message names the provider and why');
  t.match(r.text, /name="password"/, 'the password form is on the same page');
  const again = await web.request('GET', '/login/oidc');
  t.equal(again.status, 503, 'retried later, not hammered: refused quickly meanwhile');
  t.ok(Date.now() - started < 3000, 'no hang');
  t.match((await web.request('GET', '/login')).text, /Single sign-on is unavailable/, 'the login page says so');
  t.equal((await web.login('dave', 'dave-password')).status, 303, 'password login works');
  t.notOk(r.text.includes(SECRET), 'no secret on the page');
});

t.test('a discovery document that names another issuer is refused', async (t) => {
  const real = await listenProvider();
  real.attach(makeProvider(real.issuer, 'http://127.0.0.1:9/login/oidc/callback'));
  t.teardown(() => real.close());
  const doc = await (await fetch(real.issuer + '/.well-known/openid-configuration')).json();
  const fake = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc)));
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => fake.close(() => r())));
  const gw = await startGateway({
    ENABLE_OIDC: '1', SOCIAL_AUTH_OIDC_OIDC_ENDPOINT: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`,
    SOCIAL_AUTH_OIDC_KEY: 'portico', SOCIAL_AUTH_OIDC_SECRET: SECRET,
  });
  t.teardown(() => gw.close());
  const r = await createWebClient(gw.base).request('GET', '/login/oidc');
  t.equal(r.status, 503);
  t.match(r.text, /discovery document names another issuer/);
});

t.test('settings: precise messages, Kiosc names, the secret never shown', async (t) => {
  const base = { ENABLE_OIDC: '1', SOCIAL_AUTH_OIDC_OIDC_ENDPOINT: 'https://id.example.org/realms/x', SOCIAL_AUTH_OIDC_KEY: 'portico', SOCIAL_AUTH_OIDC_SECRET: SECRET };
  const c = loadConfig(base).oidc!;
  t.match(c, { issuer: 'https://id.example.org/realms/x', clientId: 'portico', usernameClaim: null, groupsClaim: 'groups', adminGroup: null, label: 'Single Sign-On', scope: 'openid profile email' });
  t.equal(c.clientSecret, SECRET);
  t.notOk(JSON.stringify(loadConfig(base)).includes(SECRET), 'not in the serialised config');
  t.equal(loadConfig({}).oidc, null, 'off by default');
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ SOCIAL_AUTH_OIDC_OIDC_ENDPOINT: '' }, /SOCIAL_AUTH_OIDC_OIDC_ENDPOINT must be the provider's https:\/\/ issuer URL/],
    [{ SOCIAL_AUTH_OIDC_OIDC_ENDPOINT: 'http://id.example.org' }, /http:\/\/ only on 127\.0\.0\.1 or localhost/],
    [{ SOCIAL_AUTH_OIDC_OIDC_ENDPOINT: 'https://id.example.org/.well-known/openid-configuration' }, /the issuer URL itself/],
    [{ SOCIAL_AUTH_OIDC_KEY: 'CHANGEME' }, /SOCIAL_AUTH_OIDC_KEY .* is required/],
    [{ SOCIAL_AUTH_OIDC_SECRET: '' }, /SOCIAL_AUTH_OIDC_SECRET .* is required/],
    [{ SOCIAL_AUTH_OIDC_USERNAME_KEY: 'user name' }, /SOCIAL_AUTH_OIDC_USERNAME_KEY must be a claim name/],
    [{ PORTICO_OIDC_SCOPE: 'profile email' }, /PORTICO_OIDC_SCOPE must be space-separated scopes that include openid/],
    [{ PORTICO_OIDC_TIMEOUT: '0' }, /PORTICO_OIDC_TIMEOUT must be between 0.1 and 120/],
    [{ ENABLE_OIDC: 'maybe' }, /ENABLE_OIDC must be a boolean/],
  ];
  for (const [env, message] of bad) {
    try {
      loadConfig({ ...base, ...env });
      t.fail(`accepted ${JSON.stringify(env)}`);
    } catch (err) {
      t.match((err as Error).message, message, JSON.stringify(env));
      t.notOk((err as Error).message.includes(SECRET), 'the secret is not in the message');
    }
  }
});

t.test('pending sign-ins expire after 10 minutes and are bounded (a stand-in provider, the real store)', async (t) => {
  const store = createStore(':memory:');
  t.teardown(() => store.close());
  let clock = 1_000_000;
  let n = 0;
  const provider: OidcProvider = {
    status: () => ({ state: 'ready', message: null }),
    warm() {},
    async authorize() { n++; return { url: `https://op.example/auth?n=${n}`, state: `state-${n}`, nonce: `nonce-${n}`, verifier: `v-${n}` }; },
    async finish(_url, request) { return { issuer: 'https://op.example', subject: `sub-${request.state}`, claims: { preferred_username: `u${request.state.slice(6)}` } }; },
  };
  const cfg = loadConfig({ ENABLE_OIDC: '1', SOCIAL_AUTH_OIDC_OIDC_ENDPOINT: 'https://op.example', SOCIAL_AUTH_OIDC_KEY: 'k', SOCIAL_AUTH_OIDC_SECRET: SECRET }).oidc!;
  const login = createOidcLogin({ config: cfg, provider, store, logger: silentLogger, now: () => clock });
  const cb = (state: string) => new URL(`https://portico.example/login/oidc/callback?code=c&state=${state}`);
  const { binding } = await login.begin({ redirectUri: 'https://portico.example/login/oidc/callback', next: '/x', binding: null });
  clock += OIDC_PENDING_MS + 1;
  await t.rejects(login.complete({ callbackUrl: cb('state-1'), binding }), { code: 'E_OIDC_FAILED', details: { reason: 'expired state' } }, 'expired');
  await login.begin({ redirectUri: 'https://portico.example/login/oidc/callback', next: '/y', binding });
  const done = await login.complete({ callbackUrl: cb('state-2'), binding });
  t.equal(done.next, '/y');
  t.equal(done.user.username, 'u2');
  for (let i = 0; i < 10_050; i++) await login.begin({ redirectUri: 'https://portico.example/login/oidc/callback', next: '/', binding });
  await t.rejects(login.complete({ callbackUrl: cb('state-3'), binding }), { code: 'E_OIDC_FAILED' }, 'the oldest of too many pending sign-ins were dropped');
  t.ok(await login.complete({ callbackUrl: cb(`state-${n}`), binding }), 'the newest still works');
});

t.test('the redirect URI follows a trusted proxy; refusals are one log line without secrets', async (t) => {
  const op = await listenProvider();
  t.teardown(() => op.close());
  const lines: string[] = [];
  const logger = createLogger({ format: 'json', level: 'info', write: (l) => lines.push(l) });
  const env = { ENABLE_OIDC: '1', SOCIAL_AUTH_OIDC_OIDC_ENDPOINT: op.issuer, SOCIAL_AUTH_OIDC_KEY: 'portico', SOCIAL_AUTH_OIDC_SECRET: SECRET };
  const gw = await startGateway({ ...env, PORTICO_TRUST_PROXY: 'true' }, { logger });
  t.teardown(() => gw.close());
  op.attach(makeProvider(op.issuer, 'https://portico.example.org/login/oidc/callback'));
  const start = async (headers: Record<string, string>) => fetch(gw.base + '/login/oidc?next=%2Ftokens', { headers, redirect: 'manual' });

  const proxied = await start({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'portico.example.org' });
  t.equal(proxied.status, 303);
  const auth = new URL(proxied.headers.get('location')!);
  t.equal(auth.origin + auth.pathname, op.issuer + '/auth', 'to the provider');
  t.equal(auth.searchParams.get('redirect_uri'), 'https://portico.example.org/login/oidc/callback', 'the origin the browser used, from a trusted proxy');
  t.match(proxied.headers.get('set-cookie'), /^portico_oidc=[\w-]+; Path=\/login\/oidc; HttpOnly; SameSite=Lax; Secure; Max-Age=600$/);
  t.equal(proxied.headers.get('cache-control'), 'no-store');

  const direct = await start({});
  t.equal(new URL(direct.headers.get('location')!).searchParams.get('redirect_uri'), `${gw.base}/login/oidc/callback`, 'without a proxy: the Host header');

  const badHost = await new Promise<number>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: gw.port, path: '/login/oidc', headers: { host: 'evil host' } }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject);
  });
  t.ok(badHost === 400, `a Host that is not a host name: 400 (got ${badHost})`);

  lines.length = 0;
  const refused = await fetch(gw.base + '/login/oidc/callback?code=abc&state=nope', { redirect: 'manual' });
  t.equal(refused.status, 400);
  const logged = lines.filter((l) => l.includes('OIDC login refused'));
  t.equal(logged.length, 1, 'one line');
  t.match(JSON.parse(logged[0]), { msg: 'OIDC login refused', step: 'callback', code: 'E_OIDC_FAILED', reason: 'unknown or used state' });
  t.notOk(lines.join('\n').includes(SECRET), 'no secret in the log');
});
