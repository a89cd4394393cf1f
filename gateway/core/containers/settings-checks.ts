/**
 * settings-checks.ts: the checks of a container's settings against other records (template
 * references, Kiosc's unique host_port) and Kiosc's unset text fields.
 */
import { ValidationError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { ContainerSettings } from '../types.ts';

/**
 * checkTemplates refuses a template reference (the container's origin) that names no such
 * template: a site template for containertemplatesite, one of this project's for
 * containertemplateproject. A reference left unchanged is not checked again (its template may
 * have been deleted since, which is no reason to refuse an unrelated change).
 */
export function checkTemplates(store: Store, projectId: number, next: ContainerSettings, before: ContainerSettings | null): void {
  const errors: Record<string, string> = {};
  const site = next.templateSiteUuid;
  if (site !== null && site !== before?.templateSiteUuid) {
    const t = store.templates.byUuid(site);
    if (t === null || t.projectId !== null) errors.containertemplatesite = 'no site-wide template has this UUID';
  }
  const proj = next.templateProjectUuid;
  if (proj !== null && proj !== before?.templateProjectUuid) {
    const t = store.templates.byUuid(proj);
    if (t === null || t.projectId !== projectId) errors.containertemplateproject = "no template of this container's project has this UUID";
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}

/** checkHostPort refuses a host port another container already asked for (Kiosc's host_port is unique). */
export function checkHostPort(store: Store, next: ContainerSettings, exceptId: number): void {
  if (next.requestedHostPort === null) return;
  const holder = store.containers.requestedPortHolder(next.requestedHostPort, exceptId);
  if (holder !== null) {
    throw new ValidationError({ host_port: `port ${next.requestedHostPort} is already the host port of the container ${JSON.stringify(holder)}; choose another or leave it empty` });
  }
}

/** UNSET_FIELDS are Kiosc's nullable text fields: never given (or given null), Kiosc's API shows null. */
export const UNSET_FIELDS = ['description', 'heartbeat_url', 'environment', 'environment_secret_keys', 'command'] as const;

/** unsetAfter lists the UNSET_FIELDS unset once `input` is applied over `before` ('new': every field starts unset); a given value sets a field. */
export function unsetAfter(input: unknown, before: readonly string[] | 'new'): string[] {
  const inp = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  return UNSET_FIELDS.filter((k) => (Object.hasOwn(inp, k) && inp[k] !== undefined ? inp[k] === null : before === 'new' || before.includes(k)));
}
