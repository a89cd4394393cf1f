/**
 * archive.ts: what an archived project refuses, in one place. An archived project is read-only for
 * everyone, site admins included: its containers, templates, small files and members cannot be
 * changed, and its stopped apps are not started (running ones stay open). Unarchiving ends it.
 */
import { PorticoError } from '../errors.ts';
import type { Project } from '../types.ts';

/** archivedError is the 403 every surface answers for a change to an archived project. */
export function archivedError(project: Pick<Project, 'title'>, what = 'changed'): PorticoError {
  return new PorticoError('E_PROJECT_ARCHIVED', 403,
    `The project "${project.title}" is archived, so it is read-only: nothing in it can be ${what}. An owner, a delegate or a site admin can unarchive it.`);
}

/** requireNotArchived throws archivedError when `project` is archived. */
export function requireNotArchived(project: Pick<Project, 'title' | 'archived'>, what?: string): void {
  if (project.archived) throw archivedError(project, what);
}
