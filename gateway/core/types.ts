/**
 * types.ts: Portico's domain records, shared by the store, the services and the HTTP surfaces.
 * Names and values follow Kiosc where Kiosc has them (states, actions, roles, container fields).
 */

/** CONTAINER_STATES are Kiosc's states plus the transient ones Portico shows while it works. */
export const CONTAINER_STATES = [
  'initial', 'pulling', 'created', 'running', 'paused', 'restarting', 'exited', 'dead', 'failed', 'deleting', 'deleted',
] as const;
export type ContainerState = (typeof CONTAINER_STATES)[number];

/** CONTAINER_ACTIONS are Kiosc's actions plus kill and reset (a hard reset: force-remove, then start afresh). */
export const CONTAINER_ACTIONS = ['start', 'stop', 'pause', 'unpause', 'restart', 'delete', 'kill', 'reset'] as const;
export type ContainerAction = (typeof CONTAINER_ACTIONS)[number];

/** ROLES are Kiosc's (SODAR's) project roles, strongest first. */
export const ROLES = ['owner', 'delegate', 'contributor', 'guest'] as const;
export type Role = (typeof ROLES)[number];

/** LogProcess is the source column of a container log line, as in Kiosc. */
export type LogProcess = 'Object' | 'Action' | 'Task' | 'Docker' | 'Proxy';
export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

/** User is a person (or robot) who can log in. */
export interface User {
  id: number;
  uuid: string;
  username: string;
  name: string;
  email: string;
  isAdmin: boolean;
  /** source: 'oidc' users have an OpenID Connect identity and no password login. */
  source: 'local' | 'ldap' | 'oidc';
  active: boolean;
  createdAt: string;
  /** guest: a public app's visitor (docs/apps.md): reaches only their instance through the proxy; no person. */
  guest: boolean;
}

/** Project groups containers, templates, files and members. */
export interface Project {
  id: number;
  uuid: string;
  title: string;
  description: string;
  /** readme is SODAR's longer project text (Markdown, shown as plain text). */
  readme: string;
  /** archived projects are read-only (docs/projects-api.md). */
  archived: boolean;
  /** deletingAt is set when a delete began (its durable intent); the project is gone for everyone from then on. */
  deletingAt: string | null;
  /** kind 'apps' is the one hidden project that holds every per-user app instance (docs/apps.md); lists show kind 'project'. */
  kind: 'project' | 'apps';
  createdAt: string;
}

/** Membership is one user's role in one project (a SODAR role assignment, addressed by `uuid`). */
export interface Membership {
  projectId: number;
  userId: number;
  role: Role;
  uuid: string;
  username?: string;
}

/** ContainerSettings are the user-editable fields of a container (Kiosc's form, plus strip_prefix). */
export interface ContainerSettings {
  title: string;
  description: string;
  repository: string;
  tag: string;
  containerPort: number;
  containerPath: string;
  heartbeatUrl: string;
  timeout: number;
  environment: Record<string, unknown>;
  environmentSecretKeys: string[];
  command: string;
  maxRetries: number;
  inactivityThreshold: number;
  stripPrefix: boolean;
  /** dataPath is where the container's persistent data volume is mounted ('' = no volume). */
  dataPath: string;
  templateSiteUuid: string | null;
  templateProjectUuid: string | null;
  /** requestedHostPort is the host port a client asked for (Kiosc's host_port), used when ports are published. */
  requestedHostPort: number | null;
}

/** Container is the stored record: settings plus what Portico learned from the engine. */
export interface Container extends ContainerSettings {
  id: number;
  uuid: string;
  projectId: number;
  projectUuid: string;
  state: ContainerState;
  dockerId: string | null;
  dockerName: string | null;
  imageId: string | null;
  containerIp: string | null;
  hostPort: number | null;
  lastAction: ContainerAction | null;
  lastActionRetries: number;
  lastActionAt: string | null;
  stateReason: string | null;
  /** stoppedBy is the person whose stop (or kill) holds the container stopped; null once it starts again. */
  stoppedBy: string | null;
  /** stoppedIdle is set when the idle rule stopped the container (cleared when it starts again). */
  stoppedIdle: boolean;
  /** readinessFailure says why a running container's app did not answer within its timeout (until its next run). */
  readinessFailure: string | null;
  dateLastDockerLog: string | null;
  dateAccessed: string | null;
  dateStarted: string | null;
  /** dateLastStatusUpdate is when the state last changed (Kiosc's date_last_status_update; null until it does). */
  dateLastStatusUpdate: string | null;
  /** unsetFields are Kiosc's nullable text fields (UNSET_FIELDS) no client ever gave: Kiosc's API shows them as null. */
  unsetFields: string[];
  /** ownerUserId, appId and policyKey are set on a per-user app instance (docs/apps.md): whose, which app, which policy. */
  ownerUserId: number | null;
  appId: number | null;
  policyKey: string | null;
  /** publicSession names the anonymous session a public app's instance belongs to (null otherwise). */
  publicSession: string | null;
  /** hostId is the container host it runs on (store/hosts.ts); null is the built-in host (DOCKER_HOST). */
  hostId: number | null;
  createdAt: string;
  modifiedAt: string;
}

/** LogEntry is one line of a container's merged log. */
export interface LogEntry {
  id: number;
  containerId: number;
  date: string;
  level: LogLevel;
  user: string;
  process: LogProcess;
  text: string;
}

/** Job is one run of an action on a container. */
export interface Job {
  id: number;
  containerId: number;
  action: ContainerAction;
  user: string;
  status: 'running' | 'done' | 'failed';
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** Principal is who is calling: a user (with site-admin flag) or nobody. */
export interface Principal {
  user: User;
  via: 'session' | 'token' | 'cli';
}

/** TemplateSettings are a template's container fields: a container's minus title, origin and secret values. */
export type TemplateSettings = Omit<ContainerSettings, 'title' | 'templateSiteUuid' | 'templateProjectUuid' | 'requestedHostPort'>;

/** ContainerTemplate is a site-wide (projectId null) or project-wide set of container settings. */
export interface ContainerTemplate {
  id: number;
  uuid: string;
  projectId: number | null;
  projectUuid: string | null;
  projectTitle: string | null;
  title: string;
  settings: TemplateSettings;
  /** hostId is the container host its containers run on (null: the default host at creation). */
  hostId: number | null;
  createdAt: string;
  modifiedAt: string;
}

/** StoredFile is one small file of a project; its bytes live on disk under the files directory. */
export interface StoredFile {
  id: number;
  uuid: string;
  projectId: number;
  projectUuid: string;
  name: string;
  size: number;
  sha256: string;
  contentType: string;
  uploadedBy: string;
  createdAt: string;
}
