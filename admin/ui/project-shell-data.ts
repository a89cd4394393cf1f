/**
 * project-shell-data.ts: the data templates/partials/project-shell.eta needs (the project sidebar).
 */
import type { ProjectAccess } from '../../gateway/core/auth/access.ts';

/** projectShell is the data project-shell.eta needs; project pages spread it into their data. */
export function projectShell(pa: ProjectAccess, nav: 'containers' | 'templates' | 'files' | 'members'): Record<string, unknown> {
  return { project: pa.project, role: pa.role, roleLabel: pa.role ?? (pa.user.isAdmin ? 'site admin' : ''), nav };
}
