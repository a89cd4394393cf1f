/**
 * ldap-tls.test.ts: AUTH_LDAP_CA_CERT_FILE and AUTH_LDAP2_CA_CERT_FILE against a real slapd with
 * TLS. A CA and a server certificate are made with openssl for the test; the CA file is trusted for
 * ldaps:// and for StartTLS, a server signed by another CA is refused, and without the file the
 * system's CAs apply (so the test CA is refused).
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../../gateway/core/config.ts';
import { connectLdapServer } from '../../gateway/core/auth/ldap-client.ts';
import { PorticoError } from '../../gateway/core/errors.ts';
import { ldapEnv, startSlapd } from '../helpers/slapd.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-ldap-tls-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const f = (name: string) => path.join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
}

/** makeCa writes <name>.key and <name>.pem: a self-signed CA. */
function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.pem`),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

makeCa('test-ca');
makeCa('other-ca');
openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('test-ca.pem'), '-CAkey', f('test-ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('server.ext'), '-out', f('server.pem'));
fs.chmodSync(f('server.key'), 0o644); // slapd may drop to another user

async function verdict(env: Record<string, string>, which = 0) {
  const config = loadConfig(env);
  try {
    return await connectLdapServer(config.ldap[which], { connectMs: 3000, operationMs: 5000 }).verify('alice', 'alice-ldap-pw');
  } catch (err) {
    return err as PorticoError;
  }
}

t.test('the CA file is trusted for ldaps:// and StartTLS; other CAs are not', async (t) => {
  const slapd = await startSlapd(undefined, { tls: { certFile: f('server.pem'), keyFile: f('server.key') } });
  t.teardown(() => slapd.remove());
  const ldaps = slapd.ldapsUrl!;

  const ok = await verdict({ ...ldapEnv(ldaps), AUTH_LDAP_CA_CERT_FILE: f('test-ca.pem') });
  t.same(ok, { ok: true, account: { dn: 'uid=alice,ou=people,dc=example,dc=org', name: 'Alice Liddell', email: 'alice@example.org' } }, 'ldaps:// with the CA file: alice logs in');

  const untrusted = await verdict(ldapEnv(ldaps));
  t.ok(untrusted instanceof PorticoError && untrusted.code === 'E_LDAP_UNAVAILABLE', 'ldaps:// without the CA file: the test CA is not trusted');
  t.match((untrusted as Error).message, /certificate/i, 'the reason names the certificate');

  const wrongCa = await verdict({ ...ldapEnv(ldaps), AUTH_LDAP_CA_CERT_FILE: f('other-ca.pem') });
  t.ok(wrongCa instanceof PorticoError && wrongCa.code === 'E_LDAP_UNAVAILABLE', 'a certificate from another CA is refused');

  const before = slapd.log().split('TLS established').length;
  const startTls = await verdict({ ...ldapEnv(slapd.url), AUTH_LDAP_START_TLS: '1', AUTH_LDAP_CA_CERT_FILE: f('test-ca.pem') });
  t.equal((startTls as { ok: boolean }).ok, true, 'StartTLS on ldap:// with the CA file: alice logs in');
  t.ok(slapd.log().split('TLS established').length > before, 'slapd saw the connection go over TLS');
  const startTlsUntrusted = await verdict({ ...ldapEnv(slapd.url), AUTH_LDAP_START_TLS: '1' });
  t.ok(startTlsUntrusted instanceof PorticoError && startTlsUntrusted.code === 'E_LDAP_UNAVAILABLE', 'StartTLS without the CA file is refused');
  const plain = await verdict({ ...ldapEnv(slapd.url), AUTH_LDAP_CA_CERT_FILE: f('test-ca.pem') });
  t.equal((plain as { ok: boolean }).ok, true, 'a CA file does not turn TLS on for plain ldap:// without StartTLS');

  const second = await verdict({ ...ldapEnv(slapd.url, ldaps), AUTH_LDAP2_CA_CERT_FILE: f('test-ca.pem') }, 1);
  t.equal((second as { ok: boolean }).ok, true, 'AUTH_LDAP2_CA_CERT_FILE is the secondary server\'s CA file');
  const secondWithout = await verdict({ ...ldapEnv(slapd.url, ldaps), AUTH_LDAP_CA_CERT_FILE: f('test-ca.pem') }, 1);
  t.ok(secondWithout instanceof PorticoError, "the primary's CA file is not the secondary's");
});

t.test('a CA file that cannot be read, or holds no certificate, stops start-up naming the variable', async (t) => {
  const base = ldapEnv('ldaps://127.0.0.1:1');
  t.throws(() => loadConfig({ ...base, AUTH_LDAP_CA_CERT_FILE: f('missing.pem') }), /AUTH_LDAP_CA_CERT_FILE must name a readable PEM file .*ENOENT/);
  fs.writeFileSync(f('junk.pem'), 'not a certificate\n');
  t.throws(() => loadConfig({ ...base, AUTH_LDAP_CA_CERT_FILE: f('junk.pem') }), /AUTH_LDAP_CA_CERT_FILE must name a PEM file of CA certificates/);
  t.throws(() => loadConfig({ ...ldapEnv('ldaps://127.0.0.1:1', 'ldaps://127.0.0.1:2'), AUTH_LDAP2_CA_CERT_FILE: f('junk.pem') }), /AUTH_LDAP2_CA_CERT_FILE/);
  t.equal(loadConfig({ ...base, AUTH_LDAP_CA_CERT_FILE: f('test-ca.pem') }).ldap[0].caCert, fs.readFileSync(f('test-ca.pem'), 'utf8'));
  t.equal(loadConfig(base).ldap[0].caCert, null, 'no file: the system CAs');
});
