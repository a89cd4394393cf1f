/**
 * delete.ts: the work of deleting a project once its intent is recorded (projects.deleting_at).
 * Each container is deleted as a container delete is (stopped, removed, its record and log gone;
 * its data volume kept, orphaned, for a site admin), then the small files' bytes, then the project
 * row, whose removal takes its templates, file records and memberships with it. Every step can run
 * again, so a delete a kill interrupted is finished by running this again.
 */
import { PorticoError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { ContainerService } from '../containers/service.ts';
import type { FileService } from '../files/service.ts';
import type { Project } from '../types.ts';

/** DeleteDeps are what deleting a project's contents needs. */
export interface DeleteDeps {
  store: Store;
  containers: Pick<ContainerService, 'perform'>;
  files: Pick<FileService, 'removeProject'>;
}

// A container created while the delete ran (its request passed the check just before) is caught by the next round.
const ROUNDS = 5;

/** deleteProjectContents removes everything of `project` and then the project itself. */
export async function deleteProjectContents(deps: DeleteDeps, project: Project, user: string): Promise<void> {
  const { store, containers, files } = deps;
  for (let round = 0; round < ROUNDS; round++) {
    const left = store.containers.list({ projectId: project.id, limit: 10_000, offset: 0 }).results;
    if (left.length === 0) break;
    for (const c of left) {
      try {
        await containers.perform(c.id, 'delete', user);
      } catch (err) {
        if (!store.containers.byId(c.id)) continue;
        const e = err instanceof PorticoError ? err : null;
        throw new PorticoError(e?.code ?? 'E_ACTION_FAILED', e?.status && e.status >= 500 ? e.status : 503,
          `The project "${project.title}" is marked for deletion, but removing its container "${c.title}" failed: ${(err as Error).message}. `
          + 'Portico finishes the delete once the engine answers again (or at its next start, or when the delete is asked for again).');
      }
    }
  }
  await files.removeProject(project.uuid);
  store.projects.remove(project.id);
}
