/**
 * catalogue.ts: the app catalogue (docs/apps.md). Apps come from image labels (a scan of one image,
 * or of every local image that carries app labels; also after a pull) or from a site admin, who may
 * override any field of a labelled app. A rescan refreshes what the labels say and keeps overrides.
 */
import type { Engine, ImageInfo } from '../engine/engine.ts';
import { NotFoundError, ValidationError, badRequest } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { AppFields } from '../store/apps.ts';
import { isValidRepository, isValidTag, envKeyProblem, envValueProblem } from '../containers/validate.ts';
import { DEFAULT_SETTINGS, parseLabels } from './labels.ts';
import { imageName } from './instance-spec.ts';
import type { App, AppOverrides } from './types.ts';

/** ScanResult is one scanned image: its app and the label problems found. */
export interface ScanResult { app: App; created: boolean; problems: string[] }

/** normaliseImage returns repository:tag for an image reference (":latest" when no tag), or throws a 400. */
export function normaliseImage(ref: string): string {
  const r = ref.trim();
  const m = /^(.+?)(?::([^:/]+))?$/.exec(r);
  if (!m || !isValidRepository(m[1]) || (m[2] !== undefined && !isValidTag(m[2]))) {
    throw new ValidationError({ image: `must be an image reference such as portico-test/httpd:1, got ${JSON.stringify(ref.slice(0, 200))}` });
  }
  return `${m[1]}:${m[2] ?? 'latest'}`;
}

function tagsOf(img: ImageInfo): string[] {
  return img.tags.map((t) => (/:[^:/]+$/.test(t) ? t : `${t}:latest`));
}

/** Catalogue is the catalogue's operations. */
export type Catalogue = ReturnType<typeof createCatalogue>;

/** createCatalogue builds the catalogue over the store and the engine. */
export function createCatalogue(deps: { store: Store; engine: Engine }) {
  const { store, engine } = deps;

  function uniqueSlug(base: string): string {
    const b = base.slice(0, 50) || 'app';
    if (!store.apps.slugTaken(b)) return b;
    for (let i = 2; ; i++) if (!store.apps.slugTaken(`${b}-${i}`)) return `${b}-${i}`;
  }

  function fieldsFrom(image: string, info: ImageInfo | null): AppFields {
    const parsed = parseLabels(info?.labels ?? {});
    return {
      image, title: parsed.title ?? imageName(image), description: parsed.description, settings: parsed.settings,
      labelProblems: parsed.problems, icon: parsed.icon, imageId: info?.id ?? null,
    };
  }

  function upsert(image: string, info: ImageInfo): ScanResult {
    const f = fieldsFrom(image, info);
    const existing = store.apps.byImage(image);
    if (existing) {
      store.apps.updateScan(existing.id, f);
      return { app: store.apps.byId(existing.id)!, created: false, problems: f.labelProblems };
    }
    return { app: store.apps.create(uniqueSlug(imageName(image)), 'labels', f), created: true, problems: f.labelProblems };
  }

  async function findImage(image: string): Promise<ImageInfo | null> {
    return (await engine.listImages()).find((i) => tagsOf(i).includes(image)) ?? null;
  }

  return {
    /** scan reads one local image's labels into the catalogue (404 when the engine has no such image). */
    async scan(ref: string): Promise<ScanResult> {
      const image = normaliseImage(ref);
      const info = await findImage(image);
      if (!info) throw new NotFoundError('E_NOT_FOUND', `the engine has no image ${image}: pull it first`);
      return upsert(image, info);
    },

    /** scanIfApp adds or refreshes an image that carries app labels (after a pull); null when it carries none. */
    async scanIfApp(ref: string): Promise<ScanResult | null> {
      const image = normaliseImage(ref);
      const info = await findImage(image);
      if (!info || (!parseLabels(info.labels).isApp && !store.apps.byImage(image))) return null;
      return upsert(image, info);
    },

    /** scanAll reads every local image that carries app labels (and refreshes the images already in the catalogue). */
    async scanAll(): Promise<ScanResult[]> {
      const out: ScanResult[] = [];
      for (const info of await engine.listImages()) {
        const isApp = parseLabels(info.labels).isApp;
        for (const tag of tagsOf(info)) {
          if (tag.startsWith('<none>')) continue;
          if (isApp || store.apps.byImage(tag)) out.push(upsert(tag, info));
        }
      }
      return out;
    },

    /** define adds an app a site admin describes; the image's labels, when it is local, give what the input leaves out. */
    async define(input: Record<string, unknown>): Promise<App> {
      if (typeof input.image !== 'string') throw new ValidationError({ image: 'is required (an image reference such as portico-test/httpd:1)' });
      const image = normaliseImage(input.image);
      if (store.apps.byImage(image)) throw badRequest(`${image} is already in the catalogue: change that app instead`, 'E_CONFLICT');
      const info = await findImage(image).catch(() => null);
      const overrides = readOverrides(input, {});
      const app = store.apps.create(uniqueSlug(imageName(image)), 'admin', fieldsFrom(image, info));
      store.apps.setOverrides(app.id, overrides);
      setFlags(app, input);
      return store.apps.byId(app.id)!;
    },

    /** update changes a site admin's overrides (a field set to null goes back to the label's value) and the flags. */
    update(app: App, input: Record<string, unknown>): App {
      store.apps.setOverrides(app.id, readOverrides(input, app.overrides));
      setFlags(app, input);
      return store.apps.byId(app.id)!;
    },

    /** find resolves an app by UUID or slug (404 otherwise). */
    find(ref: string): App {
      const app = store.apps.byUuid(ref) ?? store.apps.bySlug(ref);
      if (!app) throw new NotFoundError('E_APP_NOT_FOUND', `no app ${JSON.stringify(ref.slice(0, 100))} in the catalogue`);
      return app;
    },
  };

  function setFlags(app: App, input: Record<string, unknown>): void {
    const flag = (name: string, current: boolean): boolean => {
      const v = input[name];
      if (v === undefined) return current;
      if (v === true || v === 'true' || v === 'on' || v === '1') return true;
      if (v === false || v === 'false' || v === 'off' || v === '0' || v === '') return false;
      throw new ValidationError({ [name]: 'must be true or false' });
    };
    store.apps.setFlags(app.id, { public: flag('public', app.public), enabled: flag('enabled', app.enabled) });
  }
}

/** readOverrides validates a site admin's overrides over `base` (partial: absent keys stay, null clears). */
export function readOverrides(input: Record<string, unknown>, base: AppOverrides): AppOverrides {
  const out: AppOverrides = { ...base };
  const errors: Record<string, string> = {};
  const has = (k: string) => Object.hasOwn(input, k);
  const clear = (k: string) => input[k] === null || input[k] === '';
  const textField = (k: 'title' | 'description', max: number) => {
    if (!has(k)) return;
    if (clear(k)) { delete out[k]; return; }
    const v = input[k];
    if (typeof v !== 'string' || v.length > max || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(v)) errors[k] = `must be text of at most ${max} characters`;
    else out[k] = v.trim();
  };
  textField('title', 200);
  textField('description', 2000);
  if (has('port')) {
    if (clear('port')) delete out.port;
    else {
      const n = Number(input.port);
      if (!Number.isInteger(n) || n < 1 || n > 65535) errors.port = 'must be a port number from 1 to 65535';
      else out.port = n;
    }
  }
  const pathField = (k: 'path' | 'readinessPath', name: string) => {
    if (!has(name)) return;
    if (input[name] === null) { delete out[k]; return; }
    const v = String(input[name]).trim();
    if (!/^[A-Za-z0-9._~!$&'()*+,;=:@%\/-]*$/.test(v) || v.length > 500 || v.split('/').includes('..')) errors[name] = 'must be a URL path (no spaces, no ..)';
    else if (k === 'readinessPath' && v && !v.startsWith('/')) errors[name] = 'must start with /';
    else out[k] = k === 'path' ? v.replace(/^\/+/, '') : v;
  };
  pathField('path', 'path');
  pathField('readinessPath', 'readiness_path');
  if (has('strip_prefix')) {
    const v = input.strip_prefix;
    if (v === null) delete out.stripPrefix;
    else if (v === true || v === 'true' || v === 'on') out.stripPrefix = true;
    else if (v === false || v === 'false' || v === 'off') out.stripPrefix = false;
    else errors.strip_prefix = 'must be true or false';
  }
  if (has('env')) {
    let env = input.env;
    if (typeof env === 'string') { try { env = env.trim() ? JSON.parse(env) : null; } catch { errors.env = 'must be a JSON object of variable → default'; env = undefined; } }
    if (env === null) delete out.env;
    else if (env !== undefined) {
      if (typeof env !== 'object' || Array.isArray(env)) errors.env = 'must be an object of variable → default';
      else {
        const next: Record<string, string> = {};
        for (const [k, v] of Object.entries(env as Record<string, unknown>)) {
          const bad = envKeyProblem(k) ?? (typeof v !== 'string' ? 'must have a string default' : envValueProblem(v));
          if (bad) { errors.env = `${k}: ${bad}`; break; }
          next[k] = v as string;
        }
        out.env = next;
      }
    }
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return out;
}

/** DEFAULTS re-exports the settings an app without labels gets (docs). */
export const DEFAULTS = DEFAULT_SETTINGS;
