/**
 * siteadmin.test.ts: the site-admin pages against a real gateway and Docker engine: all containers
 * with search, filters and pagination; engine containers Portico does not manage (its own greyed);
 * networks, volumes and images; pulling an image with validation and live progress.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startGateway, waitFor, TEST_IMAGE, TEST_NETWORK } from '../helpers/gateway.ts';
import { openStream } from '../helpers/sse-client.ts';
import { page, post, session } from '../helpers/ui-http.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';

// Callbacks given to the page run in Chromium; the project's type check has no DOM library.
declare const document: any;

const rows = (html: string) => (html.match(/<tr id="arow-/g) ?? []).length;

t.test('all containers: search, filters, pagination', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { store } = gw.core;
  const p1 = store.projects.create('Alpha lab');
  const p2 = store.projects.create('Beta lab');
  const settings = gw.core.containers.validate({ title: 'x', ...TEST_IMAGE });
  for (let i = 0; i < 60; i++) {
    const a = store.containers.create(p1.id, { ...settings, title: `alpha-${i}` });
    store.containers.create(p2.id, { ...settings, title: `beta-${i}` });
    if (i < 7) store.containers.setRuntime(a.id, { state: 'exited' });
  }
  const { token } = await gw.user('root', { admin: true });
  const { token: plain } = await gw.user('pleb');
  const s = await session(gw, token);
  const p = await session(gw, plain);

  for (const path of ['/siteadmin', '/siteadmin/engine', '/siteadmin/docker']) {
    t.equal((await page(gw, path, p.cookie)).status, 403, `${path}: admins only`);
  }
  const first = await page(gw, '/siteadmin', s.cookie);
  t.equal(first.status, 200);
  t.equal(rows(first.text), 50, 'fifty per page');
  t.match(first.text, /1–50 of 120/);
  t.match(first.text, /page 1 of 3/);
  t.match(first.text, /<a class="chip" href="\/siteadmin\?state=initial"><span class="badge initial">initial<\/span> 113<\/a>/, 'summary by state');
  t.match(first.text, /<form class="filters" method="get" action="\/siteadmin"/, 'filters work without JavaScript');
  t.match(first.text, /<a class="project-link" href="\/projects\/[0-9a-f-]{36}\/containers">(Alpha|Beta) lab<\/a>/, 'project shown with each title');

  const third = await page(gw, '/siteadmin?page=3', s.cookie);
  t.equal(rows(third.text), 20, 'last page');
  t.match(third.text, /101–120 of 120/);
  const beyond = await page(gw, '/siteadmin?page=99', s.cookie);
  t.equal(beyond.status, 200, 'a page past the end is empty, not an error');

  const search = await page(gw, '/siteadmin?q=beta-1', s.cookie);
  t.match(search.text, /1–11 of 11/, 'search by title (beta-1, beta-10…19)');
  const byState = await page(gw, '/siteadmin?state=exited', s.cookie);
  t.equal(rows(byState.text), 7, 'filter by state');
  const byProject = await page(gw, `/siteadmin?project=${p2.uuid}&q=lab`, s.cookie);
  t.match(byProject.text, /1–50 of 60/, 'filter by project, search by project title');
  t.notMatch(byProject.text, /alpha-/);
  const junk = await page(gw, '/siteadmin?state=bogus&project=nope&page=-3', s.cookie);
  t.equal(junk.status, 200, 'junk filters are ignored');
  t.match(junk.text, /1–50 of 120/);

  const fragment = await page(gw, '/siteadmin?q=alpha-5', s.cookie, { 'hx-request': 'true' });
  t.notMatch(fragment.text, /<html/, 'htmx gets the fragment only');
  t.match(fragment.text, /<div id="admin-list"/);
});

t.test('engine containers Portico does not manage, and Docker entities', async (t) => {
  const gw = await startGateway();
  const tag = randomBytes(4).toString('hex');
  const created: string[] = [];
  t.teardown(async () => {
    if (created.length) execFileSync('docker', ['rm', '-f', ...created], { stdio: 'ignore' });
    await gw.close();
  });
  const image = `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`;
  const make = (name: string, labels: string[]) => {
    created.push(execFileSync('docker', ['create', '--name', name, ...labels.flatMap((l) => ['--label', l]), image], { encoding: 'utf8' }).trim());
  };
  make(`ui-test-other-${tag}`, ['portico.managed=true', `portico.instance=other-${tag}`]);
  make(`ui-test-plain-${tag}`, []);
  make(`ui-test-orphan-${tag}`, ['portico.managed=true', `portico.instance=${gw.instance}`, 'portico.container=00000000-0000-4000-8000-000000000000']);

  const project = gw.project();
  const { token } = await gw.user('root', { admin: true, project, role: 'owner' });
  const mine = (await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'managed here', ...TEST_IMAGE })).body.sodar_uuid;
  const started = await gw.api('POST', `/containers/api/start/${mine}`, token);
  const s = await session(gw, token);

  const engine = await page(gw, '/siteadmin/engine', s.cookie);
  t.equal(engine.status, 200);
  t.match(engine.text, new RegExp(`<tr class="grey" data-name="ui-test-other-${tag}">`), 'another Portico instance: greyed');
  t.match(engine.text, new RegExp(`another Portico instance \\(other-${tag}\\)`));
  t.match(engine.text, new RegExp(`<tr class="" data-name="ui-test-plain-${tag}">`), 'foreign container listed normally');
  t.match(engine.text, new RegExp(`data-name="ui-test-orphan-${tag}">[\\s\\S]*?orphan: labelled for this instance`), 'orphans are named as such');
  t.equal(started.body.state, 'running');
  t.notMatch(engine.text, `portico-managed-here-${mine.slice(0, 8)}`, 'our managed container is not listed');

  const docker = await page(gw, '/siteadmin/docker', s.cookie);
  t.equal(docker.status, 200);
  t.match(docker.text, new RegExp(`<td>${TEST_NETWORK}</td>`), 'networks listed');
  t.match(docker.text, /portico-test\/httpd:1/, 'images listed');
  t.match(docker.text, /Docker volumes/);
});

t.test('pull an image: validation, failure reported live', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token } = await gw.user('root', { admin: true });
  const s = await session(gw, token);
  const hx = { 'hx-request': 'true', 'x-csrf-token': s.csrf };

  const bad = await post(gw, '/siteadmin/images/pull', s.cookie, { repository: 'Not Valid', tag: 'a b' }, hx);
  t.equal(bad.status, 400);
  t.match(bad.text, /Repository must be an image name/);
  t.match(bad.text, /Tag must be a tag/);
  t.match(bad.text, /value="Not Valid"/, 'input kept');
  const noCsrf = await post(gw, '/siteadmin/images/pull', s.cookie, { repository: 'nginx', tag: 'latest' });
  t.equal(noCsrf.status, 403, 'CSRF checked');

  // A registry on 127.0.0.1:9 refuses at once: the failure shows, no traffic leaves the machine.
  const started = await post(gw, '/siteadmin/images/pull', s.cookie, { repository: '127.0.0.1:9/portico/missing', tag: '1' }, hx);
  t.equal(started.status, 200);
  const id = /id="pull-([0-9a-f]{16})"/.exec(started.text)?.[1];
  t.ok(id, 'the pull is shown');
  t.match(started.text, /hx-swap-oob="afterbegin:#pulls"/, 'added on top of the pull list');
  t.match(started.text, /<form id="pull-form"/, 'a fresh form replaces the old one');
  const stream = await openStream(`${gw.base}/siteadmin/pulls/${id}/events`, { cookie: s.cookie });
  const done = await stream.next((e) => e.event === 'fragments', 20_000, 'pull outcome');
  t.match(JSON.parse(done.data)[`pull-${id}`], /pull-failed[\s\S]*class="error"/, 'failure with its reason');
  t.match(JSON.parse(done.data)[`pull-${id}`], /the registry refused the connection \(.*connection refused\)/, 'regression: the engine\'s reason, not "server error"');
  await stream.next((e) => e.event === 'end', 5000, 'end');
  const view = await page(gw, `/siteadmin/pulls/${id}`, s.cookie);
  t.match(view.text, /data-state="failed"/, 'the pull page (no JavaScript) shows the outcome');
  await waitFor(async () => /data-state="failed"/.test((await page(gw, '/siteadmin/docker', s.cookie)).text), 5000, 'listed');

  const plain = await post(gw, '/siteadmin/images/pull', s.cookie, { csrf_token: s.csrf, repository: '127.0.0.1:9/portico/other', tag: '2' });
  t.equal(plain.status, 303, 'without JavaScript: redirect to the pull page');
  t.match(plain.headers.get('location'), /^\/siteadmin\/pulls\/[0-9a-f]{16}$/);
});

t.test('in Chromium the filters apply as you type, and the list stays live', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Typing lab');
  const { token } = await gw.user('root', { admin: true, project, role: 'owner' });
  const uuids: string[] = [];
  for (const title of ['needle one', 'needle two', 'haystack']) {
    uuids.push((await gw.api('POST', `/containers/api/create/${project}`, token, { title, ...TEST_IMAGE })).body.sodar_uuid);
  }
  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, token);
  await b.page.goto(`${gw.base}/siteadmin`);
  t.equal(await b.page.$$eval('tr[id^="arow-"]', (r) => r.length), 3);
  await b.page.fill('#q', 'needle');
  await b.page.waitForFunction(() => document.querySelectorAll('tr[id^="arow-"]').length === 2);
  t.match(b.page.url(), /\/siteadmin\?q=needle/, 'the filter is in the URL');
  await b.page.waitForSelector('#admin-list[data-live="open"]');
  await gw.api('POST', `/containers/api/start/${uuids[0]}`, token);
  await b.page.waitForSelector(`#arow-${uuids[0]}[data-state="running"]`, { timeout: 20_000 });
  t.pass('the filtered list follows state changes');
  t.same(b.errors, [], 'no script errors');
});
