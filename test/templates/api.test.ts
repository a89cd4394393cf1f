/**
 * api.test.ts: container templates through the REST API: scopes and roles (site-wide: admins edit,
 * everyone views; project-wide: contributors edit, guests view, non-members 404), validation,
 * duplicate/copy naming, copy refused from a project the caller does not belong to (Kiosc never
 * checked), and a container keeping its settings when its template changes later.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';

t.test('template scopes, roles, duplicate and copy', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const p1 = gw.project('Alpha');
  const p2 = gw.project('Beta');
  const p3 = gw.project('Gamma');
  const admin = (await gw.user('root', { admin: true })).token;
  const owner3 = (await gw.user('olga', { project: p3, role: 'owner' })).token;
  const carol = await gw.user('carol', { project: p1, role: 'contributor' });
  gw.core.store.projects.setRole(gw.core.store.projects.byUuid(p2)!.id, carol.user.id, 'guest');
  const contrib = carol.token;
  const guest = (await gw.user('gus', { project: p1, role: 'guest' })).token;
  const outsider = (await gw.user('otto')).token;

  // Site-wide: only admins create, update, delete, duplicate; everyone logged in views.
  const site = await gw.api('POST', '/containers/api/templates/create/site', admin, { title: 'Nginx site', ...TEST_IMAGE, container_port: 8080 });
  t.equal(site.status, 201, 'admin creates a site-wide template');
  t.equal(site.body.scope, 'site');
  t.equal(site.body.project, null);
  t.equal((await gw.api('POST', '/containers/api/templates/create/site', contrib, { title: 'x' })).status, 403, 'contributor cannot create site-wide');
  t.equal((await gw.api('PATCH', `/containers/api/templates/update/${site.body.sodar_uuid}`, owner3, { tag: '2' })).status, 403, 'owner cannot update site-wide');
  t.equal((await gw.api('DELETE', `/containers/api/templates/delete/${site.body.sodar_uuid}`, contrib)).status, 403, 'contributor cannot delete site-wide');
  t.equal((await gw.api('POST', `/containers/api/templates/duplicate/${site.body.sodar_uuid}`, contrib)).status, 403, 'contributor cannot duplicate site-wide');
  for (const [who, token] of [['outsider', outsider], ['guest', guest]] as const) {
    const list = await gw.api('GET', '/containers/api/templates/site', token);
    t.equal(list.status, 200, `${who} lists site-wide templates`);
    t.same(list.body.results.map((r: { title: string }) => r.title), ['Nginx site']);
    t.equal((await gw.api('GET', `/containers/api/templates/detail/${site.body.sodar_uuid}`, token)).status, 200, `${who} views a site-wide template`);
  }
  t.equal((await gw.api('GET', '/containers/api/templates/site', null)).status, 401, 'anonymous: 401');

  // Project-wide: only the title is required; contributors create; guests view; non-members 404.
  const only = await gw.api('POST', `/containers/api/templates/create/${p1}`, contrib, { title: 'Only a title' });
  t.equal(only.status, 201, 'a template needs only a title');
  t.equal(only.body.repository, '', 'no image yet');
  t.equal(only.body.tag, 'latest');
  t.equal(only.body.container_port, 80);
  const missing = await gw.api('POST', `/containers/api/templates/create/${p1}`, contrib, { repository: 'nginx', container_port: 70000 });
  t.equal(missing.status, 400);
  t.equal(missing.body.code, 'E_VALIDATION');
  t.same(Object.keys(missing.body.fields).sort(), ['container_port', 'title'], 'every bad field is named, title included');
  const badRepo = await gw.api('POST', `/containers/api/templates/create/${p1}`, contrib, { title: 'bad', repository: 'Not An Image' });
  t.ok(badRepo.body.fields?.repository, 'repository is checked like a container\'s');
  const shiny = await gw.api('POST', `/containers/api/templates/create/${p1}`, contrib, {
    title: 'Shiny', ...TEST_IMAGE, container_port: 8080, command: 'httpd -f -p 8080',
    environment: { dataset: 'iris', API_KEY: 's3cret' }, environment_secret_keys: 'API_KEY',
  });
  t.equal(shiny.status, 201);
  t.same(shiny.body.environment, { dataset: 'iris', API_KEY: '' }, 'secret values are never stored in a template');
  t.equal(shiny.body.environment_secret_keys, 'API_KEY', 'the secret key itself is kept');
  const dup = await gw.api('POST', `/containers/api/templates/create/${p1}`, contrib, { title: 'Shiny' });
  t.equal(dup.status, 400);
  t.equal(dup.body.code, 'E_DUPLICATE_TITLE', 'title unique per project');
  t.equal((await gw.api('POST', `/containers/api/templates/create/${p2}`, owner3, { title: 'Shiny' })).status, 404, 'non-member cannot create (404)');
  const sameTitleOtherScope = await gw.api('POST', `/containers/api/templates/create/site`, admin, { title: 'Shiny' });
  t.equal(sameTitleOtherScope.status, 201, 'the same title in another scope is fine');
  t.equal((await gw.api('POST', `/containers/api/templates/create/${p1}`, guest, { title: 'g' })).status, 403, 'guest cannot create');
  const guestList = await gw.api('GET', `/containers/api/templates/${p1}`, guest);
  t.equal(guestList.status, 200, 'guest lists project templates');
  t.same(guestList.body.results.map((r: { title: string }) => r.title), ['Only a title', 'Shiny']);
  const outList = await gw.api('GET', `/containers/api/templates/${p1}`, outsider);
  t.equal(outList.status, 404);
  t.equal(outList.body.code, 'E_PROJECT_NOT_FOUND', 'non-member: project not found');
  const outDetail = await gw.api('GET', `/containers/api/templates/detail/${shiny.body.sodar_uuid}`, outsider);
  t.equal(outDetail.status, 404);
  t.equal(outDetail.body.code, 'E_TEMPLATE_NOT_FOUND', 'non-member: template not found');
  t.equal((await gw.api('PATCH', `/containers/api/templates/update/${shiny.body.sodar_uuid}`, guest, { tag: '2' })).status, 403, 'guest cannot update');
  t.equal((await gw.api('GET', `/containers/api/templates/detail/${shiny.body.sodar_uuid}`, admin)).status, 200, 'site admin sees every project template');

  // Duplicate: "<title> (Duplicate)", uniquified.
  const d1 = await gw.api('POST', `/containers/api/templates/duplicate/${shiny.body.sodar_uuid}`, contrib);
  t.equal(d1.status, 201);
  t.equal(d1.body.title, 'Shiny (Duplicate)');
  t.equal(d1.body.project, p1, 'duplicate stays in its project');
  t.equal(d1.body.command, 'httpd -f -p 8080', 'settings duplicated');
  const d2 = await gw.api('POST', `/containers/api/templates/duplicate/${shiny.body.sodar_uuid}`, contrib);
  t.equal(d2.body.title, 'Shiny (Duplicate 2)', 'a taken duplicate title is numbered');
  const ds = await gw.api('POST', `/containers/api/templates/duplicate/${site.body.sodar_uuid}`, admin);
  t.equal(ds.body.title, 'Nginx site (Duplicate)');
  t.equal(ds.body.scope, 'site', 'a site-wide duplicate stays site-wide');

  // Copy into a project from a site-wide template or a template of another project the caller belongs to.
  const beta = await gw.api('POST', `/containers/api/templates/create/${p2}`, admin, { title: 'Beta app', ...TEST_IMAGE });
  const c1 = await gw.api('POST', `/containers/api/templates/copy/${p1}`, contrib, { template: site.body.sodar_uuid });
  t.equal(c1.status, 201);
  t.equal(c1.body.title, 'Nginx site (Copy)');
  t.equal(c1.body.project, p1);
  t.equal(c1.body.container_port, 8080);
  const c2 = await gw.api('POST', `/containers/api/templates/copy/${p1}`, contrib, { template: beta.body.sodar_uuid });
  t.equal(c2.status, 201, 'copy from a project where the caller is only a guest');
  t.equal(c2.body.title, 'Beta app (Copy)');
  const c3 = await gw.api('POST', `/containers/api/templates/copy/${p1}`, contrib, { template: beta.body.sodar_uuid });
  t.equal(c3.body.title, 'Beta app (Copy 2)', 'a taken copy title is numbered');
  const gamma = await gw.api('POST', `/containers/api/templates/create/${p3}`, owner3, { title: 'Gamma secret app', ...TEST_IMAGE });
  const before = (await gw.api('GET', `/containers/api/templates/${p1}`, contrib)).body.count;
  const refused = await gw.api('POST', `/containers/api/templates/copy/${p1}`, contrib, { template: gamma.body.sodar_uuid });
  t.equal(refused.status, 404, 'copy from a project the caller does not belong to is refused');
  t.equal(refused.body.code, 'E_TEMPLATE_NOT_FOUND', 'and does not reveal that the template exists');
  t.equal((await gw.api('GET', `/containers/api/templates/${p1}`, contrib)).body.count, before, 'nothing was copied');
  t.equal((await gw.api('POST', `/containers/api/templates/copy/${p2}`, contrib, { template: site.body.sodar_uuid })).status, 403, 'a guest cannot copy into a project');
  t.equal((await gw.api('POST', `/containers/api/templates/copy/${p1}`, contrib, {})).status, 400, 'copy needs a template');
  t.equal((await gw.api('POST', `/containers/api/templates/copy/site`, admin, { template: shiny.body.sodar_uuid })).status, 400, 'copy targets a project');

  // Update, and delete.
  const upd = await gw.api('PATCH', `/containers/api/templates/update/${d2.body.sodar_uuid}`, contrib, { title: 'Renamed', tag: '2' });
  t.equal(upd.status, 200);
  t.equal(upd.body.title, 'Renamed');
  t.equal(upd.body.tag, '2');
  t.equal(upd.body.repository, TEST_IMAGE.repository, 'a partial update keeps the other fields');
  t.equal((await gw.api('PATCH', `/containers/api/templates/update/${d2.body.sodar_uuid}`, contrib, { title: 'Shiny' })).body.code, 'E_DUPLICATE_TITLE');
  t.equal((await gw.api('PATCH', `/containers/api/templates/update/${d2.body.sodar_uuid}`, contrib, { title: '' })).status, 400, 'the title cannot be emptied');
  t.equal((await gw.api('DELETE', `/containers/api/templates/delete/${d2.body.sodar_uuid}`, guest)).status, 403, 'guest cannot delete');
  t.equal((await gw.api('DELETE', `/containers/api/templates/delete/${d2.body.sodar_uuid}`, contrib)).status, 204);
  t.equal((await gw.api('GET', `/containers/api/templates/detail/${d2.body.sodar_uuid}`, contrib)).status, 404);
  t.equal((await gw.api('GET', `/containers/api/templates/detail/not-a-uuid`, contrib)).status, 404);
});

t.test('a container remembers its template; later template edits do not change it', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const p = gw.project();
  const { token } = await gw.user('carl', { project: p, role: 'contributor' });
  const tpl = await gw.api('POST', `/containers/api/templates/create/${p}`, token, { title: 'Base', ...TEST_IMAGE, command: 'httpd -f -p 80 -h /www' });
  const c = await gw.api('POST', `/containers/api/create/${p}`, token, {
    title: 'From template', repository: tpl.body.repository, tag: tpl.body.tag, command: tpl.body.command,
    containertemplateproject: tpl.body.sodar_uuid,
  });
  t.equal(c.status, 201);
  t.equal(c.body.containertemplateproject, tpl.body.sodar_uuid, 'container records its template');
  await gw.api('PATCH', `/containers/api/templates/update/${tpl.body.sodar_uuid}`, token, { command: 'sleep 1', tag: 'other' });
  const after = await gw.api('GET', `/containers/api/detail/${c.body.sodar_uuid}`, token);
  t.equal(after.body.command, 'httpd -f -p 80 -h /www', 'template edit did not reach the container');
  t.equal(after.body.tag, '1');
  await gw.api('DELETE', `/containers/api/templates/delete/${tpl.body.sodar_uuid}`, token);
  const afterDelete = await gw.api('GET', `/containers/api/detail/${c.body.sodar_uuid}`, token);
  t.equal(afterDelete.status, 200, 'deleting the template leaves the container');
  t.equal(afterDelete.body.containertemplateproject, tpl.body.sodar_uuid, 'origin kept as a record');
  const renamed = await gw.api('PATCH', `/containers/api/update/${c.body.sodar_uuid}`, token, { title: 'Renamed' });
  t.equal(renamed.status, 200, 'an unrelated change is fine although the recorded template is gone');

  // References to templates that do not exist (or are not this project's) are refused.
  const ghost = '00000000-0000-4000-8000-000000000000';
  const other = gw.project();
  const { token: otherToken } = await gw.user('olga', { project: other, role: 'contributor' });
  const foreign = await gw.api('POST', `/containers/api/templates/create/${other}`, otherToken, { title: 'Theirs', ...TEST_IMAGE });
  const cases: Array<[string, Record<string, string>, string]> = [
    ['an unknown project template', { containertemplateproject: ghost }, 'containertemplateproject'],
    ["another project's template", { containertemplateproject: foreign.body.sodar_uuid }, 'containertemplateproject'],
    ['an unknown site template', { containertemplatesite: ghost }, 'containertemplatesite'],
    ['a project template given as a site template', { containertemplatesite: foreign.body.sodar_uuid }, 'containertemplatesite'],
  ];
  for (const [what, ref, field] of cases) {
    const r = await gw.api('POST', `/containers/api/create/${p}`, token, { title: 'x-' + field + Math.random(), ...TEST_IMAGE, ...ref });
    t.equal(r.status, 400, `create with ${what}: 400`);
    t.equal(r.body.code, 'E_VALIDATION');
    t.ok(r.body.fields?.[field], `the field ${field} says why`);
    const u = await gw.api('PATCH', `/containers/api/update/${c.body.sodar_uuid}`, token, ref);
    t.equal(u.status, 400, `update to ${what}: 400`);
  }
});

t.test('cookie sessions need the CSRF token to change templates', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const p = gw.project();
  const { token } = await gw.user('cora', { project: p, role: 'owner' });
  const login = await fetch(`${gw.base}/api/session`, { method: 'POST', headers: { authorization: `token ${token}` } });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const { csrf_token: csrf } = await login.json() as { csrf_token: string };
  const no = await gw.api('POST', `/containers/api/templates/create/${p}`, null, { title: 'x' }, { cookie });
  t.equal(no.status, 403);
  t.equal(no.body.code, 'E_CSRF');
  const yes = await gw.api('POST', `/containers/api/templates/create/${p}`, null, { title: 'x' }, { cookie, 'x-csrf-token': csrf });
  t.equal(yes.status, 201);
});
