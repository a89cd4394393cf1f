/**
 * container-view.ts: turns container records into what the templates show: readable dates, the
 * state badge with its mismatch bell, the eye link, and the controls allowed in this state for
 * this role. Pure functions, so templates hold no logic and the rules are unit-testable.
 */
import { ACTION_PERMISSIONS, can } from '../../gateway/core/auth/roles.ts';
import { maskEnvironment } from '../../gateway/core/containers/validate.ts';
import { publicPrefix } from '../../gateway/core/containers/spec.ts';
import type { Container, ContainerAction, ContainerState, Role } from '../../gateway/core/types.ts';
import type { ContainerGroup } from './container-group.ts';

/** Viewer is who looks at a container: site-admin flag, project role and the session's CSRF token. */
export interface Viewer { isAdmin: boolean; role: Role | null; csrf: string }

/** MENU lists the actions offered per state (Kiosc 1.6.4: stopped → Start; running → Stop, Pause, Restart). */
const MENU: Record<ContainerState, readonly ContainerAction[]> = {
  initial: ['start'],
  pulling: [],
  created: ['start', 'kill'],
  running: ['stop', 'pause', 'restart', 'kill', 'reset'],
  paused: ['unpause', 'stop', 'kill'],
  restarting: ['stop', 'kill'],
  exited: ['start', 'reset'],
  dead: ['start', 'reset'],
  failed: ['start', 'reset'],
  deleting: [],
  deleted: [],
};

const LABELS: Record<ContainerAction, { label: string; hint: string }> = {
  start: { label: 'Start', hint: 'Create the Docker container from its image and start it' },
  stop: { label: 'Stop', hint: 'Stop the Docker container' },
  pause: { label: 'Pause', hint: 'Freeze the processes of the container' },
  unpause: { label: 'Unpause', hint: 'Resume a paused container' },
  restart: { label: 'Restart', hint: 'Stop, remove and recreate the container (picks up changed settings)' },
  kill: { label: 'Kill', hint: 'Send SIGKILL: stop at once, without a clean shutdown' },
  reset: { label: 'Hard reset', hint: 'Force-remove the Docker container and recreate it from its image' },
  delete: { label: 'Delete', hint: 'Stop and remove the container and its record' },
};

/** actionLabel is the button text of an action. */
export function actionLabel(action: ContainerAction): string {
  return LABELS[action].label;
}

const CONFIRMS: Partial<Record<ContainerAction, string>> = {
  kill: 'It stops at once, without a clean shutdown: work the app has not saved is lost.',
  reset: 'Portico force-removes the Docker container and creates it again from its image: anything not on a data volume is lost.',
};

/** confirmQuestion is what the confirm step of a destructive action says about `title` (null: the action needs none). */
export function confirmQuestion(action: ContainerAction, title: string): { question: string; detail: string } | null {
  const detail = CONFIRMS[action];
  return detail ? { question: `${LABELS[action].label} ${title}?`, detail } : null;
}

function confirmText(action: ContainerAction, title: string): string | null {
  const q = confirmQuestion(action, title);
  return q ? `${q.question} ${q.detail}` : null;
}

/** EXPECTS is the state each last action should leave the container in; anything else rings the bell. */
const EXPECTS: Partial<Record<ContainerAction, readonly ContainerState[]>> = {
  start: ['running'], restart: ['running'], reset: ['running'], unpause: ['running'],
  pause: ['paused'],
  stop: ['exited', 'initial', 'dead', 'created'], kill: ['exited', 'initial', 'dead', 'created'],
};

const TRANSIENT = new Set<ContainerState>(['pulling', 'restarting', 'deleting']);

/** stateMismatch tells whether the last action and the state disagree (Kiosc's bell), ignoring work in progress. */
export function stateMismatch(c: Pick<Container, 'state' | 'lastAction'>, busy: boolean): boolean {
  if (busy || !c.lastAction || TRANSIENT.has(c.state)) return false;
  const want = EXPECTS[c.lastAction];
  return want !== undefined && !want.includes(c.state);
}

/** allowedActions lists the controls `viewer` gets for a container in `state` (none for guests). */
export function allowedActions(state: ContainerState, viewer: Pick<Viewer, 'isAdmin' | 'role'>): ContainerAction[] {
  return MENU[state].filter((a) => can(viewer.isAdmin, viewer.role, ACTION_PERMISSIONS[a]));
}

/** fmtDate renders an ISO date as Kiosc does ("2021-10-26 19:20", UTC); '' for none. */
export function fmtDate(iso: string | null, seconds = false): string {
  if (!iso) return '';
  return iso.replace('T', ' ').slice(0, seconds ? 19 : 16);
}

/** RowView is one container as a list row, the detail header and the live fragments show it. */
export interface RowView {
  uuid: string;
  title: string;
  description: string;
  image: string;
  created: string;
  state: ContainerState;
  reason: string;
  /** notAnswering is why a running app did not answer within its timeout, or ''. */
  notAnswering: string;
  mismatch: boolean;
  mismatchHint: string;
  busy: boolean;
  running: boolean;
  eyeHref: string;
  detailUrl: string;
  /** group is the project (or, for an app instance, the app) a site-admin list shows before the title; null elsewhere. */
  group: ContainerGroup | null;
  actions: Array<{ action: ContainerAction; label: string; hint: string; danger: boolean; confirm: string | null }>;
  canUpdate: boolean;
  canDelete: boolean;
  hasControls: boolean;
  csrf: string;
}

/** rowView builds the list-row view of `c` for `viewer`; `busy` says an action is queued or running; `group` is for site-admin lists. */
export function rowView(c: Container, viewer: Viewer, busy: boolean, group: ContainerGroup | null = null): RowView {
  const actions = allowedActions(c.state, viewer).map((a) => ({ action: a, ...LABELS[a], danger: a === 'kill' || a === 'reset', confirm: confirmText(a, c.title) }));
  const gone = c.state === 'deleting' || c.state === 'deleted';
  const canUpdate = !gone && can(viewer.isAdmin, viewer.role, 'container.update');
  const canDelete = !gone && can(viewer.isAdmin, viewer.role, 'container.delete');
  const mismatch = stateMismatch(c, busy);
  return {
    uuid: c.uuid,
    title: c.title,
    description: c.description,
    image: `${c.repository}:${c.tag}`,
    created: fmtDate(c.createdAt),
    state: c.state,
    reason: c.state === 'running' && c.readinessFailure ? `running, not answering: ${c.readinessFailure}` : c.stateReason ?? '',
    notAnswering: c.state === 'running' ? c.readinessFailure ?? '' : '',
    mismatch,
    mismatchHint: mismatch ? `Last action was ${c.lastAction}, but the container is ${c.state}` : '',
    busy,
    running: c.state === 'running',
    eyeHref: publicPrefix(c),
    detailUrl: `/containers/${c.uuid}`,
    group,
    actions,
    canUpdate,
    canDelete,
    hasControls: actions.length > 0 || canUpdate || canDelete,
    csrf: viewer.csrf,
  };
}

/** DetailView adds every stored field (secrets masked) to the row view. */
export interface DetailView extends RowView {
  fields: Array<{ label: string; value: string; code?: boolean; empty: boolean }>;
  environmentJson: string;
  secretKeys: string;
  lastAction: string;
  runtime: Array<{ label: string; value: string; code?: boolean; empty: boolean; full?: string }>;
  pulling: boolean;
}

function field(label: string, value: string | number | null | undefined, code = false) {
  const v = value === null || value === undefined ? '' : String(value);
  return { label, value: v, code, empty: v === '' };
}

/** detailView builds the detail page's view of `c` (environment masked for every reader). */
export function detailView(c: Container, viewer: Viewer, busy: boolean): DetailView {
  const row = rowView(c, viewer, busy);
  const env = maskEnvironment(c.environment, c.environmentSecretKeys);
  return {
    ...row,
    fields: [
      field('UUID', c.uuid, true),
      field('Date created', fmtDate(c.createdAt)),
      field('Date modified', fmtDate(c.modifiedAt)),
      field('Repository:Tag', row.image, true),
      field('Container port', c.containerPort),
      field('Container path', c.containerPath, true),
      field('Proxy URL', row.eyeHref, true),
      field('Strip prefix', c.stripPrefix ? 'yes: the app sees paths without /containers/proxy/<uuid>' : 'no: the app sees the full path'),
      field('Heartbeat URL', c.heartbeatUrl, true),
      field('Timeout', `${c.timeout} s`),
      field('Command', c.command, true),
      field('Max retries', c.maxRetries),
      field('Inactivity threshold', `${c.inactivityThreshold} days`),
      field('Data path', c.dataPath ? `${c.dataPath} (a persistent volume; see Site admin · Docker)` : '', true),
    ],
    environmentJson: Object.keys(env).length ? JSON.stringify(env, null, 2) : '',
    secretKeys: c.environmentSecretKeys.join(', '),
    lastAction: c.lastAction ? `${c.lastAction} (${c.lastActionRetries}/${c.maxRetries})` : '',
    runtime: [
      field('Last action', c.lastAction ? `${c.lastAction} (${c.lastActionRetries}/${c.maxRetries})${c.lastActionAt ? ' at ' + fmtDate(c.lastActionAt) : ''}` : ''),
      field('Stopped by', c.stoppedBy ? `${c.stoppedBy}: only opening its link or a start starts it again`
        : c.stoppedIdle ? 'the idle rule: opening its link starts it again' : ''),
      // Short ids, as `docker ps` shows them (and every docker command accepts); the full id is the tooltip.
      { ...field('Container ID', c.dockerId?.slice(0, 12), true), full: c.dockerId ?? '' },
      field('Container name', c.dockerName, true),
      { ...field('Image ID', c.imageId?.replace(/^sha256:/, '').slice(0, 12), true), full: c.imageId ?? '' },
      field('Container IP', c.containerIp, true),
      field('Host port', c.hostPort),
      field('Date started', fmtDate(c.dateStarted)),
      field('Date accessed', fmtDate(c.dateAccessed)),
      field('Date of latest Docker log', fmtDate(c.dateLastDockerLog)),
    ],
    pulling: c.state === 'pulling',
  };
}
