/**
 * tokens.ts: random secrets (API tokens, session ids, CSRF tokens) and their stored hashes.
 */
import { createHash, randomBytes } from 'node:crypto';

/** newSecret returns a URL-safe random secret of `bytes` bytes. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** hashSecret is the stored form of a secret: SHA-256 hex (secrets are random, so no salt is needed). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * knoxDigests are the digests Knox (Kiosc's token library) may have stored for `token`: SHA-512 hex
 * of its UTF-8 bytes (knox 5, which Kiosc v0.5 pins) and of its hex-decoded bytes (knox 4).
 */
export function knoxDigests(token: string): string[] {
  const out = [createHash('sha512').update(token, 'utf8').digest('hex')];
  if (/^(?:[0-9a-f]{2})+$/i.test(token)) out.push(createHash('sha512').update(Buffer.from(token, 'hex')).digest('hex'));
  return out;
}

/** parseAuthorization extracts a token from `Authorization: token X` (Kiosc) or `Bearer X`. */
export function parseAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(?:token|bearer)\s+([A-Za-z0-9._~+/=-]{8,512})\s*$/i.exec(header);
  return m ? m[1] : null;
}
