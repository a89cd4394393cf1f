/**
 * sharing.ts: onboarding and sharing (docs/invitations.md): creating a project of one's own,
 * invitations to a project, and password reset links.
 */
import type { UiDeps } from './pages.ts';
import { registerNewProject } from './new-project.ts';
import { registerInvitations } from './invitations.ts';
import { registerPasswordReset } from './password-reset.ts';

/** registerSharing adds the onboarding and sharing pages. */
export function registerSharing(d: UiDeps): void {
  registerNewProject(d);
  registerInvitations(d);
  registerPasswordReset(d);
}
