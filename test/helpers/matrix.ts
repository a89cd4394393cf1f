/**
 * matrix.ts (test helper): the rows of the permission matrix (site admin, owner, delegate,
 * contributor, guest, non-member, anonymous), each logged in with a token and a browser session,
 * and the expected outcome of an action for each row.
 */
import type { TestGateway } from './gateway.ts';
import { createWebClient } from './web.ts';
import type { WebClient } from './web.ts';
import type { Role } from '../../gateway/core/types.ts';

/** Who is one row of the matrix. */
export type Who = 'admin' | Role | 'non-member' | 'anonymous';
/** WHO lists every row. */
export const WHO: Who[] = ['admin', 'owner', 'delegate', 'contributor', 'guest', 'non-member', 'anonymous'];
const RANK: Record<string, number> = { guest: 1, contributor: 2, delegate: 3, owner: 4 };

/** Need is what an action requires: a minimum project role, any logged-in user, or a site admin. */
export type Need = Role | 'user' | 'admin';
/** Outcome is the expected answer class. */
export type Outcome = 'allow' | 'forbidden' | 'not-found' | 'login';

/** expected is the outcome for `who` on an action needing `need` (project-scoped objects hide from non-members). */
export function expected(who: Who, need: Need, projectScoped: boolean): Outcome {
  if (who === 'anonymous') return 'login';
  if (who === 'admin') return 'allow';
  if (need === 'admin') return 'forbidden';
  if (need === 'user') return 'allow';
  if (who === 'non-member') return projectScoped ? 'not-found' : 'forbidden';
  return RANK[who] >= RANK[need] ? 'allow' : 'forbidden';
}

/** classify maps a status to an outcome (a redirect to /login counts as 401). */
export function classify(status: number, location: string | null = null): Outcome | `status ${number}` {
  if ([302, 303, 307].includes(status) && (location ?? '').startsWith('/login')) return 'login';
  if (status === 404) return 'not-found';
  if (status === 403) return 'forbidden';
  if (status === 401) return 'login';
  if (status === 101 || (status >= 200 && status < 400)) return 'allow';
  return `status ${status}`;
}

/** Actor is how one row calls the gateway. */
export interface Actor { who: Who; name: string; token: string | null; web: WebClient; csrf: string }

/** Case is one action on one surface: `run` returns the HTTP status; `after` checks side effects. */
export interface Case { surface: string; action: string; need: Need; projectScoped?: boolean; run(a: Actor): Promise<number>; after?(a: Actor, outcome: Outcome): void }

/** makeActors creates a user per row (non-members own another project) and logs each in through the form. */
export async function makeActors(gw: TestGateway, project: string): Promise<Map<Who, Actor>> {
  const elsewhere = gw.project('Elsewhere');
  const actors = new Map<Who, Actor>();
  for (const who of WHO) {
    const name = `m-${who}`;
    const web = createWebClient(gw.base);
    let token: string | null = null;
    let csrf = '';
    if (who !== 'anonymous') {
      const role: Role | undefined = who === 'admin' ? undefined : who === 'non-member' ? 'owner' : who;
      token = (await gw.user(name, { password: `${name}-password`, admin: who === 'admin', project: who === 'non-member' ? elsewhere : project, role })).token;
      const res = await web.login(name, `${name}-password`);
      if (res.status !== 303) throw new Error(`${name} could not log in: ${res.status}`);
      csrf = await web.csrf();
    }
    actors.set(who, { who, name, token, web, csrf });
  }
  return actors;
}
