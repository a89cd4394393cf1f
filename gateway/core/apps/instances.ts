/**
 * instances.ts: per-user app instances (docs/apps.md). Opening an app finds or makes the caller's
 * container of it — one per (user, app, policy) — as an ordinary container row in the hidden
 * 'apps' project, so the proxy, on-demand start, waiting page, idle stop and log work as for any
 * container. The row carries the Simphony-remote variables (URL_ID, USER, JPY_USER,
 * JPY_BASE_USER_URL) and the image's env.* defaults, which a grant with allow_env lets the user set.
 * Public apps give an anonymous visitor a short-lived instance under a throwaway guest user.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { PorticoError, ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { ContainerService } from '../containers/service.ts';
import { PREFIX_PLACEHOLDER, publicPrefix } from '../containers/spec.ts';
import { defaultSettings, envValueProblem } from '../containers/validate.ts';
import type { Container, ContainerSettings, User } from '../types.ts';
import { DEFAULT_POLICY, policyKey } from './policy.ts';
import { checkStartLimits, limitReached } from './limits.ts';
import type { App, Choice } from './types.ts';
import { SYSTEM_ACTOR, actorName } from '../auth/actor.ts';

/** GUEST_PREFIX starts the user name of a public app's anonymous visitor. */
export const GUEST_PREFIX = 'public-';

/** unixName is a unix-likable user name for USER (Simphony-remote): lower case, letters, digits, _ and -. */
export function unixName(username: string): string {
  const n = username.toLowerCase().replace(/@.*$/, '').replace(/[^a-z0-9_-]+/g, '_').replace(/^[^a-z_]+/, '');
  return (n || 'user').slice(0, 32);
}

/** launchEnv checks the variables a user sets at launch: only those the image declares, as text. */
export function launchEnv(app: App, input: unknown): Record<string, string> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new ValidationError({ env: 'must be an object of variable → value' });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (!Object.hasOwn(app.settings.env, k)) {
      throw new ValidationError({ env: `${k} is not a variable this app declares (${Object.keys(app.settings.env).join(', ') || 'none'})` });
    }
    const bad = typeof v !== 'string' ? 'must be text' : v.length > 4096 ? 'is longer than 4096 characters' : envValueProblem(v);
    if (bad) throw new ValidationError({ env: `${k} ${bad}` });
    out[k] = v as string;
  }
  return out;
}

/** Instances is the instance operations. */
export type Instances = ReturnType<typeof createInstances>;

/** createInstances builds the instance operations. */
export function createInstances(deps: { config: Config; store: Store; containers: ContainerService; logger: Logger }) {
  const { config, store, containers, logger } = deps;

  function settingsFor(app: App, owner: string, key: string, env: Record<string, string>, publicApp: boolean): ContainerSettings {
    const [repository, tag] = splitImage(app.image);
    const base = defaultSettings({ maxInactivityDays: config.maxInactivityDays });
    return {
      ...base,
      // Titles are unique in a project: the same app under a second policy gets the policy's short hash.
      title: `${app.slug}--${owner}${key === policyKey(DEFAULT_POLICY) ? '' : ` [${createHash('sha256').update(key).digest('hex').slice(0, 8)}]`}`.slice(0, 255),
      description: app.description.slice(0, 2000),
      repository, tag,
      containerPort: app.settings.port,
      containerPath: app.settings.path,
      heartbeatUrl: app.settings.readinessPath,
      stripPrefix: app.settings.stripPrefix,
      // A public instance's idle stop is the sweep's (minutes); a user's follows the site's idle rule.
      inactivityThreshold: publicApp ? config.maxInactivityDays : base.inactivityThreshold,
      environment: {
        ...app.settings.env, ...env,
        USER: unixName(owner), JPY_USER: owner, JPY_BASE_USER_URL: PREFIX_PLACEHOLDER, PORTICO_BASE_URL: PREFIX_PLACEHOLDER,
      },
    };
  }

  function make(app: App, user: User, choiceKey: string, env: Record<string, string>, publicSession: string | null): Container {
    const project = store.apps.appsProject();
    return store.transaction(() => {
      const existing = store.apps.instanceOf(user.id, app.id, choiceKey);
      if (existing) return existing;
      const made = store.containers.create(project.id, settingsFor(app, user.username, choiceKey, env, publicSession !== null));
      // URL_ID is the key in the instance's link (its UUID), as Simphony-remote's url_id.
      store.containers.updateSettings(made.id, { ...made, environment: { ...made.environment, URL_ID: made.uuid } });
      store.apps.setInstance(made.id, { ownerUserId: user.id, appId: app.id, policyKey: choiceKey, publicSession });
      const c = store.containers.byId(made.id)!;
      containers.log.add(c, 'INFO', actorName(user), 'Object', `Created: ${app.title} for ${actorName(user)}`);
      return c;
    });
  }

  return {
    /**
     * open returns the caller's instance of `choice` (made when missing) and its link. Variables
     * given at launch (allow_env) go into the instance; a running instance must be stopped first.
     * The caps are checked here too, so the caller hears at once when no start is possible.
     */
    open(user: User, choice: Choice, envInput?: unknown): { container: Container; link: string; created: boolean } {
      const env = launchEnv(choice.app, envInput);
      if (Object.keys(env).length && !choice.policy.allowEnv) {
        throw new PorticoError('E_FORBIDDEN', 403, 'your grant of this app does not let you set its variables');
      }
      let c = store.apps.instanceOf(user.id, choice.app.id, choice.policyKey);
      const created = c === null;
      if (c === null) c = make(choice.app, user, choice.policyKey, env, null);
      else if (Object.keys(env).length) {
        if (c.state === 'running' || c.state === 'paused') throw new PorticoError('E_INVALID_STATE', 409, 'stop your instance before changing its variables');
        store.containers.updateSettings(c.id, { ...c, environment: { ...c.environment, ...env } });
        c = store.containers.byId(c.id)!;
      }
      checkStartLimits(store, config, c);
      return { container: c, link: publicPrefix(c), created };
    },

    /** openPublic gives an anonymous visitor (`guest`, null: a new one is made) an instance of public app `app`. */
    openPublic(app: App, guest: User | null): { guest: User; container: Container; link: string } {
      if (!app.public || !app.enabled) throw new PorticoError('E_APP_NOT_FOUND', 404, 'no such public app');
      const key = policyKey(DEFAULT_POLICY);
      if (guest) {
        const mine = store.apps.instanceOf(guest.id, app.id, key);
        if (mine) { checkStartLimits(store, config, mine); return { guest, container: mine, link: publicPrefix(mine) }; }
      }
      const max = config.apps.publicMax;
      if (max > 0 && store.apps.running('public') >= max) {
        throw limitReached(`this site runs at most ${max} public app instances at a time, and all are in use: try again in a few minutes`, max);
      }
      const visitor = guest ?? store.users.create({ username: GUEST_PREFIX + randomBytes(6).toString('hex'), name: 'Public visitor', passwordHash: null, guest: true });
      const c = make(app, visitor, key, {}, randomBytes(16).toString('hex'));
      return { guest: visitor, container: c, link: publicPrefix(c) };
    },

    /** mine lists `user`'s instances with their apps. */
    mine(user: User) { return store.apps.instancesOfUser(user.id); },

    /**
     * sweepPublic stops and removes public instances idle longer than PORTICO_APP_PUBLIC_IDLE_MINUTES
     * (or never started within it), and their guest users once they hold no instance. Returns how many went.
     */
    async sweepPublic(now = Date.now(), lastAccess: (id: number) => number | null = () => null): Promise<number> {
      const limitMs = config.apps.publicIdleMinutes * 60_000;
      let removed = 0;
      for (const row of store.apps.publicInstances()) {
        const c = row.container;
        if (containers.queue.busy(c.id)) continue;
        const last = Math.max(Date.parse(c.dateAccessed ?? '') || 0, Date.parse(c.dateStarted ?? '') || 0, Date.parse(c.createdAt) || 0, lastAccess(c.id) ?? 0);
        if (now - last < limitMs) continue;
        try {
          containers.log.add(c, 'INFO', SYSTEM_ACTOR, 'Task', `Removing idle public instance (no use for ${Math.round((now - last) / 60_000)} minutes)`);
          await containers.perform(c.id, 'delete', SYSTEM_ACTOR);
          removed++;
          const owner = c.ownerUserId !== null ? store.users.byId(c.ownerUserId) : null;
          if (owner && owner.guest && store.apps.instancesOfUser(owner.id).length === 0) {
            store.apps.removeGuest(owner.id);
            store.accessRevision.bump();
          }
        } catch (err) {
          logger.warn('removing an idle public instance failed', { container: c.uuid, err });
        }
      }
      return removed;
    },
  };
}

function splitImage(image: string): [string, string] {
  const i = image.lastIndexOf(':');
  return i > 0 && !image.slice(i).includes('/') ? [image.slice(0, i), image.slice(i + 1)] : [image, 'latest'];
}
