/**
 * projects.ts: a project's pages share one shell, a sidebar with Containers, Container Templates,
 * Small Files and Members (templates/partials/project-shell.eta). `/projects/<uuid>` opens the
 * Containers page, as Kiosc's project page leads to its apps.
 */
import type { ProjectAccess } from '../../gateway/core/auth/access.ts';
import { can } from '../../gateway/core/auth/roles.ts';
import type { UiDeps } from './pages.ts';
import { redirect, requirePageUser } from './pages.ts';

/** ProjectNav names the sidebar entries. */
export type ProjectNav = 'containers' | 'templates' | 'files' | 'members' | 'settings';

/**
 * projectShell is the data project-shell.eta needs. Pages of a project render their view with
 * `<% layout('/partials/project-shell') %>` and spread this into their data.
 */
export function projectShell(pa: ProjectAccess, nav: ProjectNav): Record<string, unknown> {
  return {
    project: pa.project,
    role: pa.role,
    roleLabel: pa.role ?? (pa.user.isAdmin ? 'site admin' : ''),
    nav,
    // Settings (rename, archive, delete) are for owners, delegates and site admins.
    canSettings: can(pa.user.isAdmin, pa.role, 'project.update'),
  };
}

/** ContainerBack is the way back from a container's page: its project's list, or My apps for an app instance. */
export interface ContainerBack { url: string; label: string }

/** containerBack is where a container's pages lead back to (and where a deleted one's page goes). */
export function containerBack(project: Pick<ProjectAccess['project'], 'uuid' | 'kind'>): ContainerBack {
  return project.kind === 'apps' ? { url: '/apps/mine', label: 'My apps' } : { url: `/projects/${project.uuid}/containers`, label: 'Containers' };
}

/**
 * containerShell is projectShell for a container's pages (detail, stats, delete, edit, confirm). An
 * app instance lives in the hidden 'apps' project (docs/apps.md), which nobody opens (404): its pages
 * get the apps shell (My apps, All apps) instead, never that project's title, role, menu or links.
 */
export function containerShell(pa: ProjectAccess, nav: ProjectNav): Record<string, unknown> {
  const back = containerBack(pa.project);
  if (pa.project.kind !== 'apps') return { ...projectShell(pa, nav), back };
  return { project: null, appsShell: true, role: pa.role, roleLabel: '', nav, canSettings: false, back };
}

/** registerProjects adds GET /projects/:project. */
export function registerProjects(d: UiDeps): void {
  d.on('GET', '/projects/:project', (ctx) => {
    const caller = requirePageUser(d.svc, ctx.req, ctx.res);
    const pa = d.svc.access.project(caller.user, ctx.params.project);
    redirect(ctx.req, ctx.res, `/projects/${pa.project.uuid}/containers`);
  });
}
