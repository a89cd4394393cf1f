/**
 * public-cookie.ts: the signed cookie that names a public app's anonymous visitor (docs/apps.md):
 * `<guest user uuid>.<HMAC-SHA256>` under a key generated once per site and kept in the settings
 * table, so a visitor whose session ended comes back to the same short-lived instance.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/index.ts';

/** PUBLIC_COOKIE is the cookie's name. */
export const PUBLIC_COOKIE = 'portico_public';

function key(store: Store): Buffer {
  return Buffer.from(store.settings.getOrCreate('apps.public_cookie_key', () => randomBytes(32).toString('hex')), 'hex');
}

/** signPublic returns the cookie value for guest `uuid`. */
export function signPublic(store: Store, uuid: string): string {
  return `${uuid}.${createHmac('sha256', key(store)).update(uuid).digest('base64url')}`;
}

/** verifyPublic returns the guest uuid a cookie value names when its signature holds, else null. */
export function verifyPublic(store: Store, value: string | null): string | null {
  if (!value) return null;
  const dot = value.indexOf('.');
  if (dot !== 36) return null;
  const uuid = value.slice(0, dot);
  const want = Buffer.from(createHmac('sha256', key(store)).update(uuid).digest('base64url'));
  const got = Buffer.from(value.slice(dot + 1));
  return got.length === want.length && timingSafeEqual(got, want) ? uuid : null;
}
