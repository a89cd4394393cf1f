/**
 * image-hosts.test.ts (core): which registry a reference names (Docker's rule), what addresses an
 * admin may type, and the sealing of passwords: another key or a changed byte opens nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { normalizeAddress, registryOf } from '../../gateway/core/image-hosts/image-ref.ts';
import { createSecretBox, loadSecretKey } from '../../gateway/core/image-hosts/secret-box.ts';

t.test('registryOf follows Docker\'s reference rule', async (t) => {
  const cases: Array<[string, string]> = [
    ['nginx:1', 'docker.io'], ['org/app:1', 'docker.io'], ['org/team/app:1', 'docker.io'],
    ['localhost/app:1', 'localhost'], ['localhost:5000/app:1', 'localhost:5000'], ['ghcr.io/org/app:1', 'ghcr.io'],
    ['127.0.0.1:5000/a/b:1', '127.0.0.1:5000'], ['index.docker.io/library/nginx:1', 'docker.io'], ['registry-1.docker.io/x/y:1', 'docker.io'],
    ['Reg.Example.org/app:1', 'reg.example.org'], ['[::1]:5000/app:1', '[::1]:5000'],
  ];
  for (const [ref, want] of cases) t.equal(registryOf(ref), want, `${ref} → ${want}`);
});

t.test('normalizeAddress keeps host[:port] and refuses the rest', async (t) => {
  const ok: Array<[string, string]> = [
    ['registry.example.org:5000', 'registry.example.org:5000'], ['https://ghcr.io/', 'ghcr.io'], ['https://index.docker.io/v1/', 'docker.io'],
    [' Docker.IO ', 'docker.io'], ['127.0.0.1:5000', '127.0.0.1:5000'], ['[::1]:5000', '[::1]:5000'], ['https://r.example.org/v2/', 'r.example.org'],
  ];
  for (const [input, want] of ok) t.equal(normalizeAddress(input), want, `${input} → ${want}`);
  for (const bad of ['', 'http://r.example.org', 'r.example.org/team', 'r.example.org:0', 'r.example.org:70000', 'user@r.example.org', '-r.org', 'r..org', 'a b']) {
    t.equal(normalizeAddress(bad), null, `${JSON.stringify(bad)} refused`);
  }
});

t.test('sealed secrets open only with their key, unchanged', async (t) => {
  const box = createSecretBox(randomBytes(32));
  const sealed = box.seal('token-ä-1234');
  t.match(sealed, /^v1:[A-Za-z0-9+/=]+$/);
  t.notOk(sealed.includes('token'), 'no plain text in the sealed form');
  t.not(box.seal('token-ä-1234'), sealed, 'a fresh nonce each time');
  t.equal(box.open(sealed), 'token-ä-1234');
  t.equal(createSecretBox(randomBytes(32)).open(sealed), null, 'another key opens nothing');
  const raw = Buffer.from(sealed.slice(3), 'base64');
  raw[raw.length - 1] ^= 1;
  t.equal(box.open(`v1:${raw.toString('base64')}`), null, 'a changed byte opens nothing');
  t.equal(box.open('plain'), null, 'unsealed text opens nothing');
});

t.test('the key: configured, or a 0600 file made once in the data dir; a damaged file is a clear error', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-key-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const configured = randomBytes(32);
  t.equal(loadSecretKey(configured, dir), configured, 'PORTICO_SECRET_KEY wins');
  t.notOk(fs.existsSync(path.join(dir, 'secret.key')), 'and no file is made');
  const made = loadSecretKey(null, dir);
  t.equal(made.length, 32);
  t.equal(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777, 0o600);
  t.same(loadSecretKey(null, dir), made, 'the same key next time');
  fs.writeFileSync(path.join(dir, 'secret.key'), 'abcd\n');
  t.throws(() => loadSecretKey(null, dir), /secret\.key must hold 32 bytes/);
});
