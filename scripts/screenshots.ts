/**
 * screenshots.ts: takes the README's screenshots of the main pages (docs/screenshots/*.png) with
 * Debian's Chromium, against a test gateway on the real Docker engine with a small demo project.
 * Usage: node scripts/screenshots.ts [outdir=docs/screenshots]
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startGateway, TEST_IMAGE } from '../test/helpers/gateway.ts';
import { launchBrowser, loginWithToken } from '../test/helpers/browser.ts';

const out = path.resolve(process.argv[2] ?? 'docs/screenshots');
fs.mkdirSync(out, { recursive: true });

const gw = await startGateway();
try {
  const project = gw.project('Single-cell atlas');
  gw.project('RNA-seq results');
  gw.project('Proteomics pilot');
  const { user, token } = await gw.user('alice', { project, role: 'owner', admin: true });
  for (const p of gw.core.store.projects.all()) gw.core.store.projects.setRole(p.id, user.id, p.uuid === project ? 'owner' : 'contributor');
  await gw.user('bob', { project, role: 'contributor' });
  await gw.user('carol', { project, role: 'guest' });
  await gw.api('POST', '/containers/api/templates/create/' + project, token, { title: 'Shiny app', ...TEST_IMAGE, container_port: 3838 });
  await gw.api('PUT', `/containers/api/files/upload/${project}/counts.csv`, token, 'gene,count\nACTB,12\n', { 'content-type': 'text/plain' });
  for (const name of ['laptop', 'CI pipeline']) gw.core.store.users.createToken(user.id, name, `unused-${name}`, 'ptc_ab', null);
  const create = async (body: Record<string, unknown>) => (await gw.api('POST', `/containers/api/create/${project}`, token, body)).body.sodar_uuid as string;

  const shiny = await create({ title: 'Shiny iris explorer', description: 'Interactive scatter plots of the iris data set.', ...TEST_IMAGE,
    environment: { title: 'Kiosc Shiny App example', dataset: 'iris', API_KEY: 'not-for-your-eyes' }, environment_secret_keys: 'API_KEY' });
  const cellxgene = await create({ title: 'cellxgene pbmc3k', description: 'PBMC 3k cells, clustered.', ...TEST_IMAGE,
    command: 'httpd -f -p 80 -h /www', container_port: 80 });
  await create({ title: 'ScElvis', description: 'Single-cell exploration (Dash).', repository: 'ghcr.io/bihealth/scelvis', tag: 'v0.8.6', container_port: 8050,
    environment: { SCELVIS_URL_PREFIX: '__KIOSC_URL_PREFIX__' }, command: 'scelvis run' });
  const broken = await create({ title: 'Dash example', description: 'Its registry cannot be reached.', repository: '127.0.0.1:9/bihealth/kiosc-example-dash', tag: 'main-0', container_port: 8050 });
  await gw.api('POST', `/containers/api/start/${shiny}`, token);
  const cx = await gw.api('POST', `/containers/api/start/${cellxgene}`, token);
  await gw.api('POST', `/containers/api/start/${broken}`, token);
  // Stopped behind Portico's back: the list shows the bell (last action start, state exited).
  execFileSync('docker', ['kill', cx.body.container_id], { stdio: 'ignore' });
  // A few visits through the proxy, so the log shows its access line.
  for (let i = 0; i < 3; i++) await gw.api('GET', `/containers/proxy/${shiny}/`, token);
  gw.core.accessRecorder.flush({ log: true });
  // A month of uptime samples (every 10 minutes here; the gateway samples every minute): up, with
  // a night off a week ago and a short outage yesterday.
  const shinyId = gw.core.store.containers.byUuid(shiny)!.id;
  const now = Date.now();
  for (let m = 10; m < 30 * 1440; m += 10) {
    const down = (m > 7 * 1440 && m < 7 * 1440 + 600) || (m > 1440 && m < 1440 + 90);
    gw.core.store.uptime.record(new Date(now - m * 60_000).toISOString(), [{ containerId: shinyId, state: down ? 'exited' : 'running' }]);
  }
  await new Promise((r) => setTimeout(r, 1500));

  const shoot = async (name: string, url: string, viewport: { width: number; height: number }, prepare?: (p: import('playwright-core').Page) => Promise<void>, fullPage = false) => {
    const b = await launchBrowser({ viewport });
    try {
      await loginWithToken(gw, b.context, token);
      await b.page.goto(gw.base + url);
      await b.page.waitForTimeout(400);
      if (prepare) await prepare(b.page);
      await b.page.screenshot({ path: path.join(out, `${name}.png`), fullPage });
      console.log(`${name}.png  ${url}`);
    } finally {
      await b.close();
    }
  };
  const laptop = { width: 1280, height: 800 };
  const phone = { width: 390, height: 844 };
  await shoot('projects', '/', laptop);
  await shoot('containers', `/projects/${project}/containers`, laptop, async (p) => { await p.click(`#row-${shiny} summary`); });
  await shoot('container-detail', `/containers/${shiny}`, { width: 1280, height: 1000 }, async (p) => { await p.waitForSelector(`#stats-body-${shiny} [data-stat="cpu"]`); }, true);
  await shoot('container-form', `/projects/${project}/containers/create`, { width: 1280, height: 1000 }, async (p) => {
    await p.fill('#f-title', 'Shiny iris explorer');
    await p.fill('#f-repository', 'ghcr.io/bihealth/kioscshinytest');
    await p.fill('#f-container_port', '8080');
    await p.fill('#f-environment', '{"title": "Kiosc Shiny App example", "dataset": "iris"');
    await p.click('button:has-text("Create")');
    await p.waitForSelector('.field.invalid');
  });
  await shoot('siteadmin', '/siteadmin', laptop);
  await shoot('siteadmin-bulk', '/siteadmin', laptop, async (p) => {
    await p.click('#bulk > summary');
    await p.click('a[data-bulk="stop-all"]');
    await p.waitForSelector('#bulk-panel .bulk-preview');
  });
  await shoot('siteadmin-docker', '/siteadmin/docker', laptop);
  await shoot('phone-containers', `/projects/${project}/containers`, phone);
  await shoot('phone-detail', `/containers/${shiny}`, phone, undefined, true);
  await shoot('members', `/projects/${project}/members`, laptop);
  await shoot('phone-members', `/projects/${project}/members`, phone, undefined, true);
  await shoot('phone-users', '/admin/users', phone, undefined, true);
  await shoot('phone-tokens', '/tokens', phone, undefined, true);
  await shoot('phone-siteadmin-docker', '/siteadmin/docker', phone);
  await shoot('templates', `/projects/${project}/templates`, laptop);
  await shoot('template-form', `/projects/${project}/templates/create`, { width: 1280, height: 1000 }, undefined, true);
  await shoot('files', `/projects/${project}/files`, laptop);
  await shoot('confirm-kill', `/containers/${shiny}`, laptop, async (p) => {
    await p.click('.status-bar details.menu > summary');
    await p.click('button[role="menuitem"][value="kill"]');
    await p.waitForSelector('dialog.confirm-dialog[open]');
  });
} finally {
  await gw.close();
}
