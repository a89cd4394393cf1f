/**
 * one-time-links.test.ts: invitation and password-reset links in Chromium (docs/invitations.md). The
 * token in their URL is the capability. Regression: their pages (and the login page that leads to
 * one) sent `Referrer-Policy: same-origin`, so the browser put the whole URL, token included, in the
 * Referer of every request they made: their styles and scripts, the login form, and the app the
 * invitation led to behind the proxy (whose own access log then held it). They send `no-referrer`;
 * no request carries the token but the link's own; no log line or audit event holds it; a used
 * link is dead (410 with a page that says so, for a GET and for a replayed form).
 */
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { captureLogger, createContainer } from '../proxy/helpers.ts';
import { post, session } from '../helpers/ui-http.ts';

t.test('regression: one-time link tokens leak through no Referer and no log, and die once used', async (t) => {
  const logger = captureLogger();
  const gw = await startGateway({}, { logger });
  const b = await launchBrowser();
  t.teardown(async () => { await b.close(); await gw.close(); });
  const project = gw.project();
  const owner = await gw.user('oona', { project, role: 'owner' });
  const admin = await gw.user('otto', { admin: true });
  await gw.user('ivy', { password: 'ivy-password-1' });
  const app = await createContainer(gw, owner.token, project);

  // Every request the browser sends, with the headers it really sent.
  const sent: Array<{ url: string; referer: string }> = [];
  b.context.on('request', (r) => { void r.allHeaders().then((h) => sent.push({ url: r.url(), referer: h.referer ?? '' }), () => {}); });

  // An invitation for ivy that leads to an app; she logs in from its page and joins.
  const o = await session(gw, owner.token);
  const created = await post(gw, `/projects/${project}/invitations`, o.cookie, { csrf_token: o.csrf, role: 'guest', container: app, invitee: 'ivy' });
  t.equal(created.status, 201);
  const invite = /\/invite\/([A-Za-z0-9_-]{43})"/.exec(created.text)![1];
  const page = b.page;
  const first = await page.goto(`${gw.base}/invite/${invite}`);
  t.equal(first?.headers()['referrer-policy'], 'no-referrer', 'the invitation page: no-referrer');
  const [loginAnswer] = await Promise.all([page.waitForResponse((r) => r.url().includes('/login?next=')), page.locator('#invite-login').click()]);
  await page.waitForURL(/\/login\?next=/);
  t.equal(await page.evaluate(() => (globalThis as unknown as { document: { referrer: string } }).document.referrer), '', 'the login page was opened with no referrer');
  t.equal(loginAnswer.headers()['referrer-policy'], 'no-referrer', 'the login page that leads to the invitation: no-referrer');
  await page.fill('#username', 'ivy');
  await page.fill('#password', 'ivy-password-1');
  await page.locator('button[type="submit"]:has-text("Log in")').click();
  await page.waitForURL(new RegExp(`/invite/${invite}$`));
  await page.locator('button:has-text("Join as ivy")').click();
  await page.waitForURL(new RegExp(`/containers/proxy/${app}/`));
  t.pass('ivy joined and landed in the app');
  t.ok(gw.core.store.projects.roleOf(gw.core.store.projects.byUuid(project)!.id, gw.core.store.users.byUsername('ivy')!.id), 'ivy is a member');

  // Used: dead for a GET and for a replayed form.
  const again = await page.goto(`${gw.base}/invite/${invite}`);
  t.equal(again?.status(), 410, 'the used invitation: 410');
  t.match(await page.locator('main').textContent(), /used already/, 'and a page that says so');
  const ivy = await session(gw, await newToken(gw, 'ivy'));
  const replay = await post(gw, `/invite/${invite}/accept`, ivy.cookie, { csrf_token: ivy.csrf });
  t.equal(replay.status, 410, 'a replayed accept: 410');
  t.match(replay.text, /used already/);

  // A password reset link for ivy, issued by a site admin and used in the browser.
  const a = await session(gw, admin.token);
  const issued = await post(gw, `/admin/users/${gw.core.store.users.byUsername('ivy')!.uuid}/reset-link`, a.cookie, { csrf_token: a.csrf });
  t.equal(issued.status, 201);
  const reset = /\/reset\/([A-Za-z0-9_-]{43})"/.exec(issued.text)![1];
  await b.context.clearCookies();
  const resetPage = await page.goto(`${gw.base}/reset/${reset}`);
  t.equal(resetPage?.headers()['referrer-policy'], 'no-referrer', 'the reset page: no-referrer');
  await page.fill('#password', 'ivy-password-2');
  await page.fill('#repeat', 'ivy-password-2');
  await page.locator('button:has-text("Set password")').click();
  await page.waitForURL(/\/login\?reset=1/);
  const resetAgain = await page.goto(`${gw.base}/reset/${reset}`);
  t.equal(resetAgain?.status(), 410, 'the used reset link: 410');
  t.match(await page.locator('main').textContent(), /used already/);
  const form = await fetch(`${gw.base}/login`, { headers: { accept: 'text/html' } });
  const csrfCookie = (form.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(await form.text())![1];
  const replayReset = await fetch(`${gw.base}/login/reset/${reset}`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ csrf_token: csrf, password: 'ivy-password-3', repeat: 'ivy-password-3' }).toString(),
    headers: { cookie: csrfCookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.equal(replayReset.status, 410, 'a replayed reset form: 410');
  t.equal(replayReset.headers.get('referrer-policy'), 'no-referrer');
  t.ok(await gw.core.login.login('ivy', 'ivy-password-2', '127.0.0.1'), 'the password set by the link holds, not the replay\'s');

  // No request carried a token anywhere but in its own URL; no log line or audit event holds one.
  await new Promise((r) => setTimeout(r, 200));
  t.ok(sent.length > 5, `the browser's requests were seen (${sent.length})`);
  const leaks = sent.filter((s) => s.referer.includes(invite) || s.referer.includes(reset));
  t.same(leaks, [], 'no Referer carries a token');
  const logText = JSON.stringify(logger.lines);
  t.ok(logText.includes('invitation accepted') && logText.includes('password reset'), 'the gateway logged both uses');
  t.notOk(logText.includes(invite) || logText.includes(reset), 'no log line holds a token');
  const rows = JSON.stringify(['audit_events', 'container_logs', 'jobs'].map((table) => gw.core.store.db.prepare(`SELECT * FROM ${table}`).all()));
  t.notOk(rows.includes(invite) || rows.includes(reset), 'no audit event, container log line or job holds a token');
  t.same(b.errors, [], 'no page errors');
});

/** newToken gives `name` another API token (the test's own, to act as them over HTTP). */
async function newToken(gw: Awaited<ReturnType<typeof startGateway>>, name: string): Promise<string> {
  const { hashSecret, newSecret } = await import('../../gateway/core/auth/tokens.ts');
  const token = newSecret(32);
  gw.core.store.users.createToken(gw.core.store.users.byUsername(name)!.id, 'test', hashSecret(token), token.slice(0, 6), null);
  return token;
}
