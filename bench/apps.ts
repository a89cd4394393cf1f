/**
 * apps.ts (benchmark, not a test): the app platform (docs/apps.md).
 * 1. First byte through the proxy from a per-user app instance against today's project container,
 *    same image (portico-test/httpd:1), alternating in each round: (a) never created — a new user's
 *    first open of the app against a new project container; (b) stopped — both stopped, then opened.
 * 2. The catalogue pages with 1,000 apps and 10,000 instances (seeded straight into the store): a
 *    user's /apps (1,000 tiles through a project grant, their own 10 instances), the home page, and
 *    the site admin's /apps/admin; median and p95 of 30 requests each (target ≤ 100 ms).
 * Usage: node bench/apps.ts [rounds, default 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../gateway/core/config.ts';
import { buildCore } from '../gateway/core/build.ts';
import type { Core } from '../gateway/core/build.ts';
import { silentLogger } from '../gateway/core/log.ts';
import { startServer } from '../gateway/main.ts';
import { hashSecret, newSecret } from '../gateway/core/auth/tokens.ts';
import { DEFAULT_SETTINGS } from '../gateway/core/apps/labels.ts';
import { DEFAULT_POLICY, policyKey } from '../gateway/core/apps/policy.ts';
import { defaultSettings } from '../gateway/core/containers/validate.ts';
import type { User } from '../gateway/core/types.ts';

const ROUNDS = Math.min(20, Number(process.argv[2] ?? 5));
const KEY = policyKey(DEFAULT_POLICY);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

async function gateway(tag: string): Promise<{ core: Core; port: number; close: () => Promise<void>; instance: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `portico-bench-apps-${tag}-`));
  const instance = `bench-apps-${randomBytes(3).toString('hex')}`;
  const config = loadConfig({
    PORTICO_DATA_DIR: dir, PORTICO_INSTANCE: instance, PORTICO_DOCKER_NETWORK: 'portico-test-net', PORTICO_PORT: '0',
    PORTICO_ACTION_MIN_DELAY: '0', PORTICO_APP_ORIGINS: 'same-origin', PORTICO_APP_MAX_PER_USER: '0', PORTICO_LOG_LEVEL: 'error',
  });
  const core = await buildCore(config, { logger: silentLogger, periodic: false });
  const { server, close } = await startServer(core, '127.0.0.1', 0);
  return { core, port: (server.address() as { port: number }).port, close, instance, dir };
}

function tokenFor(core: Core, user: User): string {
  const token = newSecret(32);
  core.store.users.createToken(user.id, 'bench', hashSecret(token), token.slice(0, 6), null);
  return token;
}

function get(port: number, urlPath: string, token: string, firstByteOnly: boolean): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    // A script's request (no Sec-Fetch-Mode): it may start an idle-stopped app and waits for the app's answer.
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, headers: { authorization: `token ${token}`, accept: '*/*' } }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.once('end', () => reject(new Error(`${urlPath} answered ${res.statusCode}: ${body.slice(0, 300)}`)));
        return;
      }
      if (firstByteOnly) res.once('data', () => { resolve(performance.now() - t0); res.destroy(); });
      else { res.resume(); res.once('end', () => resolve(performance.now() - t0)); }
    });
    req.on('error', reject);
  });
}

async function firstBytes(): Promise<string[]> {
  const g = await gateway('start');
  const { core, port } = g;
  try {
    const project = core.store.projects.create('bench');
    const app = core.store.apps.create('httpd', 'admin', { image: 'portico-test/httpd:1', title: 'httpd', description: '', settings: { ...DEFAULT_SETTINGS, env: {} }, labelProblems: [], icon: null, imageId: null });
    core.store.apps.grant(app.id, { projectId: project.id }, DEFAULT_POLICY, KEY, 'bench');
    const freshProject: number[] = [], freshInstance: number[] = [], stoppedProject: number[] = [], stoppedInstance: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const user = core.store.users.create({ username: `user-${i}`, passwordHash: null });
      core.store.projects.setRole(project.id, user.id, 'contributor');
      const token = tokenFor(core, user);
      const c = core.containers.create(project.id, { title: `project-${i}`, repository: 'portico-test/httpd', tag: '1', container_port: 80 }, 'bench');
      const inst = core.apps.instances.open(user, core.apps.grants.choice(user, core.store.apps.byId(app.id)!)).container;
      // Which goes first alternates per round, so neither gains from the other having warmed the engine.
      const both = async (a: () => Promise<void>, b: () => Promise<void>) => { if (i % 2) { await b(); await a(); } else { await a(); await b(); } };
      await both(async () => { freshProject.push(await get(port, `/containers/proxy/${c.uuid}/`, token, true)); },
        async () => { freshInstance.push(await get(port, `/containers/proxy/${inst.uuid}/`, token, true)); });
      // Stopped as the idle rule stops them, the usual way an app comes to be stopped (a person's stop holds it until a navigation).
      await core.containers.perform(c.id, 'stop', 'bench', { idle: true });
      await core.containers.perform(inst.id, 'stop', 'bench', { idle: true });
      await new Promise((r) => setTimeout(r, 300));
      await both(async () => { stoppedProject.push(await get(port, `/containers/proxy/${c.uuid}/`, token, true)); },
        async () => { stoppedInstance.push(await get(port, `/containers/proxy/${inst.uuid}/`, token, true)); });
    }
    const line = (what: string, inst: number[], proj: number[]) =>
      `- ${what}: instance ${median(inst).toFixed(0)} ms [${inst.map((x) => x.toFixed(0)).join(', ')}], project container ${median(proj).toFixed(0)} ms [${proj.map((x) => x.toFixed(0)).join(', ')}], ratio ${(median(inst) / median(proj)).toFixed(2)}×`;
    return [
      `First byte through the proxy, median of ${ROUNDS} (same image; 2 shared cores, rerun when noisy):`,
      line('never created (a new user\'s first open)', freshInstance, freshProject),
      line('stopped, then opened', stoppedInstance, stoppedProject),
    ];
  } finally {
    await g.close();
    await core.close();
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=portico.instance=${g.instance}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
    fs.rmSync(g.dir, { recursive: true, force: true });
  }
}

async function cataloguePages(): Promise<string[]> {
  const g = await gateway('pages');
  const { core, port } = g;
  try {
    const t0 = performance.now();
    const project = core.store.projects.create('everyone');
    const appsProject = core.store.apps.appsProject();
    const admin = core.store.users.create({ username: 'bench-admin', passwordHash: null, isAdmin: true });
    const users: User[] = [];
    const base = defaultSettings({ maxInactivityDays: 7 });
    core.store.transaction(() => {
      const apps = [];
      for (let i = 0; i < 1000; i++) {
        const app = core.store.apps.create(`app-${i}`, 'labels', {
          image: `bench/app-${i}:1`, title: `App ${i}`, description: `Seeded app number ${i}, for the catalogue page benchmark.`,
          settings: { ...DEFAULT_SETTINGS, env: { X11_WIDTH: '1024' } }, labelProblems: [], icon: i % 2 ? null : { bytes: Buffer.alloc(64), type: 'image/png' }, imageId: null,
        });
        core.store.apps.grant(app.id, { projectId: project.id }, DEFAULT_POLICY, KEY, 'bench');
        apps.push(app);
      }
      for (let u = 0; u < 1000; u++) {
        const user = core.store.users.create({ username: `user-${u}`, passwordHash: null });
        core.store.projects.setRole(project.id, user.id, 'guest');
        users.push(user);
        for (let k = 0; k < 10; k++) {
          const app = apps[(u * 10 + k) % 1000];
          const c = core.store.containers.create(appsProject.id, { ...base, title: `${app.slug}--${user.username}`, repository: `bench/app-${app.id}`, tag: '1' });
          core.store.apps.setInstance(c.id, { ownerUserId: user.id, appId: app.id, policyKey: KEY, publicSession: null });
        }
      }
    });
    const seeded = performance.now() - t0;
    const userToken = tokenFor(core, users[500]);
    const adminToken = tokenFor(core, admin);
    const out = [`Catalogue pages with ${core.store.apps.count()} apps and ${core.store.apps.instanceCount()} instances (seeded in ${(seeded / 1000).toFixed(1)} s), 30 requests each:`];
    for (const [what, url, token] of [['a user\'s /apps (1,000 choices: a page of 60 tiles, My apps)', '/apps', userToken], ['/apps?q=99 (a search over 1,000)', '/apps?q=99', userToken], ['the home page', '/', userToken],
      ['the site admin\'s /apps/admin', '/apps/admin', adminToken], ['GET /api/apps (JSON)', '/api/apps', userToken]] as const) {
      for (let i = 0; i < 3; i++) await get(port, url, token, false);
      const xs: number[] = [];
      for (let i = 0; i < 30; i++) xs.push(await get(port, url, token, false));
      out.push(`- ${what}: median ${median(xs).toFixed(1)} ms, p95 ${p95(xs).toFixed(1)} ms (target ≤ 100 ms)`);
    }
    return out;
  } finally {
    await g.close();
    await core.close();
    fs.rmSync(g.dir, { recursive: true, force: true });
  }
}

process.stdout.write((await cataloguePages()).join('\n') + '\n');
process.stdout.write((await firstBytes()).join('\n') + '\n');
