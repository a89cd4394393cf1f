/**
 * bench-user.ts (bench): one project with a guest user and an API token, the caller every proxy
 * benchmark uses (guests may use the proxy, so this measures the full role check).
 */
import type { Core } from '../../gateway/core/build.ts';
import { hashSecret, newSecret } from '../../gateway/core/auth/tokens.ts';
import type { Project } from '../../gateway/core/types.ts';

/** benchCaller creates the bench project, its guest user and that user's token. */
export function benchCaller(core: Core): { project: Project; token: string } {
  const project = core.store.projects.create('bench');
  const user = core.store.users.create({ username: 'bench', passwordHash: null });
  core.store.projects.setRole(project.id, user.id, 'guest');
  const token = newSecret(32);
  core.store.users.createToken(user.id, 'bench', hashSecret(token), token.slice(0, 6), null);
  return { project, token };
}
