/**
 * identity.ts: the identity pages of the UI: login and logout, password change, API tokens,
 * project members, and the site administration of users, projects and read-only mode.
 */
import type { Services } from '../../gateway/core/services.ts';
import type { Router } from '../../gateway/http/router.ts';
import { htmlRoute } from './pages.ts';
import type { Renderer } from './render.ts';
import { registerLogin } from './login.ts';
import { registerPassword } from './password.ts';
import { registerTokens } from './tokens.ts';
import { registerMembers } from './members.ts';
import { registerAdminSite } from './admin-site.ts';
import { registerAdminUsers } from './admin-users.ts';
import { registerAdminProjects } from './admin-projects.ts';
import { registerAdminSodar } from './admin-sodar.ts';

/** registerIdentityUi adds every identity page. */
export function registerIdentityUi(router: Router, svc: Services, ui: Renderer): void {
  registerLogin(router, svc, ui);
  registerPassword(router, svc, ui);
  registerTokens(router, svc, ui);
  registerMembers(router, svc, ui);
  // A refusal on the site-admin pages (not an admin, a wrong CSRF token, a sync that cannot run) is
  // an HTML page, as on every other UI page, instead of the API's JSON error in the browser.
  const pages = pageRouter(router, svc, ui);
  registerAdminSite(pages, svc, ui);
  registerAdminUsers(pages, svc, ui);
  registerAdminProjects(pages, svc, ui);
  registerAdminSodar(pages, svc, ui);
}

function pageRouter(router: Router, svc: Services, ui: Renderer): Router {
  const pages = Object.create(router) as Router;
  pages.on = function (method, path, handler) {
    router.on(method, path, htmlRoute(svc, ui, handler));
    return this;
  };
  return pages;
}
