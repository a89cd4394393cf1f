/**
 * project-cli.ts: the `portico project …` and `portico member …` verbs (all but `project create`).
 * They act as a site admin through the project service (core/projects/service.ts), so the CLI keeps
 * the same rules as the API and the UI: one owner, changed by a transfer; an archived project
 * refuses changes; a delete says what goes and needs --yes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PorticoError } from './core/errors.ts';
import type { Store } from './core/store/index.ts';
import { silentLogger } from './core/log.ts';
import { createSiteMode } from './core/site-mode.ts';
import { CLI_ACTOR, createProjectService } from './core/projects/service.ts';
import { createAudit } from './core/audit.ts';
import type { Audit } from './core/audit.ts';
import type { BulkDeps } from './core/containers/bulk.ts';
import { isUuid } from './core/auth/access.ts';
import { ROLES } from './core/types.ts';
import type { Project, Role, User } from './core/types.ts';

/** UsageError is a command line the CLI cannot run; it prints the usage. */
export class UsageError extends Error {}

/** ProjectCliIo is the part of the CLI's I/O these verbs use. */
export interface ProjectCliIo { stdout: (s: string) => void; stderr: (s: string) => void; readStdin: () => Promise<string>; stdinIsTty: boolean }

function role(raw: string | undefined): Role {
  if (!raw || !(ROLES as readonly string[]).includes(raw)) throw new UsageError(`role must be one of ${ROLES.join(', ')}`);
  return raw as Role;
}

/** runProjectCli runs one project or member verb; 'usage' when `args` name none. Its changes go into the audit trail as portico-cli's. */
export async function runProjectCli(args: string[], store: Store, io: ProjectCliIo, ops: (() => BulkDeps) | undefined, delegateLimit: number): Promise<number | 'usage'> {
  const audit = createAudit({ store, logger: silentLogger });
  try {
    return await runProjectVerb(args, store, io, ops, delegateLimit, audit);
  } finally {
    audit.flush();
  }
}

async function runProjectVerb(args: string[], store: Store, io: ProjectCliIo, ops: (() => BulkDeps) | undefined, delegateLimit: number, audit: Audit): Promise<number | 'usage'> {
  const [noun, verb, ...rest] = args;
  const deps = { store, siteMode: createSiteMode(store.settings, false), logger: silentLogger, delegateLimit, audit };
  const projects = createProjectService(deps);
  const project = (uuid: string | undefined): Project => {
    const p = uuid && isUuid(uuid) ? store.projects.byUuid(uuid.toLowerCase()) : null;
    if (!p) throw new PorticoError('E_PROJECT_NOT_FOUND', 404, `no project ${uuid ?? ''}`);
    return p;
  };
  const user = (name: string | undefined): User => {
    const u = name ? store.users.byUsername(name) : null;
    if (!u) throw new PorticoError('E_USER_NOT_FOUND', 404, `no user ${name ?? ''}`);
    return u;
  };

  if (noun === 'project' && verb === 'list') {
    if (rest.length) throw new UsageError('project list takes no arguments');
    for (const p of store.projects.all()) {
      const owner = store.projects.members(p.id).find((m) => m.role === 'owner')?.username ?? '-';
      io.stdout([p.uuid, p.title, p.deletingAt ? 'deleting' : p.archived ? 'archived' : 'active', owner].join('\t') + '\n');
    }
    return 0;
  }
  if (noun === 'project' && verb === 'rename') {
    if (rest.length !== 2) throw new UsageError('project rename needs PROJECT_UUID and TITLE');
    const p = projects.update(CLI_ACTOR, project(rest[0]), { title: rest[1] });
    io.stderr(`renamed to ${p.title}\n`);
    return 0;
  }
  if (noun === 'project' && verb === 'describe') {
    if (rest.length !== 2) throw new UsageError("project describe needs PROJECT_UUID and TEXT ('-' for stdin)");
    const text = rest[1] === '-' ? (await io.readStdin()).replace(/\r?\n$/, '') : rest[1];
    projects.update(CLI_ACTOR, project(rest[0]), { description: text });
    io.stderr('description set\n');
    return 0;
  }
  if (noun === 'project' && (verb === 'archive' || verb === 'unarchive')) {
    if (rest.length !== 1) throw new UsageError(`project ${verb} needs PROJECT_UUID`);
    const p = projects.setArchived(CLI_ACTOR, project(rest[0]), verb === 'archive');
    io.stderr(`${p.title} is ${p.archived ? 'archived (read-only)' : 'no longer archived'}\n`);
    return 0;
  }
  if (noun === 'project' && verb === 'delete') {
    const yes = rest.includes('--yes');
    const ids = rest.filter((a) => a !== '--yes');
    if (ids.length !== 1) throw new UsageError('project delete needs PROJECT_UUID (and --yes to delete)');
    const p = project(ids[0]);
    const s = projects.summary(p);
    const what = `${p.title}: ${s.containers} container(s) (${s.running} running), ${s.templates} template(s), ${s.files} small file(s), ${s.members} member(s)`;
    if (!yes) {
      io.stderr(`would delete ${what}\nrun again with --yes to delete it (this cannot be undone; data volumes are kept)\n`);
      return 1;
    }
    if (!ops) throw new UsageError('project delete needs the container engine');
    const o = ops();
    const filesDir = o.config.filesDir;
    const withWork = createProjectService({ ...deps, work: {
      store, containers: o.containers,
      files: { removeProject: (uuid: string) => fs.promises.rm(path.join(filesDir, uuid), { recursive: true, force: true }) },
    } });
    await withWork.remove(CLI_ACTOR, p);
    io.stderr(`deleted ${what}\n`);
    return 0;
  }
  if (noun === 'project' && verb === 'transfer') {
    const i = rest.indexOf('--old-owner-role');
    const oldRole = i >= 0 ? role(rest.splice(i, 2)[1]) : 'delegate';
    if (rest.length !== 2) throw new UsageError('project transfer needs PROJECT_UUID and NAME');
    const p = project(rest[0]);
    const done = projects.transferOwner(CLI_ACTOR, p, user(rest[1]), oldRole);
    io.stderr(`${done.to} is now the owner of ${p.title} (${done.from} is ${oldRole})\n`);
    return 0;
  }
  if (noun === 'member' && verb === 'add') {
    if (rest.length !== 3) throw new UsageError('member add needs PROJECT_UUID, NAME and ROLE');
    const p = project(rest[0]);
    const target = user(rest[1]);
    const r = role(rest[2]);
    if (store.projects.roleOf(p.id, target.id)) projects.changeRole(CLI_ACTOR, p, target, r);
    else projects.addRole(CLI_ACTOR, p, target, r);
    io.stderr(`${target.username} is now ${r} of ${p.title}\n`);
    return 0;
  }
  if (noun === 'member' && verb === 'remove') {
    if (rest.length !== 2) throw new UsageError('member remove needs PROJECT_UUID and NAME');
    const p = project(rest[0]);
    const target = user(rest[1]);
    projects.removeRole(CLI_ACTOR, p, target);
    io.stderr(`${target.username} is no longer a member of ${p.title}\n`);
    return 0;
  }
  return 'usage';
}
