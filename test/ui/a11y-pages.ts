/**
 * a11y-pages.ts: every page of the UI that the accessibility check (a11y.test.ts) walks, with the
 * role that opens it. New pages go here: add a line with the path (built from the fixture's ids)
 * and the role; `phone: false` keeps a page out of the phone pass; `open` is a selector clicked
 * first (a menu or a confirm dialog, checked in its open state).
 */

/** A11yRole is who opens a page: nobody logged in, a project member (contributor), its owner, or a site admin. */
export type A11yRole = 'anon' | 'user' | 'owner' | 'admin';

/** A11yFixture holds the ids the test's demo data has (one project, container, templates and file). */
export interface A11yFixture {
  project: string;
  container: string;
  template: string;
  siteTemplate: string;
  file: string;
}

/** A11yPage is one path to check and the role that opens it. */
export interface A11yPage { path: string; as: A11yRole; phone?: boolean; open?: string }

/** a11yPages lists the pages the accessibility check opens, for the fixture's ids. */
export function a11yPages(f: A11yFixture): A11yPage[] {
  const p = `/projects/${f.project}`;
  return [
    { path: '/login', as: 'anon' },
    { path: '/no/such/page', as: 'anon' },
    { path: '/', as: 'user' },
    { path: `${p}/containers`, as: 'user' },
    { path: `/containers/${f.container}`, as: 'user' },
    { path: `/containers/${f.container}/stats`, as: 'user' },
    { path: `${p}/templates`, as: 'user' },
    { path: `${p}/templates/${f.template}`, as: 'user' },
    { path: `${p}/files`, as: 'user' },
    { path: `${p}/members`, as: 'user' },
    { path: '/templates', as: 'user' },
    { path: `/templates/${f.siteTemplate}`, as: 'user' },
    { path: '/tokens', as: 'user' },
    { path: '/password', as: 'user' },
    { path: '/tokens', as: 'user', open: 'form[data-confirm] button[type="submit"]' },
    { path: `${p}/containers`, as: 'owner' },
    { path: `${p}/containers`, as: 'owner', open: 'details.menu > summary' },
    { path: `${p}/members`, as: 'owner', open: 'details.usermenu > summary, .usermenu summary' },
    { path: `${p}/containers/create`, as: 'owner' },
    { path: `/containers/${f.container}`, as: 'owner' },
    { path: `/containers/${f.container}/update`, as: 'owner' },
    { path: `/containers/${f.container}/delete`, as: 'owner' },
    { path: `${p}/templates`, as: 'owner' },
    { path: `${p}/templates/create`, as: 'owner' },
    { path: `${p}/templates/${f.template}/update`, as: 'owner' },
    { path: `${p}/templates/${f.template}/delete`, as: 'owner' },
    { path: `${p}/files`, as: 'owner' },
    { path: `${p}/files/${f.file}/delete`, as: 'owner' },
    { path: `${p}/members`, as: 'owner' },
    { path: `${p}/settings`, as: 'owner' },
    { path: `${p}/delete`, as: 'owner' },
    { path: '/', as: 'admin' },
    { path: '/siteadmin', as: 'admin' },
    { path: '/siteadmin/engine', as: 'admin' },
    { path: '/siteadmin/docker', as: 'admin' },
    { path: '/siteadmin/bulk/stop-all', as: 'admin' },
    { path: '/admin', as: 'admin' },
    { path: '/admin/users', as: 'admin' },
    { path: '/admin/projects', as: 'admin' },
    { path: '/admin/sodar', as: 'admin' },
    { path: '/templates/create', as: 'admin' },
    { path: `/templates/${f.siteTemplate}/update`, as: 'admin' },
    // Pages of issues 16–18 (apps, sharing, audit, hosts, image hosts, nodes, onboarding, branding).
    { path: '/new-project', as: 'user' },
    { path: '/apps', as: 'user' },
    { path: '/shared', as: 'user' },
    { path: '/audit', as: 'owner' },
    { path: '/apps', as: 'admin' },
    { path: '/apps/admin', as: 'admin' },
    { path: '/audit', as: 'admin' },
    { path: '/siteadmin/hosts', as: 'admin' },
    { path: '/siteadmin/image-hosts', as: 'admin' },
    { path: '/siteadmin/nodes', as: 'admin' },
    { path: '/admin/branding', as: 'admin' },
  ];
}
