/**
 * serialize-apps.ts: the app platform's JSON shapes (docs/apps.md): apps, choices, grants, instances.
 * Label problems and overrides are shown to site admins only.
 */
import type { App, AppGrant, Choice, Policy } from '../../gateway/core/apps/types.ts';
import type { InstanceRow } from '../../gateway/core/store/apps.ts';
import type { Container } from '../../gateway/core/types.ts';
import { publicPrefix } from '../../gateway/core/containers/spec.ts';
import { describePolicy } from '../../gateway/core/apps/policy.ts';

/** serializePolicy is a policy as the API shows it. */
export function serializePolicy(p: Policy): Record<string, unknown> {
  return {
    allow_home: p.allowHome, allow_view: p.allowView, allow_env: p.allowEnv,
    volume: p.volume ? `${p.volume.source}:${p.volume.target}:${p.volume.mode}` : null, summary: describePolicy(p),
  };
}

/** serializeApp is one catalogue app; `admin` adds the label problems and overrides. */
export function serializeApp(app: App, admin: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    uuid: app.uuid, slug: app.slug, image: app.image, source: app.source, title: app.title, description: app.description,
    icon_url: app.iconType ? `/api/apps/${app.uuid}/icon` : null, icon_type: app.iconType,
    type: app.settings.type, port: app.settings.port, path: app.settings.path, strip_prefix: app.settings.stripPrefix,
    readiness_path: app.settings.readinessPath, env: app.settings.env,
    public: app.public, public_url: app.public ? `/apps/public/${app.slug}` : null, enabled: app.enabled,
    scanned_at: app.scannedAt, date_created: app.createdAt, date_modified: app.modifiedAt,
  };
  if (admin) { out.label_problems = app.labelProblems; out.overrides = app.overrides; }
  return out;
}

/** serializeInstanceOf is the short form of an instance inside a choice (or null). */
export function serializeInstanceOf(c: Container | null): Record<string, unknown> | null {
  return c ? { uuid: c.uuid, state: c.state, link: publicPrefix(c) } : null;
}

/** serializeChoice is one (app, policy) a user may launch, with their instance of it. */
export function serializeChoice(ch: Choice, instance: Container | null, admin: boolean): Record<string, unknown> {
  return { ...serializeApp(ch.app, admin), policy_key: ch.policyKey, policy: serializePolicy(ch.policy), instance: serializeInstanceOf(instance) };
}

/** serializeGrant is one grant. */
export function serializeGrant(g: AppGrant, appUuid: string): Record<string, unknown> {
  return {
    uuid: g.uuid, app: appUuid, user: g.username, project: g.projectTitle, ...serializePolicy(g.policy), policy_key: g.policyKey,
    created_by: g.createdBy, date_created: g.createdAt,
  };
}

/** serializeInstance is one instance with its app and owner. */
export function serializeInstance(row: InstanceRow, owner: string | null): Record<string, unknown> {
  const c = row.container;
  return {
    uuid: c.uuid, app: row.appUuid, app_slug: row.appSlug, app_title: row.appTitle, owner, state: c.state, state_reason: c.stateReason,
    link: publicPrefix(c), policy_key: c.policyKey, public: c.publicSession !== null, docker_name: c.dockerName,
    date_created: c.createdAt, date_last_status_update: c.dateLastStatusUpdate, date_accessed: c.dateAccessed,
  };
}
