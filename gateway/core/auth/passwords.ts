/**
 * passwords.ts: scrypt password hashing in a self-describing format (scrypt$N$r$p$salt$hash).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { isDjangoHash, verifyDjangoPassword } from './django-passwords.ts';

const N = 16384, R = 8, P = 1, KEYLEN = 32;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEYLEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** hashPassword returns a storable scrypt hash of `password`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** verifyPassword checks `password` against a stored hash in constant time (scrypt, or a Django hash imported from Kiosc). */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  if (isDjangoHash(stored)) return verifyDjangoPassword(password, stored); // imported from Kiosc
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** generatePassword returns a random password for generated accounts. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
