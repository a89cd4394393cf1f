/**
 * actor.ts: the name a container log line or a job gives whoever acted. A person is named by their
 * user name; the gateway acting on its own (idle stop, state sync, restart policy, recovery, the
 * public-app sweep) is "system", never "anonymous" (which reads as an unknown person); a public
 * app's visitor is "guest" (docs/apps.md), never the throwaway user name behind their session.
 */
import type { User } from '../types.ts';

/** SYSTEM_ACTOR names the gateway itself (a scheduled or automatic action) in log lines and jobs. */
export const SYSTEM_ACTOR = 'system';

/** GUEST_ACTOR names a public app's visitor in log lines and jobs. */
export const GUEST_ACTOR = 'guest';

/** actorName is how log lines name `user`: "guest" for a public app's visitor, else the user name. */
export function actorName(user: Pick<User, 'username' | 'guest'>): string {
  return user.guest ? GUEST_ACTOR : user.username;
}
