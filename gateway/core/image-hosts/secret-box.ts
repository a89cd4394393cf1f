/**
 * secret-box.ts: seals small secrets (image-host passwords) with AES-256-GCM. The key is
 * PORTICO_SECRET_KEY, or else a random key kept in <data dir>/secret.key (mode 0600), so a copy of
 * the database alone (a backup, a support dump) carries no usable credentials.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.ts';

const VERSION = 'v1';

/** SecretBox seals and opens secrets with one key. */
export interface SecretBox {
  seal(plain: string): string;
  /** open returns the secret, or null when it was sealed with another key (or is damaged). */
  open(sealed: string): string | null;
}

/** loadSecretKey returns `configured`, or the data dir's key file, creating it (0600) on first use. */
export function loadSecretKey(configured: Buffer | null, dataDir: string): Buffer {
  if (configured) return configured;
  const file = path.join(dataDir, 'secret.key');
  const read = (): Buffer => {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length !== 32) throw new ConfigError(`${file} must hold 32 bytes as 64 hex digits (move it away to have a new one made; stored registry passwords must then be entered again)`);
    return key;
  };
  try {
    return read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    // wx: two processes (the gateway and the CLI) starting at once agree on the first key written.
    fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return read();
  }
}

/** createSecretBox seals with `key` (32 bytes); a fresh random nonce per secret. */
export function createSecretBox(key: Buffer): SecretBox {
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed) {
      if (!sealed.startsWith(`${VERSION}:`)) return null;
      const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64');
      if (raw.length < 28) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
