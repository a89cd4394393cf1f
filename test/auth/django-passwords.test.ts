/**
 * django-passwords.test.ts: the Django password hashes users imported from Kiosc bring along.
 * The hashes were made by other implementations (Python's hashlib; the Argon2 reference test
 * vectors), so these tests cannot pass by agreeing with themselves.
 */
import t from 'tap';
import { verifyPassword } from '../../gateway/core/auth/passwords.ts';

// Python: hashlib.pbkdf2_hmac('sha256', b'bob-kiosc-pass', b'q8ZL2eFc1XRmNnTo0vPsYh', 600000, 32), base64.
const PBKDF2 = 'pbkdf2_sha256$600000$q8ZL2eFc1XRmNnTo0vPsYh$j5TTrL53RDHQKe6WW8VEUR5sjZK0qp9yjAIu6kMjYL4=';
// The Argon2 reference implementation's vectors for "password" / "somesalt", in Django's "argon2" + encoded form.
const ARGON2ID = 'argon2$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
const ARGON2I = 'argon2$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA';

t.test('Django pbkdf2_sha256 hashes verify, and only for the right password', async (t) => {
  t.equal(await verifyPassword('bob-kiosc-pass', PBKDF2), true);
  t.equal(await verifyPassword('bob-kiosc-pasS', PBKDF2), false);
  t.equal(await verifyPassword('bob-kiosc-pass', PBKDF2.replace('600000', '600001')), false, 'the iteration count is part of the hash');
});

t.test("Django argon2 hashes (Kiosc's default hasher) verify, and only for the right password", async (t) => {
  t.equal(await verifyPassword('password', ARGON2ID), true);
  t.equal(await verifyPassword('password', ARGON2I), true);
  t.equal(await verifyPassword('passwore', ARGON2ID), false);
});

t.test('malformed or hostile Django hashes are refused, not thrown or run', async (t) => {
  for (const bad of [
    'pbkdf2_sha256$abc$salt$hash', 'pbkdf2_sha256$0$salt$aGFzaA==', 'pbkdf2_sha256$99999999999$salt$aGFzaA==', 'pbkdf2_sha256$1000$$',
    'argon2$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFh', 'argon2$argon2x$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFh',
    'argon2$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHQ$CTFh', 'argon2$argon2id$v=19$m=65536$x', 'argon2$',
  ]) t.equal(await verifyPassword('password', bad), false, bad);
});
