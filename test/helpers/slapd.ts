/**
 * slapd.ts (test helper): a private OpenLDAP server for tests. Its own slapd.conf and mdb data
 * dir in a temp dir, listening only on ldap://127.0.0.1:<free port>, run in the foreground
 * (`-d stats`, so its log of binds and searches can be read), started and stopped by PID.
 * Loaded with a base DN, a service account and people over ldapadd.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** SUFFIX is the test directory's base DN. */
export const SUFFIX = 'dc=example,dc=org';
/** SERVICE is the service account the gateway binds as. */
export const SERVICE = { dn: `cn=portico,ou=services,${SUFFIX}`, password: 'service-secret' };
/** PEOPLE is the search base for users. */
export const PEOPLE = `ou=people,${SUFFIX}`;

/** LdapPerson is one test user. */
export interface LdapPerson { uid: string; password: string; cn: string; sn: string; givenName?: string; mail?: string }

/** DEFAULT_PEOPLE are the two users of the issue plus one whose name needs filter escaping. */
export const DEFAULT_PEOPLE: LdapPerson[] = [
  { uid: 'alice', password: 'alice-ldap-pw', cn: 'Alice Liddell', sn: 'Liddell', givenName: 'Alice', mail: 'alice@example.org' },
  { uid: 'bob', password: 'bob-ldap-pw', cn: 'Bob Builder', sn: 'Builder', givenName: 'Bob', mail: 'bob@example.org' },
  { uid: 'carol(x)', password: 'carol-ldap-pw', cn: 'Carol X', sn: 'X' },
];

/** SlapdTls is the server's certificate and key (PEM files): slapd then also answers StartTLS on `url` and ldaps:// on `ldapsUrl`. */
export interface SlapdTls { certFile: string; keyFile: string }

/** Slapd is a running private server. */
export interface Slapd {
  url: string;
  port: number;
  /** ldapsUrl is ldaps://127.0.0.1:<port> when started with TLS, else null. */
  ldapsUrl: string | null;
  pid(): number | null;
  /** log is what slapd printed so far (stats: connections, BIND, SRCH). */
  log(): string;
  stop(): Promise<void>;
  /** start starts it again on the same port and data (after stop). */
  start(): Promise<void>;
  /** remove stops it and deletes its directory. */
  remove(): Promise<void>;
}

/** freePort asks the kernel for a free port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function ssha(password: string): string {
  return execFileSync('/usr/sbin/slappasswd', ['-s', password], { encoding: 'utf8' }).trim();
}

function ldif(people: LdapPerson[]): string {
  const parts = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n`,
    `dn: ou=people,${SUFFIX}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ou=services,${SUFFIX}\nobjectClass: organizationalUnit\nou: services\n`,
    `dn: ${SERVICE.dn}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: portico\nuserPassword: ${ssha(SERVICE.password)}\n`,
  ];
  for (const p of people) {
    const rdn = p.uid.replace(/[,+"\\<>;=]/g, (c) => '\\' + c);
    parts.push([
      `dn: uid=${rdn},${PEOPLE}`, 'objectClass: inetOrgPerson', `uid: ${p.uid}`, `cn: ${p.cn}`, `sn: ${p.sn}`,
      ...(p.givenName ? [`givenName: ${p.givenName}`] : []), ...(p.mail ? [`mail: ${p.mail}`] : []),
      `userPassword: ${ssha(p.password)}`, '',
    ].join('\n'));
  }
  return parts.join('\n');
}

async function waitListening(port: number, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`slapd did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** startSlapd starts a private slapd loaded with `people` and returns its handle. */
export async function startSlapd(people: LdapPerson[] = DEFAULT_PEOPLE, opts: { tls?: SlapdTls } = {}): Promise<Slapd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-slapd-'));
  fs.mkdirSync(path.join(dir, 'data'));
  const rootPassword = 'root-secret';
  fs.writeFileSync(path.join(dir, 'slapd.conf'), [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    `pidfile ${dir}/slapd.pid`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'database mdb',
    `suffix "${SUFFIX}"`,
    `rootdn "cn=admin,${SUFFIX}"`,
    `rootpw ${ssha(rootPassword)}`,
    `directory ${dir}/data`,
    'maxsize 16777216',
    // Passwords are only usable for binding; only bound users (the service account) may search.
    'access to attrs=userPassword by self write by anonymous auth by * none',
    'access to * by users read by * none',
    ...(opts.tls ? [`TLSCertificateFile ${opts.tls.certFile}`, `TLSCertificateKeyFile ${opts.tls.keyFile}`] : []),
    '',
  ].join('\n'));
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const tlsPort = opts.tls ? await freePort() : 0;
  const ldapsUrl = opts.tls ? `ldaps://127.0.0.1:${tlsPort}` : null;
  let child: ChildProcess | null = null;
  let output = '';

  async function start(): Promise<void> {
    const listen = ldapsUrl ? `${url}/ ${ldapsUrl}/` : `${url}/`;
    const c = spawn('/usr/sbin/slapd', ['-f', path.join(dir, 'slapd.conf'), '-h', listen, '-d', 'stats'], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', (d: Buffer) => { if (output.length < 4_000_000) output += d.toString('utf8'); });
    child = c;
    await waitListening(port, c, 10_000);
    if (tlsPort) await waitListening(tlsPort, c, 10_000);
  }

  async function stop(): Promise<void> {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.pid === undefined) return;
    const exited = new Promise((r) => c.once('exit', r));
    process.kill(c.pid, 'SIGTERM');
    const timer = setTimeout(() => { if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGKILL'); }, 5000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  const file = path.join(dir, 'people.ldif');
  fs.writeFileSync(file, ldif(people));
  execFileSync('/usr/bin/ldapadd', ['-x', '-H', url, '-D', `cn=admin,${SUFFIX}`, '-w', rootPassword, '-f', file], { stdio: 'pipe' });

  return {
    url, port, ldapsUrl,
    pid: () => child?.pid ?? null,
    log: () => output,
    stop, start,
    async remove() { await stop(); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

/** ldapEnv is the Kiosc-style environment for a primary (and optional secondary) server. */
export function ldapEnv(primary: string, secondary?: string, domain = 'EXAMPLE'): Record<string, string> {
  const one = (prefix: string, uri: string) => ({
    [`${prefix}_SERVER_URI`]: uri,
    [`${prefix}_BIND_DN`]: SERVICE.dn,
    [`${prefix}_BIND_PASSWORD`]: SERVICE.password,
    [`${prefix}_USER_SEARCH_BASE`]: PEOPLE,
    [`${prefix}_USER_FILTER`]: '(uid=%(user)s)',
    [`${prefix}_USERNAME_DOMAIN`]: domain,
    [`${prefix}_DOMAIN_PRINTABLE`]: `${domain} Directory`,
  });
  return {
    ENABLE_LDAP: '1', ...one('AUTH_LDAP', primary),
    ...(secondary ? { ENABLE_LDAP_SECONDARY: '1', ...one('AUTH_LDAP2', secondary) } : {}),
  };
}
