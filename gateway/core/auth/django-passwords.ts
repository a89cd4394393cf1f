/**
 * django-passwords.ts: verifies the password hashes Django stores (Kiosc's local users), so people
 * imported from Kiosc log in with the password they had: `pbkdf2_sha256$iterations$salt$hash` and
 * `argon2$argon2id$v=19$m=…,t=…,p=…$salt$hash` (Kiosc's default hasher). Portico never writes them.
 */
import crypto from 'node:crypto';
import { pbkdf2, timingSafeEqual } from 'node:crypto';

const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MAX_ARGON2_KIB = 1024 * 1024;

/** isDjangoHash tells whether `stored` is in one of the Django formats verified here. */
export function isDjangoHash(stored: string): boolean {
  return stored.startsWith('pbkdf2_sha256$') || stored.startsWith('argon2$');
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

function verifyPbkdf2(password: string, stored: string): Promise<boolean> {
  const [, iter, salt, hash] = stored.split('$');
  const iterations = Number(iter);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS || !salt || !hash) return Promise.resolve(false);
  const expected = Buffer.from(hash, 'base64');
  return new Promise((resolve) => {
    pbkdf2(password, salt, iterations, expected.length || 32, 'sha256', (err, key) => resolve(!err && equal(key, expected)));
  });
}

type Argon2 = (algorithm: string, params: Record<string, unknown>, cb: (err: Error | null, key: Buffer) => void) => void;

function verifyArgon2(password: string, stored: string): Promise<boolean> {
  // argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash> (salt and hash are unpadded base64).
  const parts = stored.split('$');
  if (parts.length !== 6) return Promise.resolve(false);
  const [, variant, version, params, salt, hash] = parts;
  const argon2 = (crypto as unknown as { argon2?: Argon2 }).argon2;
  const p = Object.fromEntries(params.split(',').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
  if (!argon2 || !['argon2id', 'argon2i', 'argon2d'].includes(variant) || version !== 'v=19') return Promise.resolve(false);
  // Bounds keep a hostile stored hash from costing the gateway more than Django's own strongest settings would.
  if (![p.m, p.t, p.p].every((n) => Number.isInteger(n) && n > 0) || p.m > MAX_ARGON2_KIB || p.t > 64 || p.p > 64) return Promise.resolve(false);
  const expected = Buffer.from(hash, 'base64');
  return new Promise((resolve) => {
    argon2(variant, { message: Buffer.from(password, 'utf8'), nonce: Buffer.from(salt, 'base64'), parallelism: p.p, tagLength: expected.length, memory: p.m, passes: p.t },
      (err, key) => resolve(!err && equal(key, expected)));
  });
}

/** verifyDjangoPassword checks `password` against a Django hash in constant time; unknown formats fail. */
export function verifyDjangoPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('pbkdf2_sha256$')) return verifyPbkdf2(password, stored);
  if (stored.startsWith('argon2$')) return verifyArgon2(password, stored);
  return Promise.resolve(false);
}
