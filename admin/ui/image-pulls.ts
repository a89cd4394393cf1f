/**
 * image-pulls.ts: image pulls a site admin starts from the site-admin page. Each pull runs once per
 * reference (a second request joins it), reports aggregate progress to live listeners, and is kept
 * a while after it ends so its outcome can still be shown.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Engine, RegistryAuth } from '../../gateway/core/engine/engine.ts';
import { maskCredentials } from '../../gateway/core/image-hosts/service.ts';

/** Pull is one image pull and where it stands. */
export interface Pull {
  id: string;
  ref: string;
  /** host names the container host pulled to (null: the built-in host). */
  host: string | null;
  user: string;
  status: string;
  percent: number | null;
  state: 'running' | 'done' | 'failed';
  error: string | null;
  startedAt: string;
}

/** PullListener receives the pull after each change. */
export type PullListener = (p: Pull) => void;

/** ImagePulls starts, finds and follows pulls. */
export type ImagePulls = ReturnType<typeof createImagePulls>;

const KEEP_MS = 15 * 60_000;
const MAX_KEPT = 50;

/** AuthFor gives a reference's image-host credentials (image-hosts/service.ts). */
export type AuthFor = (ref: string) => { auth: RegistryAuth; host: string } | null;

/**
 * createImagePulls tracks pulls done through `engine`, with the credentials `authFor` gives;
 * `onPulled` hears of each image pulled (the app catalogue reads its labels).
 */
export function createImagePulls(engine: Engine, authFor: AuthFor = () => null, onPulled: (ref: string) => void = () => {}) {
  const pulls = new Map<string, Pull>();
  const events = new EventEmitter<{ update: [Pull] }>();
  events.setMaxListeners(0);

  function prune(): void {
    const now = Date.now();
    for (const [id, p] of pulls) {
      const old = p.state !== 'running' && now - Date.parse(p.startedAt) > KEEP_MS;
      if (old || (pulls.size > MAX_KEPT && p.state !== 'running')) pulls.delete(id);
    }
  }

  function publish(p: Pull): void {
    events.emit('update', { ...p });
  }

  return {
    /**
     * start pulls `ref` (repository:tag) unless a pull of it to the same host is already running,
     * which is joined instead; `to` is another container host's engine (the built-in one without).
     */
    start(ref: string, user: string, to?: { engine: Engine; host: string }): { pull: Pull; joined: boolean } {
      const host = to?.host ?? null;
      for (const p of pulls.values()) if (p.ref === ref && p.host === host && p.state === 'running') return { pull: { ...p }, joined: true };
      prune();
      const pull: Pull = { id: randomBytes(8).toString('hex'), ref, host, user, status: 'Starting', percent: null, state: 'running', error: null, startedAt: new Date().toISOString() };
      pulls.set(pull.id, pull);
      const layers = new Map<string, { current: number; total: number }>();
      let lastEmit = 0;
      let creds: ReturnType<AuthFor> = null;
      try { creds = authFor(ref); } catch (err) {
        Object.assign(pull, { state: 'failed', status: 'Pull failed', error: (err as Error).message });
        return { pull: { ...pull }, joined: false };
      }
      (to?.engine ?? engine).pullImage(ref, (ev) => {
        if (ev.layer && ev.total) layers.set(ev.layer, { current: ev.current ?? 0, total: ev.total });
        let cur = 0, tot = 0;
        for (const l of layers.values()) { cur += l.current; tot += l.total; }
        pull.status = ev.layer ? `${ev.layer}: ${ev.status}` : ev.status;
        pull.percent = tot ? Math.min(100, Math.round((cur / tot) * 100)) : pull.percent;
        // At most five updates a second: a pull reports every few kilobytes.
        const now = Date.now();
        if (now - lastEmit > 200) { lastEmit = now; publish(pull); }
      }, undefined, creds?.auth).then(() => {
        Object.assign(pull, { state: 'done', status: 'Pull complete', percent: 100 });
        publish(pull);
        // The catalogue reads labels on the built-in host's engine only.
        if (!to) onPulled(ref);
      }, (err: unknown) => {
        // The engine's own words (e.g. "connect: connection refused"), never a generic "server error".
        const message = err instanceof Error && err.message ? err.message : String(err);
        const error = creds ? `${maskCredentials(message, creds.auth)} (sent the credentials of image host ${creds.host})` : message;
        Object.assign(pull, { state: 'failed', status: 'Pull failed', error });
        publish(pull);
      });
      return { pull: { ...pull }, joined: false };
    },
    get(id: string): Pull | null {
      const p = pulls.get(id);
      return p ? { ...p } : null;
    },
    /** recent lists the kept pulls, newest first. */
    recent(): Pull[] {
      return [...pulls.values()].map((p) => ({ ...p })).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },
    /** follow calls `fn` on every update of pull `id` until the returned function is called. */
    follow(id: string, fn: PullListener): () => void {
      const listener = (p: Pull) => { if (p.id === id) fn(p); };
      events.on('update', listener);
      return () => events.off('update', listener);
    },
  };
}
