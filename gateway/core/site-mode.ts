/**
 * site-mode.ts: the read-only site switch (Kiosc's site read-only mode). While it is on, nothing
 * changes state except site admins. The value lives in the `settings` table and is read on every
 * check, so `portico site read-only on` from the CLI takes effect in a running gateway at once.
 */
import type { SettingsStore } from './store/settings.ts';
import type { User } from './types.ts';

const KEY = 'site.read_only';

/** SiteMode reads and sets the read-only switch. */
export interface SiteMode {
  /** readOnly tells whether the site is in read-only mode now. */
  readOnly(): boolean;
  /** setReadOnly switches read-only mode on or off. */
  setReadOnly(on: boolean): void;
  /** allowsChangesBy tells whether `user` may change state now (admins always may). */
  allowsChangesBy(user: User | null): boolean;
}

/** createSiteMode builds the switch; `startReadOnly` (PORTICO_READ_ONLY=true) switches it on at start-up, otherwise the stored value stays. */
export function createSiteMode(settings: SettingsStore, startReadOnly: boolean): SiteMode {
  if (startReadOnly) settings.set(KEY, 'true');
  const readOnly = () => settings.get(KEY) === 'true';
  return {
    readOnly,
    setReadOnly(on) { settings.set(KEY, on ? 'true' : 'false'); },
    allowsChangesBy(user) { return !!user?.isAdmin || !readOnly(); },
  };
}
