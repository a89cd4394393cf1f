/**
 * actor.ts: the name a container log line or a job gives whoever acted. A person is named by their
 * user name; the gateway acting on its own (idle stop, state sync, restart policy, recovery, the
 * public-app sweep) is "system", never "anonymous" (which reads as an unknown person).
 */

/** SYSTEM_ACTOR names the gateway itself (a scheduled or automatic action) in log lines and jobs. */
export const SYSTEM_ACTOR = 'system';
