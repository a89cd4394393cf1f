/**
 * types.ts (apps): the app platform's records (docs/apps.md). A catalogue app is an image plus its
 * launch settings; a grant gives it to a user or to every member of a project under a policy; an
 * instance is an ordinary Container row with an owner, an app and a policy.
 */

/** AppSettings are an app's launch settings, read from labels or set by a site admin. */
export interface AppSettings {
  /** port the app listens on in its container. */
  port: number;
  /** path is what follows the link's prefix when the app opens (Kiosc's container_path). */
  path: string;
  stripPrefix: boolean;
  /** readinessPath is requested until it answers before the app counts as started ('' = the link's path). */
  readinessPath: string;
  /** type is Simphony-remote's `type` label (webapp, vncapp), kept as text. */
  type: string;
  /** env maps each variable the image understands (its `env.*` labels) to its default value. */
  env: Record<string, string>;
}

/** AppOverrides are what a site admin changed over the labels (any subset). */
export type AppOverrides = Partial<AppSettings & { title: string; description: string }>;

/** App is one catalogue entry; `settings`, `title` and `description` are the effective values (labels, then overrides). */
export interface App {
  id: number;
  uuid: string;
  slug: string;
  /** image is the full reference, repository:tag. */
  image: string;
  source: 'labels' | 'admin';
  title: string;
  description: string;
  iconType: string | null;
  settings: AppSettings;
  /** labelSettings are the settings as the labels gave them (before overrides). */
  labelSettings: AppSettings;
  labelTitle: string;
  labelDescription: string;
  overrides: AppOverrides;
  /** labelProblems are the labels that were refused, each with why (never fatal). */
  labelProblems: string[];
  public: boolean;
  enabled: boolean;
  imageId: string | null;
  scannedAt: string | null;
  createdAt: string;
  modifiedAt: string;
}

/** VolumeMount is a grant's shared volume: a name from PORTICO_APP_VOLUMES (or a path under one), where, and how. */
export interface VolumeMount { source: string; target: string; mode: 'ro' | 'rw' }

/** Policy is how a grant runs its app (Simphony-remote's ApplicationPolicy). */
export interface Policy {
  allowHome: boolean;
  allowView: boolean;
  /** allowEnv lets the user set the image's env.* variables at launch (migration 16). */
  allowEnv: boolean;
  volume: VolumeMount | null;
}

/** AppGrant gives an app to one user or to every member of one project under a policy. */
export interface AppGrant {
  id: number;
  uuid: string;
  appId: number;
  userId: number | null;
  projectId: number | null;
  /** username or projectTitle names the grantee for lists. */
  username: string | null;
  projectTitle: string | null;
  policy: Policy;
  policyKey: string;
  createdBy: string;
  createdAt: string;
}

/** Choice is one (app, policy) a user may launch: the same app under two policies is two choices. */
export interface Choice { app: App; policy: Policy; policyKey: string }
