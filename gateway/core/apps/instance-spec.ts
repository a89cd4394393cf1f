/**
 * instance-spec.ts: what a per-user app instance adds to the ContainerSpec its container row gives:
 * a readable name after the image and the user (SRC's IMAGE--USER), Simphony-remote's container
 * labels, the user's home volume (allow_home) and the grant's allowlisted host directory. It reads
 * the policy from the row's policy key, so a resumed container's spec hash stays the same.
 */
import type { Config } from '../config.ts';
import type { ContainerSpec } from '../engine/engine.ts';
import type { Store } from '../store/index.ts';
import type { Container, User } from '../types.ts';
import { LABELS } from '../containers/spec.ts';
import { parsePolicyKey, resolveVolume } from './policy.ts';

/** INSTANCE_LABELS are the labels on an instance's container (and its home volume). */
export const INSTANCE_LABELS = {
  app: 'portico.app',
  owner: 'portico.owner',
  policy: 'portico.policy',
  home: 'portico.home',
  urlId: 'eu.simphony-project.docker.url_id',
  mappingId: 'eu.simphony-project.docker.mapping_id',
  user: 'eu.simphony-project.docker.user',
} as const;

/** nameSlug makes a Docker-name-safe slug of an image or user name. */
export function nameSlug(text: string, max = 40): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9_.]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-_.]+|[-_.]+$/g, '').slice(0, max) || 'x';
}

/** imageName is the image part of an instance's name: the repository's last path part ("portico-test/httpd:1" → "httpd"). */
export function imageName(image: string): string {
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  return nameSlug(repo.slice(repo.lastIndexOf('/') + 1));
}

/** instanceDockerName is SRC's IMAGE--USER, prefixed and suffixed so it is unique on a shared engine. */
export function instanceDockerName(image: string, username: string, uuid: string): string {
  return `portico-${imageName(image)}--${nameSlug(username)}-${uuid.slice(0, 8)}`;
}

/** homeVolumeName is a user's home volume: one per user and Portico instance, kept across instances. */
export function homeVolumeName(instance: string, user: Pick<User, 'uuid' | 'username'>): string {
  return `portico-${instance}-home-${nameSlug(user.username, 30)}-${user.uuid.slice(0, 8)}`;
}

/** mappingId is Simphony-remote's mapping_id: a key for (image, policy), the same for every user. */
export function mappingId(appUuid: string, policyKey: string): string {
  // Short and stable; not a secret.
  let h = 0x811c9dc5;
  for (const ch of appUuid + '|' + policyKey) { h ^= ch.charCodeAt(0); h = Math.imul(h, 0x01000193) >>> 0; }
  return `${appUuid.replace(/-/g, '').slice(0, 24)}${h.toString(16).padStart(8, '0')}`;
}

/**
 * applyInstance adds an instance's name, labels, home volume and bind to `spec` (in place, before
 * the spec hash is taken). A container that is not an instance is left as it is. A grant volume
 * that no longer passes the allowlist (the setting changed) fails the start with its reason.
 */
export function applyInstance(spec: ContainerSpec, c: Container, config: Config, store: Store): void {
  if (c.appId === null || c.policyKey === null) return;
  const app = store.apps.byId(c.appId);
  const owner = c.ownerUserId !== null ? store.users.byId(c.ownerUserId) : null;
  const policy = parsePolicyKey(c.policyKey);
  const username = owner?.username ?? 'public';
  spec.name = instanceDockerName(app?.image ?? `${c.repository}:${c.tag}`, username, c.uuid);
  spec.aliases = [spec.name];
  Object.assign(spec.labels, {
    [INSTANCE_LABELS.app]: app?.uuid ?? '',
    [INSTANCE_LABELS.owner]: owner?.uuid ?? '',
    [INSTANCE_LABELS.policy]: c.policyKey,
    [INSTANCE_LABELS.urlId]: c.uuid,
    [INSTANCE_LABELS.mappingId]: mappingId(app?.uuid ?? '', c.policyKey),
    [INSTANCE_LABELS.user]: username,
  });
  if (policy?.allowHome && owner) {
    spec.volumes = [...spec.volumes, {
      name: homeVolumeName(config.instance, owner), target: config.apps.homePath,
      labels: { [LABELS.managed]: 'true', [LABELS.instance]: config.instance, [INSTANCE_LABELS.home]: owner.uuid, [INSTANCE_LABELS.owner]: owner.username },
    }];
  }
  if (policy?.volume) {
    const m = resolveVolume(policy.volume, config.apps.volumes);
    spec.binds = [{ hostPath: m.hostPath, target: m.target, readOnly: m.readOnly }];
  }
}
