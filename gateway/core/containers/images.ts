/**
 * images.ts: the engine's images as the site admin manages them: which containers and templates use
 * each ("used by"), deleting one that nothing uses, and pruning. An image counts as used by a Portico
 * container whose recorded image id or repository:tag is it, by a template (site or project) naming
 * one of its tags, and by any engine container created from it (Portico's or not). A prune removes
 * only dangling images (no tag left) that no engine container and no Portico record uses; tagged
 * images, even unused, are left alone: they may be pulled on purpose for a template.
 */
import type { Engine, ImageInfo } from '../engine/engine.ts';
import { conflict, NotFoundError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { Container, ContainerTemplate } from '../types.ts';

/** ImageUse is one image with what uses it. */
export interface ImageUse {
  image: ImageInfo;
  containers: Array<{ uuid: string; title: string; projectUuid: string | null; state: string }>;
  templates: Array<{ uuid: string; title: string; projectUuid: string | null }>;
  /** engineContainers are engine containers from this image that no Portico record of this store owns. */
  engineContainers: Array<{ id: string; name: string; state: string }>;
}

/** inUse tells whether anything uses the image. */
export function inUse(u: ImageUse): boolean {
  return u.containers.length + u.templates.length + u.engineContainers.length > 0;
}

/**
 * OnHost says which records count on the engine at hand (docs/container-hosts.md): its host's
 * containers, and templates that name it or no host (those may land on any host). Without it,
 * every record counts.
 */
export interface OnHost { containers(c: Container): boolean; templates(t: ContainerTemplate): boolean }

type Deps = { store: Store; engine: Engine; onHost?: OnHost };

/** imageUsage lists every image of the engine with its users. */
export async function imageUsage(d: Deps): Promise<ImageUse[]> {
  const [images, engineAll] = await Promise.all([d.engine.listImages(), d.engine.list({ all: true })]);
  const all = d.store.containers.all();
  const records = d.onHost ? all.filter(d.onHost.containers) : all;
  const projects = new Map(d.store.projects.all().map((p) => [p.id, p.uuid]));
  const templates = [...d.store.templates.site(), ...d.store.templates.allProject()].filter(d.onHost?.templates ?? (() => true));
  // Every record's engine id, whichever host: a Portico container is never a foreign user.
  const ownDockerIds = new Set(all.map((c) => c.dockerId).filter(Boolean));
  return images.map((image) => {
    const tags = new Set(image.tags);
    const ref = (repository: string, tag: string) => `${repository}:${tag || 'latest'}`;
    return {
      image,
      containers: records.filter((c) => c.imageId === image.id || tags.has(ref(c.repository, c.tag)))
        .map((c) => ({ uuid: c.uuid, title: c.title, projectUuid: projects.get(c.projectId) ?? null, state: c.state })),
      templates: templates.filter((t) => t.settings.repository && tags.has(ref(t.settings.repository, t.settings.tag)))
        .map((t) => ({ uuid: t.uuid, title: t.title, projectUuid: t.projectUuid })),
      engineContainers: engineAll.filter((i) => i.imageId === image.id && !ownDockerIds.has(i.id))
        .map((i) => ({ id: i.id.slice(0, 12), name: i.name, state: i.state })),
    };
  });
}

/** usedByText names an image's users in one sentence (the refusal's message). */
export function usedByText(u: ImageUse): string {
  const parts = [
    ...u.containers.map((c) => `container "${c.title}"`),
    ...u.templates.map((t) => `template "${t.title}"`),
    ...u.engineContainers.map((c) => `Docker container ${c.name} (not Portico's)`),
  ];
  const shown = parts.slice(0, 5).join(', ') + (parts.length > 5 ? ` and ${parts.length - 5} more` : '');
  return shown;
}

/** findImage is the image whose id is `id` (with or without "sha256:"), with its users. */
export async function findImage(d: Deps, id: string): Promise<ImageUse> {
  const full = id.startsWith('sha256:') ? id : `sha256:${id}`;
  const u = (await imageUsage(d)).find((x) => x.image.id === full);
  if (!u) throw new NotFoundError('E_NOT_FOUND', `no image ${id.replace(/^sha256:/, '').slice(0, 12)} on the engine`);
  return u;
}

/** deleteImage removes an image that nothing uses (every tag, then the image); in use it is refused with who uses it. */
export async function deleteImage(d: Deps, id: string): Promise<ImageInfo> {
  const u = await findImage(d, id);
  if (inUse(u)) {
    throw conflict(`image ${u.image.tags[0] ?? u.image.id.slice(7, 19)} is in use by ${usedByText(u)}: delete or change those first`);
  }
  // Untagging each name keeps this unforced: the engine still refuses if a container appeared meanwhile.
  for (const tag of u.image.tags) await d.engine.removeImage(tag);
  if (!u.image.tags.length) await d.engine.removeImage(u.image.id);
  return u.image;
}

/** prunable are the images a prune removes: dangling (no tag) and used by nothing. */
export async function prunable(d: Deps): Promise<ImageInfo[]> {
  return (await imageUsage(d)).filter((u) => !u.image.tags.length && !inUse(u)).map((u) => u.image);
}

/** PruneReport says what a prune removed, what it could not and the bytes freed. */
export interface PruneReport { removed: ImageInfo[]; failed: Array<{ image: ImageInfo; error: string }>; bytes: number }

/** pruneImages removes every prunable image, each unforced (an image a container took meanwhile stays, and is reported). */
export async function pruneImages(d: Deps): Promise<PruneReport> {
  const report: PruneReport = { removed: [], failed: [], bytes: 0 };
  for (const image of await prunable(d)) {
    try {
      await d.engine.removeImage(image.id);
      report.removed.push(image);
      report.bytes += image.size;
    } catch (err) {
      report.failed.push({ image, error: (err as Error).message });
    }
  }
  return report;
}
