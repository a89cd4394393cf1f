/**
 * identity.ts: the identity pages of the UI: login and logout, password change, API tokens,
 * project members, and the site administration of users, projects and read-only mode.
 */
import type { Services } from '../../gateway/core/services.ts';
import type { Router } from '../../gateway/http/router.ts';
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
  registerAdminSite(router, svc, ui);
  registerAdminUsers(router, svc, ui);
  registerAdminProjects(router, svc, ui);
  registerAdminSodar(router, svc, ui);
}
