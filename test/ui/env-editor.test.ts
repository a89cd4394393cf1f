/**
 * env-editor.test.ts: the key/value editor of the environment in the container and template forms,
 * in Chromium: rows with add, remove and a secret toggle write the JSON and the secret keys the
 * server receives; a bad row is named before submitting and by the server; "Edit as JSON" shows
 * the textarea; without JavaScript the form keeps the JSON field.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';

t.test('environment rows in the container form: add, remove, secret toggle, row-named errors, JSON mode; no-JS keeps the JSON field', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('olga', { project, role: 'owner' });
  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, token);
  const p = b.page;
  await p.goto(`${gw.base}/projects/${project}/containers/create`);
  await p.waitForSelector('[data-env-editor] tr[data-env-row]');
  t.ok(await p.locator('textarea[name="environment"]').isHidden(), 'the JSON textarea gives way to the rows');
  t.ok(await p.locator('[name="environment_secret_keys"]').isHidden(), 'the secret keys field is kept by the toggles');
  await p.fill('[name="title"]', 'env app');
  await p.fill('[name="repository"]', TEST_IMAGE.repository);
  await p.fill('[name="tag"]', TEST_IMAGE.tag);
  await p.getByLabel('Name of variable 1').fill('DATASET');
  await p.getByLabel('Value of variable 1').fill('iris');
  await p.click('[data-env-add]');
  await p.getByLabel('Name of variable 2').fill('API_KEY');
  await p.getByLabel('Value of variable 2').fill('sekrit-123');
  await p.getByLabel('Variable 2 is secret').check();
  await p.click('[data-env-add]');
  await p.getByLabel('Name of variable 3').fill('2BAD');
  await p.getByLabel('Value of variable 3').fill('x');
  t.match(await p.locator('.env-errors').textContent(), /Row 3: "2BAD" is not a valid variable name/, 'the bad row is named');
  await p.click('.form-actions button[type="submit"]');
  t.match(p.url(), /\/containers\/create$/, 'not submitted while a row is bad');
  await p.getByLabel('Name of variable 3').fill('DATASET');
  t.match(await p.locator('.env-errors').textContent(), /Row 3: "DATASET" is already set in row 1/, 'a duplicate names both rows');
  await p.getByLabel('Remove variable 3').click();
  t.ok(await p.locator('.env-errors').isHidden(), 'no error once the row is gone');
  t.same(JSON.parse(await p.locator('textarea[name="environment"]').inputValue()), { DATASET: 'iris', API_KEY: 'sekrit-123' }, 'the rows are the JSON');
  t.equal(await p.locator('[name="environment_secret_keys"]').inputValue(), 'API_KEY', 'the toggle is the secret keys');

  // JSON mode and back: a non-string value survives as JSON.
  await p.click('[data-env-json]');
  t.ok(await p.locator('textarea[name="environment"]').isVisible());
  await p.fill('textarea[name="environment"]', '{"DATASET": "iris", "API_KEY": "sekrit-123", "WORKERS": 4}');
  await p.click('[data-env-rows]');
  t.equal(await p.getByLabel('Value of variable 3').inputValue(), '4');
  t.ok(await p.getByLabel('Variable 2 is secret').isChecked(), 'the secret toggle follows the secret keys field');
  await Promise.all([p.waitForURL(/\/containers\/[0-9a-f-]{36}/), p.click('.form-actions button[type="submit"]')]);
  const c = gw.core.store.containers.all().find((x) => x.title === 'env app')!;
  t.same(c.environment, { DATASET: 'iris', API_KEY: 'sekrit-123', WORKERS: 4 }, 'stored as typed');
  t.same(c.environmentSecretKeys, ['API_KEY']);
  t.same(b.errors, []);

  // The update form: the secret shows masked, and leaving it keeps the stored value.
  await p.goto(`${gw.base}/containers/${c.uuid}/update`);
  await p.waitForSelector('[data-env-editor] tr[data-env-row]');
  t.equal(await p.getByLabel('Value of variable 2').inputValue(), '<masked>');
  await p.getByLabel('Value of variable 1').fill('penguins');
  await Promise.all([p.waitForURL(new RegExp(`/containers/${c.uuid}(\\?|$)`)), p.click('.form-actions button[type="submit"]')]);
  t.same(gw.core.store.containers.byId(c.id)!.environment, { DATASET: 'penguins', API_KEY: 'sekrit-123', WORKERS: 4 }, 'the masked secret kept its value');

  // Without JavaScript: the JSON field, and the server names the bad row.
  const nojs = await launchBrowser({ javaScript: false });
  t.teardown(() => nojs.close());
  await loginWithToken(gw, nojs.context, token);
  const q = nojs.page;
  await q.goto(`${gw.base}/projects/${project}/containers/create`);
  t.equal(await q.locator('[data-env-editor]').count(), 0, 'no rows without JavaScript');
  t.ok(await q.locator('textarea[name="environment"]').isVisible(), 'the JSON field');
  await q.fill('[name="title"]', 'plain');
  await q.fill('[name="repository"]', TEST_IMAGE.repository);
  await q.fill('textarea[name="environment"]', '{"OK": "1", "NOT OK": "2"}');
  await q.click('.form-actions button[type="submit"]');
  t.match(await q.locator('.field-json .error').textContent(), /key "NOT OK" is not a valid variable name .*\(row 2\)/, 'the server names the row');
});

t.test('environment rows in the template form: secret toggle, values of secrets never stored', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const { token } = await gw.user('ada', { admin: true });
  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, token);
  const p = b.page;
  await p.goto(`${gw.base}/templates/create`);
  await p.waitForSelector('[data-env-editor] tr[data-env-row]');
  await p.fill('[name="title"]', 'With env');
  await p.getByLabel('Name of variable 1').fill('MODE');
  await p.getByLabel('Value of variable 1').fill('demo');
  await p.click('[data-env-add]');
  await p.getByLabel('Name of variable 2').fill('TOKEN');
  await p.getByLabel('Value of variable 2').fill('do-not-keep');
  await p.getByLabel('Variable 2 is secret').check();
  await Promise.all([p.waitForURL(/\/templates(\?|$)/), p.click('.form-actions button[type="submit"]')]);
  const tpl = gw.core.store.templates.site().find((x) => x.title === 'With env')!;
  t.same(tpl.settings.environment, { MODE: 'demo', TOKEN: '' }, 'the secret is a key without its value');
  t.same(tpl.settings.environmentSecretKeys, ['TOKEN']);
  t.same(b.errors, []);
});
