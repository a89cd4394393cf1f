/**
 * app-cli.ts: the `portico app …` verbs (Simphony-remote's `remoteappdb app …`; docs/apps.md):
 * list, show, scan, grant and revoke, acting as a site admin through the app service, so the CLI
 * keeps the rules of the API and the UI (labels checked, volumes from the allowlist only).
 */
import { PorticoError } from './core/errors.ts';
import type { BulkDeps } from './core/containers/bulk.ts';
import { createAppService } from './core/apps/service.ts';
import { describePolicy } from './core/apps/policy.ts';
import type { App } from './core/apps/types.ts';
import { UsageError } from './project-cli.ts';
import type { ProjectCliIo } from './project-cli.ts';
import { flag as has, option as take } from './cli-args.ts';

const ACTOR = 'portico-cli';



function line(a: App): string {
  const flags = [a.enabled ? '' : 'disabled', a.public ? 'public' : ''].filter(Boolean).join(',') || '-';
  return [a.slug, a.uuid, a.image, a.title, a.source, flags, String(a.labelProblems.length)].join('\t') + '\n';
}

/** runAppCli runs one `app` verb; 'usage' when `args` name none. */
export async function runAppCli(args: string[], io: ProjectCliIo, ops: (() => BulkDeps) | undefined): Promise<number | 'usage'> {
  const [, verb, ...rest] = args;
  if (!['list', 'show', 'scan', 'grant', 'revoke'].includes(verb ?? '')) return 'usage';
  if (!ops) throw new UsageError('app needs the container engine');
  const deps = ops();
  const apps = createAppService(deps);
  const { store } = deps;
  if (verb === 'list') {
    if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])} for app list`);
    for (const a of store.apps.all()) io.stdout(line(a));
    return 0;
  }
  if (verb === 'scan') {
    if (rest.length > 1) throw new UsageError('app scan takes at most one IMAGE');
    const results = rest[0] ? [await apps.catalogue.scan(rest[0])] : await apps.catalogue.scanAll();
    for (const r of results) {
      io.stdout(line(r.app));
      for (const p of r.problems) io.stderr(`${r.app.slug}: label problem: ${p}\n`);
    }
    return 0;
  }
  const ref = rest.shift();
  if (!ref) throw new UsageError(`app ${verb} needs an APP (slug or uuid)`);
  const app = apps.catalogue.find(ref);
  if (verb === 'show') {
    if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])} for app show`);
    const s = app.settings;
    io.stdout([
      `slug\t${app.slug}`, `uuid\t${app.uuid}`, `image\t${app.image}`, `title\t${app.title}`, `description\t${app.description}`,
      `source\t${app.source}`, `public\t${app.public}`, `enabled\t${app.enabled}`, `icon\t${app.iconType ?? '-'}`,
      `port\t${s.port}`, `path\t${s.path}`, `strip_prefix\t${s.stripPrefix}`, `readiness\t${s.readinessPath}`, `type\t${s.type}`,
      `env\t${Object.entries(s.env).map(([k, v]) => `${k}=${v}`).join(' ') || '-'}`,
      ...app.labelProblems.map((p) => `problem\t${p}`),
      ...store.apps.grantsOfApp(app.id).map((g) => `grant\t${g.uuid}\t${g.username ? `user ${g.username}` : `project ${g.projectTitle}`}\t${describePolicy(g.policy)}`),
      `instances\t${store.apps.instancesOfApp(app.id).length}`,
    ].join('\n') + '\n');
    return 0;
  }
  const grantUuid = take(rest, '--grant');
  const user = take(rest, '--user');
  const project = take(rest, '--project');
  const volume = take(rest, '--volume');
  const policy = { allow_home: has(rest, '--allow-home'), allow_view: has(rest, '--allow-view'), allow_env: has(rest, '--allow-env'), volume };
  if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])} for app ${verb}`);
  if (verb === 'revoke' && grantUuid) {
    const g = store.apps.grantByUuid(grantUuid);
    if (!g || g.appId !== app.id) throw new PorticoError('E_NOT_FOUND', 404, `no grant ${grantUuid} of ${app.slug}`);
    apps.grants.revoke(grantUuid);
    io.stderr(`revoked ${grantUuid}\n`);
    return 0;
  }
  if ((user === null) === (project === null)) throw new UsageError(`app ${verb} needs exactly one of --user NAME or --project PROJECT`);
  const to = user !== null ? { user } : { project: project! };
  if (verb === 'grant') {
    const { grant, created } = apps.grants.grant(app, to, policy, ACTOR);
    io.stdout(`${grant.uuid}\n`);
    io.stderr(`${created ? 'granted' : 'already granted'}: ${app.slug} to ${user ?? project} (${describePolicy(grant.policy)})\n`);
    return 0;
  }
  // Without policy options every grant of the app to that user or project goes.
  const anyPolicy = !policy.allow_home && !policy.allow_view && !policy.allow_env && volume === null;
  const gone = apps.grants.revokeMatching(app, to, anyPolicy ? null : policy);
  if (!gone.length) throw new PorticoError('E_NOT_FOUND', 404, `${app.slug} is not granted to ${user ?? project}${anyPolicy ? '' : ' under that policy'}`);
  for (const g of gone) io.stderr(`revoked ${g.uuid} (${describePolicy(g.policy)})\n`);
  return 0;
}
