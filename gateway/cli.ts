#!/usr/bin/env node
/**
 * cli.ts: the `portico` command. Administrative verbs work on the same database as the running
 * gateway (SQLite WAL allows both). Output meant for scripts (tokens, uuids) is printed alone.
 */
import './guard.mjs';
import { loadConfig } from './core/config.ts';
import { PorticoError } from './core/errors.ts';
import { createStore } from './core/store/index.ts';
import type { Store } from './core/store/index.ts';
import { generatePassword, hashPassword } from './core/auth/passwords.ts';
import { hashSecret, newSecret } from './core/auth/tokens.ts';
import { createSiteMode } from './core/site-mode.ts';
import { backupDatabase } from './core/store/backup.ts';
import { dockerSocketPath } from './core/engine/docker-socket.ts';
import { dropPrivileges } from './run-as.ts';
import { formatReport, removeStopped, stopAll, stopUnused } from './core/containers/bulk.ts';
import type { BulkDeps } from './core/containers/bulk.ts';
import type { Config } from './core/config.ts';
import { createDockerEngine } from './core/engine/docker.ts';
import { Bus } from './core/events.ts';
import { createLogger, silentLogger } from './core/log.ts';
import { CLI_ACTOR, createProjectService } from './core/projects/service.ts';
import { createContainerService } from './core/containers/service.ts';
import { createAccessRecorder } from './core/containers/access-recorder.ts';
import { listDataVolumes, removeDataVolume } from './core/containers/volumes.ts';
import { runImportKiosc } from './core/import/kiosc-cli.ts';
import { UsageError, runProjectCli } from './project-cli.ts';
import { runAppCli } from './app-cli.ts';
import { createSodarSync } from './core/sodar/sync.ts';
import { runRegistryCli } from './registry-cli.ts';
import { LIST_VERBS, runListCli } from './list-cli.ts';
import { flag, option } from './cli-args.ts';
import { HOST_USAGE, runHostCli } from './host-cli.ts';
import { createHosts } from './core/hosts/registry.ts';
import { routeByContainer } from './core/hosts/routed-engine.ts';
import { runShareCli } from './share-cli.ts';
import { createAudit, userObject } from './core/audit.ts';

/** CliIo is where the CLI reads and writes (tests pass their own). */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  stdinIsTty: boolean;
}

const USAGE = `usage: portico <command>

  user create NAME [--admin]            create a local user (password from stdin, or generated and printed)
  user passwd NAME                      set a user's password (from stdin, or generated and printed)
  token create NAME [--name LABEL]      create an API token for user NAME; prints the token alone
  project create TITLE [--owner NAME]   create a project; prints its uuid alone
  project list                          list projects (uuid, title, archived, owner)
  project rename PROJECT_UUID TITLE     rename a project
  project describe PROJECT_UUID TEXT    set a project's description ('-' reads it from stdin)
  project archive|unarchive PROJECT_UUID  make a project read-only, or writable again
  project delete PROJECT_UUID [--yes]   delete a project with its containers, templates, files and members
                                        (without --yes, prints what would go)
  project transfer PROJECT_UUID NAME [--old-owner-role ROLE]  make member NAME the owner (old owner: delegate)
  member add PROJECT_UUID NAME ROLE     give NAME a role (owner only for a project without one; delegate, contributor, guest)
  member remove PROJECT_UUID NAME       take NAME out of a project (not its owner: transfer first)
  users | projects | tokens [NAME]      list users, projects, or API tokens (prefix only); add --json for scripts
  members PROJECT_UUID                  list a project's members and roles (--json)
  containers [PROJECT_UUID]             list containers, of one project or all (--json)
  share list CONTAINER_UUID             list an instance's shares (user, mode, invited by, when)
  share add CONTAINER_UUID NAME [view|use]  invite NAME to view (default) or use an instance
  share revoke CONTAINER_UUID NAME      withdraw NAME's share (a running gateway cuts their connections)
  site read-only [on|off]               show or switch read-only site mode (a running gateway follows at once)
  remove-stopped [--remove]             remove the Docker containers of stopped containers (dry run unless --remove)
  stop-all [--dry-run]                  stop every container that is not stopped
  stop-unused [--dry-run]               stop containers not accessed for longer than their inactivity threshold
  app list                              list the app catalogue (slug, uuid, image, title, source, flags, label problems)
  app show APP                          one app: settings, label problems, grants
  app scan [IMAGE]                      read an image's labels (or every local image's) into the catalogue
  app grant APP --user NAME|--project P [--allow-home] [--allow-view] [--allow-env] [--volume SOURCE:TARGET:MODE]
                                        grant an app under a policy (SOURCE from PORTICO_APP_VOLUMES); prints the grant's uuid
  app revoke APP --user NAME|--project P [policy options] | --grant UUID
                                        revoke (without policy options: every grant to that user or project)
  volume list [--sizes]                 list the data volumes and users' home volumes (name, status, container, size)
  volume rm NAME                        remove a data volume and its files (its container must not run)
  import-kiosc --database URL [--dry-run]
                                        import a Kiosc PostgreSQL database (docs/kiosc-import.md); idempotent
  registry list                         list image hosts (name, address, credentials, default)
  registry add NAME ADDRESS [--username U] [--ca-cert FILE] [--default] [--check]
                                        add an image host; with --username the password or token is read from stdin
  registry remove|default|test NAME     remove one, make it the default, or test it (a /v2/ request: ok,
                                        unauthorized, unreachable or bad certificate; exit 1 unless ok)
  sodar sync                            pull projects, users and roles from the SODAR source site now (TARGET mode)
${HOST_USAGE}  backup FILE                           copy the database to FILE (SQLite online backup; safe while the gateway runs)
  serve                                 run the gateway (same as npm start)
`;




function validUsername(name: string | undefined): string {
  if (!name || !/^[A-Za-z0-9][A-Za-z0-9._@-]{0,149}$/.test(name)) {
    throw new UsageError(`invalid user name ${JSON.stringify(name ?? '')}: letters, digits, '.', '_', '@', '-'`);
  }
  return name;
}

async function passwordFrom(io: CliIo): Promise<{ password: string; generated: boolean }> {
  if (!io.stdinIsTty) {
    const input = (await io.readStdin()).replace(/\r?\n$/, '');
    if (input) {
      if (input.length < 8) throw new UsageError('password must be at least 8 characters');
      return { password: input, generated: false };
    }
  }
  return { password: generatePassword(), generated: true };
}

/** BULK lists the bulk verbs; they need the engine, so `ops` is only opened for them. */
const BULK = new Set(['remove-stopped', 'stop-all', 'stop-unused']);

/** runCli executes one command against `store` (bulk verbs through `ops`); returns the exit code. */
export async function runCli(argv: string[], store: Store, io: CliIo, ops?: () => BulkDeps, opts: { delegateLimit?: number; filesDir?: string; config?: Config } = {}): Promise<number> {
  const filesDir = opts.filesDir;
  const config = opts.config;
  const args = [...argv];
  const [noun, verb] = args;
  const audit = createAudit({ store, logger: silentLogger });
  try {
    if ((noun === 'project' && verb !== 'create') || noun === 'member') {
      const done = await runProjectCli(args, store, io, ops, opts.delegateLimit ?? 1);
      if (done === 'usage') throw new UsageError(`unknown command: ${args.slice(0, 2).join(' ')}`);
      return done;
    }
    if (noun === 'registry') {
      const done = await runRegistryCli(args, store, io, config);
      if (done === 'usage') throw new UsageError(`unknown command: ${args.slice(0, 2).join(' ')}`);
      return done;
    }
    if (noun === 'share') return runShareCli(args, store, io);
    if (noun === 'app') {
      const done = await runAppCli(args, io, ops);
      if (done === 'usage') throw new UsageError(`unknown command: ${args.slice(0, 2).join(' ')}`);
      return done;
    }
    if (LIST_VERBS.has(noun)) return runListCli(args, store, io.stdout);
    if (BULK.has(noun)) {
      const rest = args.slice(1);
      const remove = flag(rest, '--remove');
      const dryRun = flag(rest, '--dry-run');
      if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])} for ${noun}`);
      if (remove && noun !== 'remove-stopped') throw new UsageError('--remove belongs to remove-stopped');
      if (!ops) throw new UsageError(`${noun} needs the container engine`);
      const svc = ops();
      const user = 'portico-cli';
      const report = noun === 'remove-stopped' ? await removeStopped(svc, { remove, user })
        : noun === 'stop-all' ? await stopAll(svc, { dryRun, user })
        : await stopUnused(svc, { dryRun, user });
      io.stdout(formatReport(report));
      return report.failed ? 1 : 0;
    }
    if (noun === 'volume' && (verb === 'list' || verb === 'rm')) {
      const rest = args.slice(2);
      const sizes = flag(rest, '--sizes');
      if (!ops) throw new UsageError('volume needs the container engine');
      if (verb === 'list') {
        if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])} for volume list`);
        for (const v of await listDataVolumes(ops(), { sizes })) {
          io.stdout([v.name, v.status, v.containerUuid ?? '-', v.container?.title ?? (v.owner ? `home of ${v.owner}` : '-'), v.size === null ? '-' : String(v.size)].join('\t') + '\n');
        }
        return 0;
      }
      if (rest.length !== 1 || sizes) throw new UsageError('volume rm needs exactly one NAME');
      const removed = await removeDataVolume(ops(), rest[0], 'portico-cli');
      io.stderr(`removed ${removed.name}\n`);
      return 0;
    }
    if (noun === 'host') {
      if (!config) throw new UsageError('host needs the configuration');
      return await runHostCli(args, store, config, io);
    }
    if (noun === 'user' && (verb === 'create' || verb === 'passwd')) {
      const rest = args.slice(2);
      const admin = flag(rest, '--admin');
      const name = validUsername(rest[0]);
      if (verb === 'create' && store.users.byUsername(name)) throw new PorticoError('E_CONFLICT', 409, `user ${name} already exists`);
      const target = verb === 'passwd' ? store.users.byUsername(name) : null;
      if (verb === 'passwd' && !target) throw new PorticoError('E_USER_NOT_FOUND', 404, `no user ${name}`);
      const { password, generated } = await passwordFrom(io);
      const hash = await hashPassword(password);
      if (target) store.users.setPasswordHash(target.id, hash);
      else {
        const made = store.users.create({ username: name, passwordHash: hash, isAdmin: admin });
        audit.record({ actor: CLI_ACTOR.username, action: 'user.create', object: userObject(made), detail: { admin } });
      }
      if (generated) io.stdout(`${password}\n`);
      else io.stderr(verb === 'create' ? `created user ${name}${admin ? ' (site admin)' : ''}\n` : `password changed for ${name}\n`);
      return 0;
    }
    if (noun === 'token' && verb === 'create') {
      const rest = args.slice(2);
      const label = option(rest, '--name') ?? 'cli';
      const user = store.users.byUsername(validUsername(rest[0]));
      if (!user) throw new PorticoError('E_USER_NOT_FOUND', 404, `no user ${rest[0]}`);
      const token = newSecret(32);
      store.users.createToken(user.id, label, hashSecret(token), token.slice(0, 6), null);
      audit.record({ actor: CLI_ACTOR.username, action: 'token.create', object: { type: 'token', title: label }, detail: { user: user.username } });
      io.stdout(`${token}\n`);
      return 0;
    }
    if (noun === 'project' && verb === 'create') {
      const rest = args.slice(2);
      const ownerName = option(rest, '--owner');
      const title = (rest[0] ?? '').trim();
      if (!title || title.length > 255) throw new UsageError('project title is required (at most 255 characters)');
      const owner = ownerName ? store.users.byUsername(ownerName) : null;
      if (ownerName && !owner) throw new PorticoError('E_USER_NOT_FOUND', 404, `no user ${ownerName}`);
      const project = createProjectService({ store, siteMode: createSiteMode(store.settings, false), logger: silentLogger, delegateLimit: 0, audit })
        .create(CLI_ACTOR, { title, owner });
      io.stdout(`${project.uuid}\n`);
      return 0;
    }
    if (noun === 'site' && verb === 'read-only') {
      const mode = createSiteMode(store.settings, false);
      const want = args[2];
      if (want === 'on' || want === 'off') mode.setReadOnly(want === 'on');
      else if (want !== undefined) throw new UsageError('site read-only takes on or off');
      io.stdout(`${mode.readOnly() ? 'on' : 'off'}\n`);
      return 0;
    }
    if (noun === 'import-kiosc') {
      const rest = args.slice(1);
      const dryRun = flag(rest, '--dry-run');
      const database = option(rest, '--database');
      if (!database) throw new UsageError('import-kiosc needs --database postgres://USER@HOST:PORT/DB');
      if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])} for import-kiosc`);
      if (!filesDir) throw new UsageError('import-kiosc needs the files directory');
      io.stdout(await runImportKiosc({ store, filesDir, database, dryRun }));
      return 0;
    }
    if (noun === 'sodar' && verb === 'sync') {
      if (args.length !== 2) throw new UsageError('sodar sync takes no arguments');
      if (!config) throw new UsageError('sodar sync needs the configuration');
      const logger = createLogger({ format: config.logFormat, level: 'error' });
      const outcome = await createSodarSync({ config: config.sodar, store, logger }).run('portico-cli');
      if (!outcome.ok) {
        io.stderr(`portico: SODAR sync from ${outcome.source} failed; nothing changed: ${outcome.error}\n`);
        return 1;
      }
      io.stdout(`${outcome.summary.split('; ').join('\n')}\n`);
      for (const p of outcome.report?.problems ?? []) io.stderr(`problem: ${p}\n`);
      return 0;
    }
    if (noun === 'backup') {
      if (!verb || args.length !== 2) throw new UsageError('backup needs exactly one FILE');
      const done = await backupDatabase(store.db, verb);
      io.stderr(`backed up ${done.pages} pages (${done.bytes} bytes, schema version ${done.schemaVersion}) to ${done.file}\n`);
      return 0;
    }
    throw new UsageError(noun ? `unknown command: ${args.slice(0, 2).join(' ')}` : 'no command given');
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`portico: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof PorticoError) {
      io.stderr(`portico: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    audit.flush();
  }
}

/** cliOps assembles what the bulk verbs need, without the gateway's background work (a gateway may run beside). */
function cliOps(config: Config, store: Store): BulkDeps {
  const logger = createLogger({ format: config.logFormat, level: config.logLevel === 'debug' ? 'debug' : 'warn' });
  const local = createDockerEngine(config.docker);
  const bus = new Bus();
  // Containers on other container hosts are acted on there (docs/container-hosts.md).
  const hosts = createHosts({ config, store, bus, logger, local });
  const containers = createContainerService({ config, store, engine: local, bus, logger, hosts });
  const engine = routeByContainer(local, store, hosts.engineOf);
  // A gateway beside the CLI flushes its access times to the store; this recorder only reads them.
  const accessRecorder = createAccessRecorder({ store, log: containers.log, logger, flushMs: config.accessFlushMs });
  return { config, store, engine, containers, logger, accessRecorder };
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  if (argv[0] === 'serve') {
    await import('./main.ts').then((m) => m.runMain());
  } else if (!argv.length || argv[0] === '--help' || argv[0] === 'help') {
    process.stdout.write(USAGE);
  } else {
    let config;
    try {
      config = loadConfig();
    } catch (err) {
      process.stderr.write(`portico: configuration error: ${(err as Error).message}\n`);
      process.exit(2);
    }
    try {
      dropPrivileges({ runAs: config.runAs, dataDir: config.dataDir, socketPath: dockerSocketPath(config.docker) });
    } catch (err) {
      process.stderr.write(`portico: ${(err as Error).message}\n`);
      process.exit(2);
    }
    const store = createStore(config.dbPath);
    const code = await runCli(argv, store, {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
      readStdin: readAll,
      stdinIsTty: !!process.stdin.isTTY,
    }, () => cliOps(config, store), { delegateLimit: config.delegateLimit, filesDir: config.filesDir, config });
    store.close();
    process.exitCode = code;
  }
}
