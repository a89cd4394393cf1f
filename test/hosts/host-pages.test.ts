/**
 * host-pages.test.ts: container hosts in the UI beyond the built-in one (issue 17 leftovers). A
 * private dockerd (its unix:// socket) is added as host `second`; the gateway's built-in host is
 * the shared engine.
 * - The template form and the container create form have a host select for site admins: an
 *   unknown host is a field error (400, nothing stored), others naming one get the API's 403, and a
 *   container made from a template through the form runs on the template's host.
 * - The site-admin Docker pages take `?host=`: images (delete, prune), data volumes, pulls,
 *   engine containers and nodes of that host's engine, each action on it; an unknown host is a 404
 *   that says so; site admins only; CSRF checked.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startGateway, waitFor, TEST_IMAGE, TEST_NETWORK } from '../helpers/gateway.ts';
import { startPrivateDockerd } from '../helpers/private-dockerd.ts';
import { page, post, session } from '../helpers/ui-http.ts';
import { pushImage, startRegistry } from '../helpers/registry.ts';

const USER = { username: 'robot', password: 'robot-password-1' };

t.test('hosts in the template and container forms, and the site-admin Docker pages per host', async (t) => {
  const reg = await startRegistry([USER]);
  t.teardown(() => reg.stop());
  const pulled = `${reg.address}/pt/pulled`;
  pushImage(reg, `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`, `${pulled}:1`, USER);
  pushImage(reg, `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`, `${pulled}:2`, USER);

  // The label tells this engine's node from the shared one's (same machine name, same engine ID).
  const pd = await startPrivateDockerd({ images: [`${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`], network: TEST_NETWORK, extraArgs: ['--label', 'portico.test=second-engine'] });
  t.teardown(() => pd.destroy());
  const idOf = (ref: string) => pd.docker(`image inspect --format '{{.Id}}' ${ref}`).trim();
  // Images of that engine only: two commits to one tag leave the first dangling; one more is tagged and unused.
  pd.docker('create --name base portico-test/httpd:1 true');
  pd.docker('commit -m one base pt-dangle:1');
  const dangling = idOf('pt-dangle:1');
  pd.docker('commit -m two base pt-dangle:1');
  pd.docker('commit -m three base pt-unused:1');
  pd.docker('rm base');
  pd.docker('create --name foreign portico-test/httpd:1 true');

  const gw = await startGateway({ PORTICO_SCHEDULE_SYNC: 'off' });
  t.teardown(() => gw.close());
  const project = gw.project('Hosts UI');
  const { token: admin } = await gw.user('ada', { admin: true });
  const { token: owner } = await gw.user('olga', { project, role: 'owner' });
  const added = await gw.api('POST', '/containers/api/hosts', admin, { name: 'second', url: pd.host });
  t.equal(added.status, 201, `host added: ${JSON.stringify(added.body)}`);
  const secondId = added.body.id;
  await waitFor(async () => (await gw.api('GET', '/containers/api/hosts/second', admin)).body.status.engine === 'up', 15_000, 'second up');
  const ih = await gw.api('POST', '/containers/api/image-hosts', admin, { name: 'lab', address: reg.address, username: USER.username, password: USER.password, ca_cert: reg.caCert });
  t.equal(ih.status, 201, `image host added: ${JSON.stringify(ih.body)}`);

  const a = await session(gw, admin);
  const o = await session(gw, owner);

  await t.test('the template form: a host select for site admins, the same rules as the API', async (t) => {
    const form = await page(gw, '/templates/create', a.cookie);
    t.equal(form.status, 200);
    t.match(form.text, /<select id="f-host" name="host"[^>]*><option value="" selected>The default host at each creation \(now local\)<\/option><option value="local">local \(default\)<\/option><option value="second">second<\/option><\/select>/, 'a site admin picks the host; none chosen by default');
    const own = await page(gw, `/projects/${project}/templates/create`, o.cookie);
    t.equal(own.status, 200);
    t.notMatch(own.text, /name="host"/, 'a project owner gets no host select');

    const siteCount = () => gw.core.store.templates.site().length;
    const before = siteCount();
    let r = await post(gw, '/templates/create', a.cookie, { csrf_token: a.csrf, title: 'Bad host', ...TEST_IMAGE, container_port: '80', host: 'nowhere' });
    t.equal(r.status, 400, 'an unknown host is a 400');
    t.match(r.text, /<p class="error" id="e-host">Container host: no container host named &quot;nowhere&quot;<\/p>/, 'said at the field');
    t.match(r.text, /<a href="#f-host">host<\/a>/, 'and linked from the summary');
    t.equal(siteCount(), before, 'nothing was stored');
    r = await post(gw, `/projects/${project}/templates/create`, o.cookie, { csrf_token: o.csrf, title: 'Mine', ...TEST_IMAGE, container_port: '80', host: 'second' });
    t.equal(r.status, 403, 'a project owner naming a host: 403, as in the API');
    t.equal(gw.core.store.templates.ofProject(gw.core.store.projects.byUuid(project)!.id).length, 0, 'nothing was stored');
    r = await post(gw, '/templates/create', a.cookie, { title: 'No token', ...TEST_IMAGE, container_port: '80', host: 'second' });
    t.equal(r.status, 403, 'CSRF checked');

    r = await post(gw, '/templates/create', a.cookie, { csrf_token: a.csrf, title: 'On second', ...TEST_IMAGE, container_port: '80', host: 'second' });
    t.equal(r.status, 303, 'created');
    const uuid = new URL(r.headers.get('location')!, gw.base).searchParams.get('t')!;
    t.equal((await gw.api('GET', `/containers/api/templates/detail/${uuid}`, admin)).body.host_id, secondId, 'the template names the host, as the API shows');
    t.match((await page(gw, `/templates/${uuid}`, a.cookie)).text, /<dt>Container host<\/dt><dd>second<\/dd>/, 'its page says so');
    t.match((await page(gw, `/templates/${uuid}/update`, a.cookie)).text, /<option value="second" selected>second<\/option>/, 'the edit form shows it chosen');
    r = await post(gw, `/templates/${uuid}/update`, a.cookie, { csrf_token: a.csrf, title: 'On second', ...TEST_IMAGE, container_port: '80', host: 'nowhere' });
    t.equal(r.status, 400, 'an unknown host on edit: 400');
    t.equal((await gw.api('GET', `/containers/api/templates/detail/${uuid}`, admin)).body.host_id, secondId, 'the stored host stays');
    r = await post(gw, `/templates/${uuid}/update`, a.cookie, { csrf_token: a.csrf, title: 'On second', ...TEST_IMAGE, container_port: '80', host: '' });
    t.equal(r.status, 303);
    t.equal((await gw.api('GET', `/containers/api/templates/detail/${uuid}`, admin)).body.host_id, null, '"" clears it (the default at each creation), as null does in the API');
    r = await post(gw, `/templates/${uuid}/update`, a.cookie, { csrf_token: a.csrf, title: 'On second', ...TEST_IMAGE, container_port: '80', host: 'second' });
    t.equal((await gw.api('GET', `/containers/api/templates/detail/${uuid}`, admin)).body.host_id, secondId, 'and it is set again');
  });

  await t.test('the container form: the host select; from a template the template\'s host wins unless one is chosen', async (t) => {
    const tpl = gw.core.store.templates.site().find((x) => x.title === 'On second')!;
    const pre = await page(gw, `/projects/${project}/containers/create?template=${tpl.uuid}`, a.cookie);
    t.match(pre.text, /<option value="second" selected>second<\/option>/, 'pre-filled from the template: its host is chosen');
    const fields = { csrf_token: a.csrf, title: 'From template', ...TEST_IMAGE, container_port: '80', containertemplatesite: tpl.uuid };
    // Bug guarded: the select had no empty option, so the form always sent the default host and a
    // container made from a template through the form (the picker fills the fields in the page)
    // ran on the default host, not the template's. Send what the plain form has selected.
    const plain = await page(gw, `/projects/${project}/containers/create`, a.cookie);
    const selected = /<select id="f-host"[^]*?<option value="([^"]*)" selected>/.exec(plain.text)?.[1];
    t.equal(selected, '', 'the plain form selects no host');
    let r = await post(gw, `/projects/${project}/containers/create`, a.cookie, { ...fields, host: selected ?? 'missing' });
    t.equal(r.status, 303, 'created');
    const made = gw.core.store.containers.byUuid(r.headers.get('location')!.split('/')[2].split('?')[0])!;
    t.equal(made.hostId, secondId, 'no host chosen: the template\'s host');
    r = await post(gw, `/projects/${project}/containers/create`, a.cookie, { ...fields, title: 'Chosen', host: 'local' });
    t.equal(gw.core.store.containers.byUuid(r.headers.get('location')!.split('/')[2].split('?')[0])!.hostId, null, 'a site admin\'s choice wins');
    r = await post(gw, `/projects/${project}/containers/create`, a.cookie, { ...fields, title: 'Nowhere', host: 'nowhere' });
    t.equal(r.status, 400, 'an unknown host: 400');
    t.match(r.text, /<li><a href="#f-host">Container host<\/a>: no container host named &quot;nowhere&quot;<\/li>/, 'linked from the summary');
    t.match(r.text, /<p class="error" id="e-host">Container host: no container host named &quot;nowhere&quot;<\/p>/, 'and said at the field');
    t.notOk(gw.core.store.containers.all().some((c) => c.title === 'Nowhere'), 'nothing was stored');
    t.notMatch((await page(gw, `/projects/${project}/containers/create?template=${tpl.uuid}`, o.cookie)).text, /name="host"/, 'a project owner gets no select');
    r = await post(gw, `/projects/${project}/containers/create`, o.cookie, { ...fields, csrf_token: o.csrf, title: 'Owner', host: 'local' });
    t.equal(r.status, 403, 'a project owner naming another host than the template\'s: 403, as in the API');
    t.notOk(gw.core.store.containers.all().some((c) => c.title === 'Owner'), 'nothing was stored');
  });

  await t.test('the site-admin Docker pages act on the chosen host', async (t) => {
    t.equal((await page(gw, '/siteadmin/docker?host=second', o.cookie)).status, 403, 'site admins only');
    const unknown = await page(gw, '/siteadmin/docker?host=nowhere', a.cookie);
    t.equal(unknown.status, 404, 'an unknown host: 404');
    t.match(unknown.text, /no container host named &quot;nowhere&quot;/, 'that says which');
    t.equal((await page(gw, '/siteadmin/nodes?host=nowhere', a.cookie)).status, 404);
    t.equal((await post(gw, '/siteadmin/images/prune?host=nowhere', a.cookie, { csrf_token: a.csrf })).status, 404);

    const local = await page(gw, '/siteadmin/docker', a.cookie);
    t.match(local.text, /<select id="host-pick" name="host"><option value="local" selected>local \(built-in\)<\/option><option value="second">second<\/option><\/select>/, 'the built-in host by default, with a select');
    t.notMatch(local.text, /pt-unused:1/, 'the built-in host\'s images do not include the other engine\'s');
    const docker = await page(gw, '/siteadmin/docker?host=second', a.cookie);
    t.equal(docker.status, 200);
    t.match(docker.text, /<option value="second" selected>second<\/option>/, 'the chosen host is selected');
    t.match(docker.text, /href="\/siteadmin\/engine\?host=second"/, 'the tabs keep the host');
    t.match(docker.text, /action="\/siteadmin\/images\/pull\?host=second"/, 'so does the pull form');
    t.match(docker.text, /href="\/siteadmin\/images\/prune\?host=second"/, 'and the prune link');
    const row = (html: string, tag: string) => new RegExp(`<tr data-image="[0-9a-f]{12}">(?:(?!</tr>).)*<code class="image">${tag}</code>(?:(?!</tr>).)*</tr>`, 's').exec(html)?.[0] ?? '';
    t.match(row(docker.text, 'pt-unused:1'), /href="\/siteadmin\/images\/[0-9a-f]{12}\/delete\?host=second">Delete…/, 'that engine\'s unused image, its delete on that host');
    t.match(row(docker.text, 'portico-test/httpd:1'), /Docker container <code>foreign<\/code>/, 'used by: that engine\'s foreign container');
    t.match(row(docker.text, 'portico-test/httpd:1'), /From template/, 'and the container recorded on that host');
    t.notMatch(row(docker.text, 'portico-test/httpd:1'), />Chosen</, 'but not one on the built-in host');

    const short = idOf('pt-unused:1').slice(7, 19);
    const confirm = await page(gw, `/siteadmin/images/${short}/delete?host=second`, a.cookie);
    t.match(confirm.text, /action="\/siteadmin\/images\/[0-9a-f]{12}\/delete\?host=second"/, 'the confirmation posts to that host');
    t.equal((await post(gw, `/siteadmin/images/${short}/delete?host=second`, a.cookie, {})).status, 403, 'CSRF checked');
    const del = await post(gw, `/siteadmin/images/${short}/delete?host=second`, a.cookie, { csrf_token: a.csrf });
    t.equal(del.status, 200, 'deleted');
    t.match(del.text, /Deleted image pt-unused:1 \([0-9.]+ MB\) on second\./);
    t.throws(() => pd.docker('image inspect pt-unused:1'), 'gone from that engine');

    const preview = await page(gw, '/siteadmin/images/prune?host=second', a.cookie);
    t.match(preview.text, new RegExp(dangling.slice(7, 19)), 'the prune preview lists that engine\'s dangling image');
    const pruned = await post(gw, '/siteadmin/images/prune?host=second', a.cookie, { csrf_token: a.csrf });
    t.equal(pruned.status, 200);
    t.match(pruned.text, /Removed 1 dangling image\(s\) on second/);
    t.throws(() => pd.docker(`image inspect ${dangling}`), 'the dangling image is gone from that engine');

    // A pull goes to that host's engine (with the image host's credentials), not the built-in one.
    const started = await post(gw, '/siteadmin/images/pull?host=second', a.cookie, { csrf_token: a.csrf, repository: 'pt/pulled', tag: '1', registry: 'lab' });
    t.equal(started.status, 303);
    const pullPath = started.headers.get('location')!;
    t.match(pullPath, /^\/siteadmin\/pulls\/[0-9a-f]+\?host=second$/);
    await waitFor(async () => /data-state="done"/.test((await page(gw, pullPath, a.cookie)).text), 30_000, 'pull done');
    t.match((await page(gw, pullPath, a.cookie)).text, /<code>127\.0\.0\.1:\d+\/pt\/pulled:1<\/code> <span class="muted">on second<\/span>/, 'the pull says where');
    t.match(pd.docker(`image inspect --format '{{.Id}}' ${pulled}:1`), /^sha256:/, 'the image is on that engine');
    t.throws(() => execFileSync('docker', ['image', 'inspect', `${pulled}:1`], { stdio: 'ignore' }), 'and not on the built-in one');

    // Engine containers: the lookalike labelled with a built-in record's uuid is an orphan here.
    const chosen = gw.core.store.containers.all().find((c) => c.title === 'Chosen')!;
    pd.docker(`create --name lookalike --label portico.managed=true --label portico.instance=${gw.instance} --label portico.container=${chosen.uuid} portico-test/httpd:1 true`);
    const engine = await page(gw, '/siteadmin/engine?host=second', a.cookie);
    t.match(engine.text, /<tr class="" data-name="foreign">/, 'that engine\'s foreign container');
    t.match(engine.text, /data-name="lookalike">(?:(?!<\/tr>).)*orphan: labelled for this instance/s, 'a container whose record is on another host is an orphan here');
    t.notMatch((await page(gw, '/siteadmin/engine', a.cookie)).text, /data-name="foreign"/, 'the built-in host\'s list has neither');

    const nodes = await page(gw, '/siteadmin/nodes?host=second', a.cookie);
    t.equal(nodes.status, 200);
    t.match(nodes.text, /The Docker engine of container host second: one node/);
    t.match(nodes.text, /<tr data-node="[^"]+"><td>[^<]*<span class="muted">\(this connection\)<\/span><br><small class="muted">portico\.test=second-engine<\/small>/, 'that engine is the node listed');
    t.notMatch((await page(gw, '/siteadmin/nodes', a.cookie)).text, /second-engine/, 'not on the built-in host\'s page');
  });

  await t.test('the REST API\'s engine-wide endpoints take ?host= too', async (t) => {
    let r = await gw.api('GET', '/containers/api/nodes?host=nowhere', admin);
    t.equal(r.status, 404, 'an unknown host: 404');
    t.equal(r.body.code, 'E_HOST_NOT_FOUND');
    t.match(r.body.error ?? r.body.detail, /no container host named "nowhere"/);
    t.equal((await gw.api('GET', '/containers/api/images?host=second', owner)).status, 403, 'site admins only');
    r = await gw.api('GET', '/containers/api/nodes?host=second', admin);
    t.equal(r.status, 200);
    t.same([r.body.mode, r.body.host, r.body.nodes.length, r.body.nodes[0].labels['portico.test']], ['engine', 'second', 1, 'second-engine'], 'that engine\'s node');
    t.notOk((await gw.api('GET', '/containers/api/nodes', admin)).body.nodes.some((n: { labels: Record<string, string> }) => n.labels['portico.test']), 'not the built-in host\'s');
    r = await gw.api('GET', '/containers/api/images?host=second', admin);
    const httpd = r.body.find((i: { tags: string[] }) => i.tags.includes('portico-test/httpd:1'));
    const uuids = (title: string) => gw.core.store.containers.all().filter((c) => c.title === title).map((c) => c.uuid);
    t.same(httpd.containers, uuids('From template'), 'an image\'s containers are those recorded on that host');
    t.ok(r.body.some((i: { tags: string[] }) => i.tags.includes(`${pulled}:1`)), 'the image pulled there is listed');
    const res = await fetch(`${gw.base}/containers/api/images/pull?host=second`, {
      method: 'POST', headers: { authorization: `token ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ image: `${pulled}:2` }),
    });
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    t.equal(lines.at(-1).status, 'done', `the API pull to that host: ${JSON.stringify(lines.at(-1))}`);
    t.match(pd.docker(`image inspect --format '{{.Id}}' ${pulled}:2`), /^sha256:/, 'the image is on that engine');
    t.throws(() => execFileSync('docker', ['image', 'inspect', `${pulled}:2`], { stdio: 'ignore' }), 'and not on the built-in one');
  });

  await t.test('data volumes of a host: listed and removed on its engine', async (t) => {
    const c = await gw.api('POST', `/containers/api/create/${project}`, admin, { title: 'With data', ...TEST_IMAGE, container_port: 80, data_path: '/data', host: 'second' });
    t.equal(c.status, 201);
    const uuid = c.body.sodar_uuid;
    let r = await gw.api('POST', `/containers/api/start/${uuid}`, admin);
    t.ok(r.status < 300, `start: ${r.status}`);
    await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${uuid}`, admin)).body.state === 'running', 30_000, 'running on second');
    const vol = `portico-${gw.instance}-${uuid}`;
    t.match(pd.docker(`volume inspect --format '{{.Name}}' ${vol}`), new RegExp(vol), 'its volume is on that engine');
    const docker = await page(gw, '/siteadmin/docker?host=second', a.cookie);
    t.match(docker.text, new RegExp(`href="/siteadmin/volumes/${vol}/remove\\?host=second"`), 'listed with a remove link to that host');
    t.notMatch((await page(gw, '/siteadmin/docker', a.cookie)).text, new RegExp(vol), 'not on the built-in host\'s page');
    t.ok((await gw.api('GET', '/containers/api/volumes?host=second', admin)).body.some((v: { name: string }) => v.name === vol), 'the API lists it on that host');
    t.notOk((await gw.api('GET', '/containers/api/volumes', admin)).body.some((v: { name: string }) => v.name === vol), 'and not on the built-in one');
    r = await gw.api('POST', `/containers/api/stop/${uuid}`, admin);
    await waitFor(async () => (await gw.api('GET', `/containers/api/detail/${uuid}`, admin)).body.state === 'exited', 30_000, 'stopped');
    t.equal((await page(gw, `/siteadmin/volumes/${vol}/remove`, a.cookie)).status, 404, 'the built-in host has no such volume');
    const gone = await post(gw, `/siteadmin/volumes/${vol}/remove?host=second`, a.cookie, { csrf_token: a.csrf });
    t.equal(gone.status, 303);
    t.equal(gone.headers.get('location'), '/siteadmin/docker?host=second#data-volumes', 'back to that host\'s page');
    t.throws(() => pd.docker(`volume inspect ${vol}`), 'removed from that engine');
  });
});
