/**
 * journeys.test.ts: issue 18's journeys in Chromium, end to end over real containers: a first-run
 * admin creates a project and a container from a ready-made site template; an owner invites a
 * collaborator who has no account (and one who has), who open the shared link and land in the
 * app; a failed start as the collaborator sees it (the UI's frame, a plain message, the app's last
 * lines, a way back).
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';

// Callbacks given to the page run in Chromium; the project's type check has no DOM library.
declare const document: any;

// An app that says why it cannot start, with markup in the line, and exits.
const CRASH = `sh -c 'echo "ERROR: cannot open /data/counts.h5ad <b>x</b>" >&2; sleep 1; exit 3'`;

t.test('first-run admin: home offers "Create project", then a container from a ready-made site template', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token: adminToken } = await gw.user('admin', { admin: true, password: 'first-run-pass-1' });
  // A ready-made template as the site offers it (s5-ui-tools adds Shiny, Dash, Jupyter and Streamlit ones).
  const tpl = await gw.api('POST', '/containers/api/templates/create/site', adminToken, { title: 'Shiny app (test)', ...TEST_IMAGE, container_port: 80, description: 'A Shiny server' });
  t.equal(tpl.status, 201, 'the site template exists');
  const b = await launchBrowser();
  t.teardown(() => b.close());
  const p = b.page;

  await p.goto(gw.base + '/');
  t.match(p.url(), /\/login\?next=%2F$/, 'anonymous: the login page');
  await p.fill('#username', 'admin');
  await p.fill('#password', 'first-run-pass-1');
  await Promise.all([p.waitForURL(gw.base + '/'), p.click('button[type=submit]')]);
  t.ok(await p.isVisible('#home-start'), 'no projects yet: the first-run section');
  t.match(await p.textContent('#home-start'), /Create a project.*Add a container.*Invite collaborators/s, 'it names the next steps');
  await Promise.all([p.waitForURL(/\/new-project$/), p.click('#home-start a.btn.primary')]);
  await p.fill('#title', 'RNA-seq results');
  await p.fill('#description', 'Counts and the DE explorer');
  await Promise.all([p.waitForURL(/\/projects\/[0-9a-f-]{36}\/containers\?done=project-created$/), p.click('form.stacked button[type=submit]')]);
  t.match(await p.textContent('#flash'), /Project created: you are its owner/, 'the project exists, with the next step named');
  const project = /\/projects\/([0-9a-f-]{36})\//.exec(p.url())![1];
  t.equal(gw.core.store.projects.roleOf(gw.core.store.projects.byUuid(project)!.id, gw.core.store.users.byUsername('admin')!.id), 'owner', 'the creator is the owner');

  await Promise.all([p.waitForURL(/\/containers\/create$/), p.click(`a[href="/projects/${project}/containers/create"]`)]);
  await p.selectOption('#template-picker', { label: '[Site-wide] Shiny app (test) (portico-test/httpd:1)' });
  await p.click('.template-picker button');
  await p.waitForFunction(() => document.querySelector('#f-repository')?.value === 'portico-test/httpd');
  await p.fill('#f-title', 'DE explorer');
  await Promise.all([p.waitForURL(/\/containers\/[0-9a-f-]{36}(\?|$)|\/containers\?/), p.click('#container-form-fields ~ p button[type=submit], form button.btn.primary[type=submit]')]);
  const created = gw.core.store.containers.list({ projectId: gw.core.store.projects.byUuid(project)!.id, limit: 10, offset: 0 }).results;
  t.equal(created.length, 1, 'one container');
  t.equal(created[0].title, 'DE explorer');
  t.equal(`${created[0].repository}:${created[0].tag}`, 'portico-test/httpd:1', 'from the template');
  t.equal(created[0].containerPort, 80, 'with the template\'s port');
  await p.goto(gw.base + '/');
  t.match(await p.textContent('#home-projects'), /RNA-seq results.*Counts and the DE explorer.*1 container, 0 running/s, 'the home card: description and counts');
  t.same(b.errors, [], 'no page errors');
});

t.test('an owner invites a collaborator: the link is copied, opened, a password set, and they land in the app', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Single-cell atlas');
  const { token: owner } = await gw.user('olive', { project, role: 'owner' });
  await gw.user('dave', { password: 'dave-password-1' });
  const c = await gw.api('POST', `/containers/api/create/${project}`, owner, { title: 'DE explorer', ...TEST_IMAGE, container_port: 80 });
  t.equal(c.status, 201);
  const app = c.body.sodar_uuid as string;

  const ob = await launchBrowser();
  t.teardown(() => ob.close());
  await loginWithToken(gw, ob.context, owner);
  const invite = async (invitee: string): Promise<string> => {
    await ob.page.goto(`${gw.base}/projects/${project}/members`);
    await ob.page.fill('#invitee', invitee);
    await ob.page.selectOption('#invite-role', 'contributor');
    await ob.page.selectOption('#invite-container', app);
    await Promise.all([ob.page.waitForURL(`${gw.base}/projects/${project}/invitations`), ob.page.click('form[action$="/invitations"] button[type=submit]')]);
    const link = await ob.page.inputValue('#invitation-link');
    t.match(link, new RegExp(`^${gw.base}/invite/[A-Za-z0-9_-]{43}$`), 'an absolute link');
    return link;
  };
  const link = await invite('carol@example.org');
  t.ok(await ob.page.isVisible('button[data-copy="invitation-link"]'), 'a Copy button (shown by copy.js)');
  await ob.page.click('button[data-copy="invitation-link"]');
  await ob.page.waitForFunction(() => document.querySelector('button[data-copy]')?.textContent === 'Copied');
  t.pass('Copy says it copied');
  await ob.page.goto(`${gw.base}/projects/${project}/members`);
  t.match(await ob.page.textContent('#invitations'), /carol@example\.org\s*contributor/, 'the invitation is pending on Members');

  // Carol has no account: she sets a password and lands in the app.
  const cb = await launchBrowser();
  t.teardown(() => cb.close());
  await cb.page.goto(link);
  t.match(await cb.page.textContent('#invitation'), /olive invites you to the project Single-cell atlas as contributor, to open DE explorer/, 'the link says who, where and what');
  t.equal(await cb.page.inputValue('#username'), 'carol', 'a user name proposed from the e-mail address');
  await cb.page.fill('#password', 'carol-password-1');
  await cb.page.fill('#repeat', 'carol-password-1');
  await cb.page.click('form[action^="/login/invite/"] button[type=submit]');
  await cb.page.waitForSelector('h1:text("portico test app")', { timeout: 30_000 });
  t.equal(new URL(cb.page.url()).pathname, `/containers/proxy/${app}/`, 'Carol lands in the app (started on demand)');
  const carol = gw.core.store.users.byUsername('carol')!;
  t.equal(carol.email, 'carol@example.org', 'her account keeps the invited address');
  t.equal(gw.core.store.projects.roleOf(gw.core.store.projects.byUuid(project)!.id, carol.id), 'contributor', 'with the invited role');
  await cb.page.goto(link);
  t.match(await cb.page.textContent('#invitation'), /used already/, 'the link works once');

  // Dave has an account: the link's login page says where it leads; he logs in and joins.
  const link2 = await invite('dave');
  const db = await launchBrowser();
  t.teardown(() => db.close());
  await db.page.goto(link2);
  t.equal(await db.page.locator('form[action^="/login/invite/"]').count(), 0, 'an existing user name: no new account offered');
  await Promise.all([db.page.waitForURL(/\/login\?next=/), db.page.click('#invite-login')]);
  t.equal(await db.page.textContent('#login-context'), 'Log in to open DE explorer in Single-cell atlas', 'the login page gives the context');
  await db.page.fill('#username', 'dave');
  await db.page.fill('#password', 'dave-password-1');
  await Promise.all([db.page.waitForURL(link2), db.page.click('form[action="/login"] button[type=submit]')]);
  await db.page.click('form[action$="/accept"] button[type=submit]');
  await db.page.waitForSelector('h1:text("portico test app")', { timeout: 30_000 });
  t.equal(new URL(db.page.url()).pathname, `/containers/proxy/${app}/`, 'Dave lands in the app');
  for (const b of [ob, cb, db]) t.same(b.errors, [], 'no page errors');
});

t.test('a failed start seen by a collaborator: the UI\'s frame, a plain message, the app\'s last lines, a way back', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Atlas');
  const { token: owner } = await gw.user('olive', { project, role: 'owner' });
  const { token: collab } = await gw.user('carol', { project, role: 'contributor' });
  const c = await gw.api('POST', `/containers/api/create/${project}`, owner, { title: 'DE <i>explorer</i>', ...TEST_IMAGE, container_port: 80, command: CRASH, timeout: 20 });
  t.equal(c.status, 201);
  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, collab);
  const res = await b.page.goto(`${gw.base}/containers/proxy/${c.body.sodar_uuid}/`);
  t.equal(res?.status(), 202, 'the waiting page');
  t.ok(await b.page.isVisible('header.top a[href="/"]'), 'in the UI\'s frame: the header with a way home');
  await b.page.waitForSelector('body.failed', { timeout: 30_000 });
  t.equal(await b.page.textContent('#heading'), 'Could not start DE <i>explorer</i>', 'the heading says it failed (not "Starting …"), the title as text');
  t.match(await b.page.textContent('#msg'), /^The app stopped while it was starting\./, 'a plain message');
  t.notOk(await b.page.isVisible('#tech-text'), 'the technical reason is folded away');
  const log = await b.page.textContent('#log');
  t.match(log, /ERROR: cannot open \/data\/counts\.h5ad <b>x<\/b>/, 'the app\'s last lines, escaped');
  t.equal(await b.page.locator('#log b').count(), 0, 'markup in them is text');
  t.ok(await b.page.isVisible('#back'), 'a link back');
  await Promise.all([b.page.waitForURL(`${gw.base}/projects/${project}/containers`), b.page.click('#back')]);
  t.pass('back on the project\'s containers');

  // The proxy's 404 for a link to nothing: the same frame, a plain message, a way back.
  const missing = await b.page.goto(`${gw.base}/containers/proxy/00000000-0000-4000-8000-000000000000/`);
  t.equal(missing?.status(), 404);
  t.equal(await b.page.textContent('h1'), 'No app at this link');
  t.match(await b.page.textContent('#msg'), /Check that the link was copied whole/);
  t.ok(await b.page.isVisible('#back'), 'a way back');
  t.same(b.errors, [], 'no page errors');
});
