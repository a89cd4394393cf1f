/**
 * starter.ts: on-demand start. One Start per container, however many requests wait for it (a Map
 * of in-flight starts, as undici's deduplicate interceptor does). A Start runs the lifecycle's
 * ensureRunning (start or unpause), then polls the app until it answers within the container's
 * timeout. It follows the Bus to tell waiting pages what is happening (pulling with progress,
 * creating, starting, waiting for the app), and is cancelled when nobody waits for it any more.
 */
import { PorticoError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import { startFailureDetail } from '../core/containers/start-failure.ts';
import type { FailureDetail } from '../core/containers/start-failure.ts';
import type { ContainerState } from '../core/types.ts';
import type { ProxyMetrics } from './metrics.ts';
import { heartbeatPath, waitReady } from './readiness.ts';
import type { Route, Routes } from './routes.ts';

/** Phase is what a start is doing now, as the waiting page shows it. */
export type Phase = 'starting' | 'pulling' | 'creating' | 'unpausing' | 'waiting' | 'ready' | 'failed';

/** FailureKind says what part of a start failed. */
export type FailureKind = 'exited' | 'not-answering' | 'pull' | 'other';

const PLAIN: Record<FailureKind, string> = {
  exited: 'The app stopped while it was starting. Its last lines below may say why; the project\'s owner can fix its settings or its data and try again.',
  'not-answering': 'The app runs, but it does not answer on its port. The project\'s owner can check the port and the address the app listens on.',
  pull: 'The app\'s image could not be downloaded. The project\'s owner can check the image name and tag.',
  other: 'The app could not be started. Try again in a moment; if it keeps failing, tell the project\'s owner.',
};

/** Start is one in-flight on-demand start that any number of requests share. */
export class Start {
  readonly id: number;
  readonly uuid: string;
  readonly title: string;
  readonly began = Date.now();
  phase: Phase = 'starting';
  message = 'Starting the container';
  percent: number | null = null;
  error: PorticoError | null = null;
  /** detail is the app's last lines and hints of a failed start (only shown to who may read the log). */
  detail: FailureDetail | null = null;
  /** kind is what failed (set with the failure): it picks the plain message a collaborator reads first. */
  kind: FailureKind | null = null;
  /** pagedBy names the users who got the waiting page; seenBy those a failure was shown to. */
  readonly pagedBy = new Set<string>();
  readonly seenBy = new Set<string>();
  settled = false;
  /** failing: a failure is being settled (after the app's last lines are written); nothing else may settle it. */
  failing = false;
  waiters = 0;
  leaseUntil = 0;
  readonly abort = new AbortController();
  readonly listeners = new Set<(s: Start) => void>();
  readonly promise: Promise<void>;
  resolve!: () => void;

  constructor(route: Route) {
    this.id = route.id;
    this.uuid = route.uuid;
    this.title = route.title;
    this.promise = new Promise((r) => { this.resolve = r; });
  }

  /** set changes the phase and tells every listener (waiting pages). */
  set(phase: Phase, message: string, percent: number | null = null): void {
    if (this.settled) return;
    this.phase = phase;
    this.message = message;
    this.percent = percent;
    for (const l of this.listeners) l(this);
  }

  /** heading is what the page's title says: starting, or what went wrong. */
  heading(): string {
    if (!this.error) return `Starting ${this.title}…`;
    return this.error.code === 'E_START_TIMEOUT' || this.error.code === 'E_UPSTREAM_UNREACHABLE' ? `${this.title} does not answer` : `Could not start ${this.title}`;
  }

  /** plain is the failure in words for whoever opened the link; `message` stays the technical reason. */
  plain(): string {
    return PLAIN[this.kind ?? 'other'];
  }

  /** snapshot is the JSON the status stream sends; the app's log lines only when `showLog`. */
  snapshot(showLog = false): Record<string, unknown> {
    return {
      phase: this.phase, message: this.message, percent: this.percent, elapsed: Date.now() - this.began,
      ...(this.error ? { code: this.error.code, status: this.error.status, heading: this.heading(), plain: this.plain(), hints: this.detail?.hints ?? [] } : {}),
      ...(this.error && showLog ? { log: this.detail?.log ?? [] } : {}),
    };
  }
}

const STOPPED: ReadonlySet<ContainerState> = new Set(['exited', 'dead', 'failed', 'deleted', 'deleting']);
const GRACE_MS = 1_000;
const FAILED_KEEP_MS = 10_000;
// The log follower writes an app's lines in bursts of up to 50 ms: a failure waits that out.
const LOG_SETTLE_MS = 200;

/** Starter creates, shares and cancels on-demand starts. */
export type Starter = ReturnType<typeof createStarter>;

/** createStarter builds the start tracker over the services and the route cache. */
export function createStarter(svc: Pick<Services, 'containers' | 'bus' | 'config' | 'logger' | 'store'>, routes: Routes, metrics: ProxyMetrics) {
  const inflight = new Map<number, Start>();
  // A failed start stays visible briefly, so a waiting page that connects late still learns why.
  const failed = new Map<number, Start>();

  function detailFor(s: Start, kind: FailureKind): FailureDetail | null {
    const c = svc.store.containers.byId(s.id);
    if (!c) return null;
    if (kind === 'pull') return { log: [], hints: ['Check the repository and the tag, and that the container engine can reach the registry.'] };
    const d = startFailureDetail(svc.store, c, s.began, kind === 'other' ? 'exited' : kind);
    return kind === 'other' ? { log: d.log, hints: [] } : d;
  }

  /** fail settles `s` with `error` and the detail of `kind`, after the app's last lines are written. */
  function fail(s: Start, error: PorticoError, kind: FailureKind, wait = 0): void {
    if (s.settled || s.failing) return;
    s.failing = true;
    s.kind = kind;
    const done = () => {
      s.failing = false;
      try { s.detail = detailFor(s, kind); } catch (err) { svc.logger.warn('reading a failed start\'s log failed', { container: s.uuid, err }); }
      settle(s, error);
    };
    if (wait > 0) setTimeout(done, wait).unref();
    else done();
  }

  function settle(s: Start, error: PorticoError | null): void {
    if (s.settled || s.failing) return;
    if (error) {
      s.error = error;
      s.phase = 'failed';
      s.message = error.message;
      failed.set(s.id, s);
      setTimeout(() => { if (failed.get(s.id) === s) failed.delete(s.id); }, FAILED_KEEP_MS).unref();
    } else {
      s.phase = 'ready';
      s.message = 'The app is ready';
      s.percent = null;
    }
    s.settled = true;
    if (inflight.get(s.id) === s) inflight.delete(s.id);
    for (const l of s.listeners) l(s);
    s.resolve();
  }

  async function run(s: Start, route: Route, user: string): Promise<void> {
    const t0 = performance.now();
    let current = route;
    try {
      if (route.state !== 'running') {
        if (route.state === 'paused') s.set('unpausing', 'Resuming the paused container');
        await svc.containers.ensureRunning(route.id, user);
        routes.refresh(route.uuid);
        const fresh = routes.get(route.uuid);
        if (!fresh || !fresh.origin) throw new PorticoError('E_START_FAILED', 503, `container "${route.title}" is not running after the start`);
        current = fresh;
      }
    } catch (err) {
      if (s.settled) return;
      const message = err instanceof PorticoError ? err.message : (err as Error).message ?? String(err);
      const code = err instanceof PorticoError ? err.code : null;
      metrics.start('failed', (performance.now() - t0) / 1000);
      fail(s, new PorticoError('E_START_FAILED', 503, `could not start "${route.title}": ${message}`),
        code === 'E_IMAGE_PULL_FAILED' ? 'pull' : code === 'E_START_FAILED' ? 'exited' : 'other');
      return;
    }
    if (routes.isReady(current)) {
      if (route.state !== 'running') metrics.start('ok', (performance.now() - t0) / 1000);
      settle(s, null);
      return;
    }
    if (s.settled) return;
    s.set('waiting', 'Waiting for the app to answer');
    const origin = new URL(current.origin!);
    const deadline = Math.max((current.startedAt || Date.now()) + current.timeoutMs, Date.now() + svc.config.readinessIntervalMs);
    // Without a heartbeat URL, the page the app's link opens is probed.
    const fallback = (current.stripPrefix ? '/' : current.prefix + '/') + current.containerPath;
    const r = await waitReady({
      host: origin.hostname.replace(/^\[|\]$/g, ''), port: Number(origin.port || 80),
      path: heartbeatPath(current.heartbeatUrl, fallback), intervalMs: svc.config.readinessIntervalMs, deadline, signal: s.abort.signal,
    });
    if (s.settled) return;
    const seconds = (performance.now() - t0) / 1000;
    if (r.ok) {
      routes.markReady(current);
      metrics.start('ok', seconds);
      settle(s, null);
    } else if (r.reason === 'timeout') {
      metrics.start('timeout', seconds);
      const within = Math.round(current.timeoutMs / 1000);
      svc.containers.notAnswering(route.id, `no answer on port ${origin.port || 80} within ${within} s (${r.detail})`, user);
      fail(s, new PorticoError('E_START_TIMEOUT', 504, `the app of "${route.title}" did not answer within ${within} s (${r.detail})`), 'not-answering');
    } else if (r.reason === 'aborted') {
      settle(s, new PorticoError('E_START_FAILED', 503, 'waiting was cancelled'));
    } else {
      metrics.start('failed', seconds);
      svc.containers.notAnswering(route.id, `the port ${origin.port || 80} does not speak HTTP (${r.detail})`, user);
      fail(s, new PorticoError('E_UPSTREAM_UNREACHABLE', 502, `the app of "${route.title}" does not speak HTTP (${r.detail})`), 'not-answering');
    }
  }

  function maybeCancel(s: Start): void {
    if (s.settled || s.waiters > 0) return;
    const left = s.leaseUntil - Date.now();
    if (left > 0) {
      setTimeout(() => maybeCancel(s), left).unref();
      return;
    }
    // Nobody is waiting: stop polling the app (the engine's start itself runs to its end).
    s.abort.abort();
    settle(s, new PorticoError('E_START_FAILED', 503, 'waiting was cancelled: nobody is waiting'));
  }

  // The Bus tells what the lifecycle is doing; only containers with a start in flight matter.
  const onState = (e: { containerId: number; state: ContainerState; reason: string | null }) => {
    const s = inflight.get(e.containerId);
    if (!s) return;
    if (e.state === 'pulling') s.set('pulling', 'Pulling the image', s.percent);
    else if (e.state === 'created') s.set('starting', 'Starting the container');
    else if (e.state === 'running' && s.phase !== 'waiting') s.set('waiting', 'Waiting for the app to answer');
    else if (STOPPED.has(e.state) && s.phase === 'waiting') {
      s.abort.abort();
      fail(s, new PorticoError('E_START_FAILED', 503, `"${s.title}" stopped while starting${e.reason ? `: ${e.reason}` : ` (${e.state})`}`), 'exited', LOG_SETTLE_MS);
    }
  };
  const onProgress = (e: { containerId: number; status: string; percent: number | null }) => {
    const s = inflight.get(e.containerId);
    if (s) s.set('pulling', `Pulling the image: ${e.status}`, e.percent);
  };
  const onLog = (e: { containerId: number; process: string; text: string }) => {
    const s = inflight.get(e.containerId);
    if (!s || e.process !== 'Task' || s.phase === 'waiting') return;
    if (e.text.startsWith('Creating')) s.set('creating', 'Creating the container');
    else if (e.text.startsWith('Starting ...')) s.set('starting', 'Starting the container');
  };
  svc.bus.on('state', onState);
  svc.bus.on('progress', onProgress);
  svc.bus.on('log', onLog);

  return {
    /** join returns the start in flight for the route's container, or begins one on behalf of `user`. */
    join(route: Route, user: string): Start {
      let s = inflight.get(route.id);
      if (!s) {
        s = new Start(route);
        inflight.set(route.id, s);
        const started = s;
        run(started, route, user).catch((err) => {
          svc.logger.error('on-demand start failed unexpectedly', { container: route.uuid, err });
          settle(started, new PorticoError('E_INTERNAL', 500, 'internal error while starting'));
        });
      }
      return s;
    },
    /** current is the start in flight for a container, if any. */
    current: (id: number): Start | undefined => inflight.get(id),
    /** recentFailure is a start that failed in the last few seconds, if any. */
    recentFailure: (id: number): Start | undefined => failed.get(id),
    /** hold counts one waiter until the returned release is called (its client went away or was answered). */
    hold(s: Start): () => void {
      s.waiters++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        s.waiters--;
        if (s.waiters === 0) setTimeout(() => maybeCancel(s), GRACE_MS).unref();
      };
    },
    /** lease keeps a start alive without a waiter for `ms` (a waiting page about to open its status stream). */
    lease(s: Start, ms: number): void {
      s.leaseUntil = Math.max(s.leaseUntil, Date.now() + ms);
      if (s.waiters === 0) setTimeout(() => maybeCancel(s), ms + 10).unref();
    },
    close(): void {
      svc.bus.off('state', onState);
      svc.bus.off('progress', onProgress);
      svc.bus.off('log', onLog);
      for (const s of inflight.values()) { s.abort.abort(); settle(s, new PorticoError('E_START_FAILED', 503, 'the gateway is shutting down')); }
    },
  };
}
