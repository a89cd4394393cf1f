/**
 * container-group.ts: what the site-admin lists of every container (the Containers tab, its live
 * rows, the bulk-action reports) show before a container's title, and where that leads. A project
 * container names its project and leads to the project's Containers. A per-user app instance lives
 * in the hidden 'apps' project, which opens for nobody (404, docs/apps.md), so it names its app and
 * leads to the app's catalogue page (its grants, its instance count), or to the catalogue when the
 * app is gone; the instance itself is managed on its own page, which the title links to.
 */
import type { Store } from '../../gateway/core/store/index.ts';
import type { Container, Project } from '../../gateway/core/types.ts';

/** ContainerGroup is the link before a container's title in a site-admin list. */
export interface ContainerGroup { title: string; url: string }

/** GroupOf names the group of a container from its project and its app. */
export type GroupOf = (c: Pick<Container, 'projectUuid' | 'appId'>) => ContainerGroup;

const CATALOGUE: ContainerGroup = { title: 'Apps (per-user instances)', url: '/apps/admin' };

/** groupsOf builds a GroupOf over `store` that looks up each project and app once (a list shows many containers of few). */
export function groupsOf(store: Pick<Store, 'projects' | 'apps'>): GroupOf {
  const projects = new Map<string, Project | null>();
  const apps = new Map<number, ContainerGroup>();
  return (c) => {
    if (!projects.has(c.projectUuid)) projects.set(c.projectUuid, store.projects.byUuid(c.projectUuid));
    const p = projects.get(c.projectUuid);
    if (!p || p.kind === 'project') return { title: p?.title ?? '', url: `/projects/${c.projectUuid}/containers` };
    if (c.appId === null) return CATALOGUE;
    if (!apps.has(c.appId)) {
      const app = store.apps.byId(c.appId);
      apps.set(c.appId, app ? { title: `App: ${app.title}`, url: `/apps/admin/${app.uuid}` } : CATALOGUE);
    }
    return apps.get(c.appId)!;
  };
}
