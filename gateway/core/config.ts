/**
 * config.ts: reads the environment once, checks every value, and returns one frozen Config.
 * Nothing else in Portico reads process.env; everything receives the Config object.
 * Kiosc's own variable names (KIOSC_*) are accepted as fallbacks so a Kiosc .env keeps working.
 */
import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { validateCronExpression } from 'cron';
import { ConfigError } from './errors.ts';

export type NetworkMode = 'host' | 'docker-shared';
export type LogFormat = 'text' | 'json';

/** LdapServerConfig is one LDAP server as Kiosc's AUTH_LDAP_* (or AUTH_LDAP2_*) variables describe it. */
export interface LdapServerConfig {
  readonly uri: string;
  readonly bindDn: string;
  readonly bindPassword: string;
  readonly userSearchBase: string;
  readonly userFilter: string;
  readonly usernameDomain: string;
  readonly domainPrintable: string;
  readonly startTls: boolean;
  /** caCert is the PEM text of AUTH_LDAP_CA_CERT_FILE: the CAs trusted for ldaps:// and StartTLS (null: the system's). */
  readonly caCert: string | null;
}

/** OidcConfig is OpenID Connect login, from Kiosc's ENABLE_OIDC and SOCIAL_AUTH_OIDC_* variables plus Portico's own. */
export interface OidcConfig {
  /** issuer is SOCIAL_AUTH_OIDC_OIDC_ENDPOINT: discovery reads <issuer>/.well-known/openid-configuration. */
  readonly issuer: string;
  readonly clientId: string;
  /** clientSecret is never logged nor shown. */
  readonly clientSecret: string;
  /** usernameClaim is SOCIAL_AUTH_OIDC_USERNAME_KEY; null: `username` as Kiosc, then `preferred_username`. */
  readonly usernameClaim: string | null;
  readonly scope: string;
  readonly groupsClaim: string;
  /** adminGroup makes a site admin (and its absence revokes it) on every login; null leaves admins to Portico. */
  readonly adminGroup: string | null;
  readonly label: string;
  readonly timeoutSeconds: number;
}

/** Config is every setting Portico has, validated and frozen. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly dbPath: string;
  readonly filesDir: string;
  readonly adminPassword: string | null;
  readonly instance: string;
  readonly networkMode: NetworkMode;
  readonly dockerNetwork: string;
  readonly gatewayName: string | null;
  readonly publishPorts: boolean;
  /** runAs is the user ("name" or "uid:gid") a gateway started as root switches to (set in the container image). */
  readonly runAs: string | null;
  readonly docker: {
    readonly host: string | null;
    readonly tlsVerify: boolean;
    readonly certPath: string | null;
    /** mode is what the engine runs apps as: containers (`engine`) or Docker Swarm services (`swarm`, docs/swarm.md). */
    readonly mode: 'engine' | 'swarm';
  };
  /** swarm is the placement and reservations every swarm service gets (docs/swarm.md). */
  readonly swarm: { readonly constraints: readonly string[]; readonly reserve: { readonly nanoCpus: number; readonly memoryBytes: number } | null };
  readonly actionMinDelayMs: number;
  readonly maxInactivityDays: number;
  readonly logLinesDefault: number;
  readonly logLinesMax: number;
  /** embeddedFiles turns small files on (Kiosc's KIOSC_EMBEDDED_FILES); off, their pages, API and URLs answer 404. */
  readonly embeddedFiles: boolean;
  /** nofile is the open-files limit (soft, hard) every app container gets when one is set, as Kiosc gives it; null leaves the engine's. */
  readonly nofile: { readonly soft: number; readonly hard: number } | null;
  /** apiPageSize is the page size of REST list endpoints when page_size is not given (Kiosc's SODAR_API_PAGE_SIZE). */
  readonly apiPageSize: number;
  readonly logRetentionLines: number;
  readonly logRetentionDays: number;
  readonly maxJsonBody: number;
  readonly maxUploadBytes: number;
  readonly readinessIntervalMs: number;
  readonly accessFlushMs: number;
  readonly trustProxy: boolean;
  readonly secureCookies: boolean | 'auto';
  readonly sessionIdleMinutes: number;
  readonly sessionAbsoluteHours: number;
  readonly readOnly: boolean;
  readonly fileServerPort: number;
  readonly logFormat: LogFormat;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly ldap: readonly LdapServerConfig[];
  readonly ldapTimeoutSeconds: number;
  /** oidc is OpenID Connect login, or null when ENABLE_OIDC is off. */
  readonly oidc: OidcConfig | null;
  readonly login: LoginLimits;
  /** schedules are cron expressions (with seconds) for the periodic jobs; null turns a job off. */
  readonly schedules: Readonly<Record<ScheduleName, string | null>>;
  readonly syncGraceSeconds: number;
  readonly uptimeRetentionDays: number;
  /** auditRetentionDays: audit events older than this are dropped by the retention job (docs/sharing.md). */
  readonly auditRetentionDays: number;
  readonly metricsToken: string | null;
  readonly shutdownGraceSeconds: number;
  /** containerLog bounds each app container's json-file log (Docker's max-size and max-file). */
  readonly containerLog: { readonly maxSize: string; readonly maxFiles: number };
  /** bodyTimeoutSeconds: a request body that makes no progress this long is answered 408. */
  readonly bodyTimeoutSeconds: number;
  /** appOrigins: 'per-app' serves each app at the root of its own host name; 'same-origin' (an opt-in) under /containers/proxy/<uuid>/ on the gateway's. */
  readonly appOrigins: 'per-app' | 'same-origin';
  /** srcFacility is the facility id the SRC Container API answers under (/src-api/<id>/; docs/src-api.md). */
  readonly srcFacility: string;
  /** appsDomain: an app's host is <uuid>.<appsDomain> (default localhost, which browsers resolve to the loopback address). */
  readonly appsDomain: string;
  /** publicUrl is the gateway's own origin as browsers reach it (null: http://127.0.0.1 on the port the request came to). */
  readonly publicUrl: string | null;
  /** delegateLimit is how many delegates a project may have (0: no limit), as SODAR's PROJECTROLES_DELEGATE_LIMIT. */
  readonly delegateLimit: number;
  /** projectCreators: who may create a project and become its owner ('all' logged-in users, or site 'admins' only). */
  readonly projectCreators: 'all' | 'admins';
  /** timeZone is the IANA zone API dates are written in (Kiosc's TIME_ZONE). */
  readonly timeZone: string;
  /** sodar is the SODAR sync (Kiosc's PROJECTROLES_* settings; docs/sodar-sync.md). */
  readonly sodar: SodarConfig;
  /** secretKey (PORTICO_SECRET_KEY, 32 bytes) seals image-host credentials at rest; null: a key file in the data dir (docs/image-hosts.md). Never logged. */
  readonly secretKey: Buffer | null;
  /** apps are the app platform's settings (docs/apps.md). */
  readonly apps: AppsConfig;
}

/** AppVolume is one host directory an admin allows app grants to mount (PORTICO_APP_VOLUMES). */
export interface AppVolume { readonly name: string; readonly path: string; readonly readOnly: boolean }

/** AppsConfig: where home volumes are mounted, which host directories grants may mount, and the instance limits. */
export interface AppsConfig {
  readonly homePath: string;
  readonly volumes: readonly AppVolume[];
  /** perUser and site cap running instances (0: no cap); publicMax caps running public instances. */
  readonly perUser: number;
  readonly site: number;
  readonly publicMax: number;
  /** publicIdleMinutes: a public instance idle this long is stopped and removed. */
  readonly publicIdleMinutes: number;
}

/** SodarConfig says whether and from where projects, users and roles are pulled from a SODAR source site. */
export interface SodarConfig {
  /** siteMode TARGET pulls from the source site; SOURCE (the default) keeps membership local. */
  readonly siteMode: 'SOURCE' | 'TARGET';
  /** syncEnabled runs the sync every `intervalMinutes` (it can always be run by hand in TARGET mode). */
  readonly syncEnabled: boolean;
  readonly intervalMinutes: number;
  readonly sourceUrl: string | null;
  readonly sourceSecret: string | null;
  readonly allowLocalUsers: boolean;
  /** defaultAdmin is the local user who becomes owner where the source's owner is a local (non-LDAP) user. */
  readonly defaultAdmin: string;
  readonly timeoutSeconds: number;
}

/** SCHEDULES names each periodic job with its variable and default cron expression (seconds field first). */
export const SCHEDULES = {
  lastActionSync: ['PORTICO_SCHEDULE_SYNC', '*/30 * * * * *'],
  idleStop: ['PORTICO_SCHEDULE_IDLE_STOP', '30 * * * * *'],
  pruneZombies: ['PORTICO_SCHEDULE_PRUNE', '0 */15 * * * *'],
  uptimeSample: ['PORTICO_SCHEDULE_UPTIME', '0 * * * * *'],
  retention: ['PORTICO_SCHEDULE_RETENTION', '0 7 * * * *'],
} as const;
export type ScheduleName = keyof typeof SCHEDULES;

function schedule(env: Env, name: string, fallback: string): string | null {
  const raw = str(env, [name], fallback).trim();
  if (raw === 'off') return null;
  const check = validateCronExpression(raw);
  if (!check.valid) throw new ConfigError(`${name} must be a cron expression (e.g. ${JSON.stringify(fallback)}) or "off", got ${JSON.stringify(raw)}`);
  return raw;
}

/** LoginLimits tune the failed-login throttle. */
export interface LoginLimits {
  readonly userFailures: number;
  readonly addressFailures: number;
  readonly lockSeconds: number;
  readonly lockMaxSeconds: number;
}

type Env = Record<string, string | undefined>;

const DEFAULT_LDAP_FILTER = '(sAMAccountName=%(user)s)';

function pick(env: Env, names: string[]): [string, string] | null {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return [name, value];
  }
  return null;
}

function str(env: Env, names: string[], fallback: string): string {
  return pick(env, names)?.[1] ?? fallback;
}

function int(env: Env, names: string[], fallback: number, min: number, max: number): number {
  const found = pick(env, names);
  if (!found) return fallback;
  const [name, raw] = found;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function num(env: Env, names: string[], fallback: number, min: number, max: number): number {
  const found = pick(env, names);
  if (!found) return fallback;
  const [name, raw] = found;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new ConfigError(`${name} must be a number, got ${JSON.stringify(raw)}`);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

function bool(env: Env, names: string[], fallback: boolean): boolean {
  const found = pick(env, names);
  if (!found) return fallback;
  const [name, raw] = found;
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ConfigError(`${name} must be a boolean (1/0, true/false, yes/no, on/off), got ${JSON.stringify(raw)}`);
}

function oneOf<T extends string>(env: Env, names: string[], fallback: T, allowed: readonly T[]): T {
  const found = pick(env, names);
  if (!found) return fallback;
  const [name, raw] = found;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

function ldapServer(env: Env, prefix: 'AUTH_LDAP' | 'AUTH_LDAP2'): LdapServerConfig {
  const uri = str(env, [`${prefix}_SERVER_URI`], '');
  if (!/^ldaps?:\/\/[^\s]+$/.test(uri)) {
    throw new ConfigError(`${prefix}_SERVER_URI must be an ldap:// or ldaps:// URL, got ${JSON.stringify(uri)}`);
  }
  const userSearchBase = str(env, [`${prefix}_USER_SEARCH_BASE`], '');
  if (!userSearchBase) throw new ConfigError(`${prefix}_USER_SEARCH_BASE is required when LDAP is enabled`);
  const userFilter = str(env, [`${prefix}_USER_FILTER`, 'AUTH_LDAP_USER_FILTER'], DEFAULT_LDAP_FILTER);
  if (!userFilter.includes('%(user)s')) throw new ConfigError(`${prefix}_USER_FILTER must contain %(user)s`);
  return Object.freeze({
    uri,
    bindDn: str(env, [`${prefix}_BIND_DN`], ''),
    bindPassword: str(env, [`${prefix}_BIND_PASSWORD`], ''),
    userSearchBase,
    userFilter,
    usernameDomain: str(env, [`${prefix}_USERNAME_DOMAIN`], ''),
    domainPrintable: str(env, [`${prefix}_DOMAIN_PRINTABLE`], ''),
    startTls: bool(env, [`${prefix}_START_TLS`], false),
    caCert: caCert(env, `${prefix}_CA_CERT_FILE`),
  });
}

const CLAIM_RE = /^[\x21-\x7e]{1,128}$/;

function oidc(env: Env): OidcConfig {
  const issuer = str(env, ['SOCIAL_AUTH_OIDC_OIDC_ENDPOINT'], '').trim();
  let url: URL | null = null;
  try { url = new URL(issuer); } catch { /* reported below */ }
  // Plain http is only for a provider on this machine (tests, development): codes and tokens cross it.
  const loopback = url !== null && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) || url.search || url.hash || url.username) {
    throw new ConfigError(`SOCIAL_AUTH_OIDC_OIDC_ENDPOINT must be the provider's https:// issuer URL (without /.well-known/openid-configuration; http:// only on 127.0.0.1 or localhost), got ${JSON.stringify(issuer)}`);
  }
  if (url.pathname.includes('/.well-known/')) throw new ConfigError('SOCIAL_AUTH_OIDC_OIDC_ENDPOINT must be the issuer URL itself: Portico appends /.well-known/openid-configuration');
  const clientId = str(env, ['SOCIAL_AUTH_OIDC_KEY'], '').trim();
  if (!clientId || clientId === 'CHANGEME') throw new ConfigError('SOCIAL_AUTH_OIDC_KEY (the client id registered at the provider) is required when ENABLE_OIDC is on');
  const clientSecret = str(env, ['SOCIAL_AUTH_OIDC_SECRET'], '');
  // The value itself is never part of a message.
  if (!clientSecret || clientSecret === 'CHANGEME') throw new ConfigError('SOCIAL_AUTH_OIDC_SECRET (the client secret) is required when ENABLE_OIDC is on');
  const claim = (name: string, fallback: string | null): string | null => {
    const raw = pick(env, [name])?.[1]?.trim() ?? fallback;
    if (raw !== null && !CLAIM_RE.test(raw)) throw new ConfigError(`${name} must be a claim name (1 to 128 printable characters, no spaces), got ${JSON.stringify(raw)}`);
    return raw;
  };
  const scope = str(env, ['PORTICO_OIDC_SCOPE'], 'openid profile email').trim().split(/\s+/);
  if (!scope.includes('openid') || scope.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) {
    throw new ConfigError(`PORTICO_OIDC_SCOPE must be space-separated scopes that include openid, got ${JSON.stringify(scope.join(' '))}`);
  }
  const adminGroup = pick(env, ['PORTICO_OIDC_ADMIN_GROUP'])?.[1]?.trim() || null;
  const label = str(env, ['PORTICO_OIDC_LABEL'], 'Single Sign-On').trim();
  if (!label || label.length > 80) throw new ConfigError(`PORTICO_OIDC_LABEL must be 1 to 80 characters, got ${JSON.stringify(label)}`);
  const out = {
    issuer, clientId, scope: scope.join(' '), adminGroup, label,
    usernameClaim: claim('SOCIAL_AUTH_OIDC_USERNAME_KEY', null),
    groupsClaim: claim('PORTICO_OIDC_GROUPS_CLAIM', 'groups') as string,
    timeoutSeconds: num(env, ['PORTICO_OIDC_TIMEOUT'], 5, 0.1, 120),
  };
  // Not enumerable: a logged or serialised config never carries the secret.
  Object.defineProperty(out, 'clientSecret', { value: clientSecret, enumerable: false });
  return Object.freeze(out as typeof out & { clientSecret: string });
}

/** caCert reads the PEM file a *_CA_CERT_FILE names, once at start-up, so a wrong path stops start-up instead of every login. */
function caCert(env: Env, name: string): string | null {
  const file = pick(env, [name])?.[1];
  if (file === undefined) return null;
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${name} must name a readable PEM file of CA certificates, got ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no certificate');
    new X509Certificate(pem);
  } catch {
    throw new ConfigError(`${name} must name a PEM file of CA certificates (-----BEGIN CERTIFICATE-----), but ${JSON.stringify(file)} holds none`);
  }
  return pem;
}

const CONSTRAINT = /^(node\.(id|hostname|role|platform\.os|platform\.arch|labels\.[\w.-]+)|engine\.labels\.[\w.-]+)\s*(==|!=)\s*[\w.:-]+$/;
const MEMORY = /^(\d+(?:\.\d+)?)([kmg]?)$/i;

/** swarmSettings reads the placement constraints and reservations of swarm services (`;`-separated constraints; `cpus=0.5,memory=256m`). */
function swarmSettings(env: Env): Config['swarm'] {
  const raw = pick(env, ['PORTICO_SWARM_CONSTRAINTS'])?.[1] ?? '';
  const constraints = raw.split(';').map((c) => c.trim()).filter(Boolean);
  for (const c of constraints) {
    if (!CONSTRAINT.test(c)) throw new ConfigError(`PORTICO_SWARM_CONSTRAINTS: ${JSON.stringify(c)} is not a placement constraint like node.labels.apps==yes or node.role!=manager (node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.*, engine.labels.* with == or !=)`);
  }
  const reserveRaw = pick(env, ['PORTICO_SWARM_RESERVE'])?.[1]?.trim() ?? '';
  let reserve: Config['swarm']['reserve'] = null;
  if (reserveRaw) {
    let nanoCpus = 0, memoryBytes = 0;
    for (const part of reserveRaw.split(',').map((p) => p.trim())) {
      const [key, value = ''] = part.split('=').map((x) => x.trim());
      const mem = MEMORY.exec(value);
      if (key === 'cpus' && /^\d+(\.\d+)?$/.test(value) && Number(value) > 0 && Number(value) <= 1024) nanoCpus = Math.round(Number(value) * 1e9);
      else if (key === 'memory' && mem && Number(mem[1]) > 0) memoryBytes = Math.round(Number(mem[1]) * 1024 ** ' kmg'.indexOf(mem[2].toLowerCase() || ' '));
      else throw new ConfigError(`PORTICO_SWARM_RESERVE must be cpus=<number> and/or memory=<bytes, or with k, m or g>, comma-separated (e.g. cpus=0.5,memory=256m), got ${JSON.stringify(part)}`);
    }
    reserve = { nanoCpus, memoryBytes };
  }
  return Object.freeze({ constraints: Object.freeze(constraints), reserve });
}

/**
 * nofile reads the open-files limit. Kiosc set 98304 on every container even when unset; Portico
 * sets one only when either variable is given (the other is then Kiosc's 98304), because an engine
 * that may not raise limits (rootless or nested Docker) would refuse to start every container.
 */
function nofile(env: Env): { soft: number; hard: number } | null {
  const softNames = ['PORTICO_ULIMIT_NOFILE_SOFT', 'KIOSC_DOCKER_MAX_ULIMIT_NOFILE_SOFT'];
  const hardNames = ['PORTICO_ULIMIT_NOFILE_HARD', 'KIOSC_DOCKER_MAX_ULIMIT_NOFILE_HARD'];
  if (!pick(env, softNames) && !pick(env, hardNames)) return null;
  // Linux caps open files at fs.nr_open, at most 1073741816.
  const soft = int(env, softNames, 98304, 1, 1_073_741_816);
  const hard = int(env, hardNames, 98304, 1, 1_073_741_816);
  if (soft > hard) {
    throw new ConfigError(`${pick(env, softNames)?.[0] ?? softNames[0]} (${soft}) must not be above ${pick(env, hardNames)?.[0] ?? hardNames[0]} (${hard})`);
  }
  return Object.freeze({ soft, hard });
}

/** loadConfig validates the given environment and returns a frozen Config, or throws ConfigError naming the variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const known = new Set(KNOWN_VARIABLES);
  for (const name of Object.keys(env)) {
    if (name.startsWith('PORTICO_') && !known.has(name)) {
      throw new ConfigError(`unknown setting ${name} (see the configuration table in docs/configuration.md)`);
    }
  }
  const dataDir = path.resolve(cwd, str(env, ['PORTICO_DATA_DIR'], './data'));
  const host = str(env, ['PORTICO_HOST'], '127.0.0.1');
  if (!/^[\w.:-]+$/.test(host)) throw new ConfigError(`PORTICO_HOST must be a host name or address, got ${JSON.stringify(host)}`);
  const dockerNetwork = str(env, ['PORTICO_DOCKER_NETWORK', 'KIOSC_DOCKER_NETWORK'], 'portico-net');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(dockerNetwork)) {
    throw new ConfigError(`PORTICO_DOCKER_NETWORK must be a valid Docker network name, got ${JSON.stringify(dockerNetwork)}`);
  }
  const instance = str(env, ['PORTICO_INSTANCE'], 'portico');
  if (!/^[a-z0-9][a-z0-9_.-]{0,62}$/.test(instance)) {
    throw new ConfigError(`PORTICO_INSTANCE must be lower-case letters, digits, '.', '_' or '-', got ${JSON.stringify(instance)}`);
  }
  const networkMode = oneOf(env, ['PORTICO_NETWORK_MODE', 'KIOSC_NETWORK_MODE'], 'host', ['host', 'docker-shared'] as const);
  const publishPorts = bool(env, ['PORTICO_PUBLISH_PORTS'], false);
  // In a container, 127.0.0.1 is the gateway itself: a published app port would be unreachable and needlessly exposed.
  if (networkMode === 'docker-shared' && publishPorts) {
    throw new ConfigError('PORTICO_PUBLISH_PORTS cannot be used with PORTICO_NETWORK_MODE=docker-shared (apps are reached by name on the Docker network)');
  }
  const dockerMode = oneOf(env, ['PORTICO_DOCKER_MODE'], 'engine', ['engine', 'swarm'] as const);
  // The routing mesh publishes on every address of every node: no app port may be published that way.
  if (dockerMode === 'swarm' && publishPorts) {
    throw new ConfigError('PORTICO_PUBLISH_PORTS cannot be used with PORTICO_DOCKER_MODE=swarm (a swarm publishes ports on every node\'s every address; apps are reached on the overlay network or at their task address: docs/swarm.md)');
  }
  const runAs = pick(env, ['PORTICO_RUN_AS'])?.[1] ?? null;
  if (runAs !== null && !/^(?:[a-z_][a-z0-9_-]{0,31}|\d{1,10}(?::\d{1,10})?)$/.test(runAs)) {
    throw new ConfigError(`PORTICO_RUN_AS must be a user name or uid[:gid], got ${JSON.stringify(runAs)}`);
  }
  const secure = str(env, ['PORTICO_SECURE_COOKIES'], 'auto');
  let secureCookies: boolean | 'auto' = 'auto';
  if (secure !== 'auto') secureCookies = bool(env, ['PORTICO_SECURE_COOKIES'], false);

  const ldap: LdapServerConfig[] = [];
  if (bool(env, ['ENABLE_LDAP'], false)) ldap.push(ldapServer(env, 'AUTH_LDAP'));
  if (bool(env, ['ENABLE_LDAP_SECONDARY'], false)) ldap.push(ldapServer(env, 'AUTH_LDAP2'));

  const logLinesMax = int(env, ['PORTICO_LOG_LINES_MAX', 'KIOSC_CONTAINER_MAX_LOG_LINES'], 10000, 1, 1_000_000);
  const config: Config = {
    host,
    port: int(env, ['PORTICO_PORT'], 8080, 0, 65535),
    dataDir,
    dbPath: path.join(dataDir, 'portico.db'),
    filesDir: path.join(dataDir, 'files'),
    adminPassword: pick(env, ['PORTICO_ADMIN_PASSWORD'])?.[1] ?? null,
    instance,
    networkMode,
    dockerNetwork,
    gatewayName: pick(env, ['PORTICO_GATEWAY_NAME', 'KIOSC_DOCKER_WEB_SERVER'])?.[1] ?? null,
    publishPorts,
    runAs,
    docker: Object.freeze({
      host: pick(env, ['DOCKER_HOST'])?.[1] ?? null,
      tlsVerify: bool(env, ['DOCKER_TLS_VERIFY'], false),
      certPath: pick(env, ['DOCKER_CERT_PATH'])?.[1] ?? null,
      mode: dockerMode,
    }),
    swarm: swarmSettings(env),
    actionMinDelayMs: Math.round(num(env, ['PORTICO_ACTION_MIN_DELAY', 'KIOSC_DOCKER_ACTION_MIN_DELAY'], 1, 0, 3600) * 1000),
    maxInactivityDays: num(env, ['PORTICO_MAX_INACTIVITY_DAYS', 'KIOSC_DOCKER_MAX_INACTIVITY'], 7, 0, 3650),
    logLinesDefault: Math.min(int(env, ['PORTICO_LOG_LINES_DEFAULT', 'KIOSC_CONTAINER_DEFAULT_LOG_LINES'], 100, 1, 1_000_000), logLinesMax),
    logLinesMax,
    embeddedFiles: bool(env, ['PORTICO_EMBEDDED_FILES', 'KIOSC_EMBEDDED_FILES'], true),
    nofile: nofile(env),
    apiPageSize: int(env, ['PORTICO_API_PAGE_SIZE', 'SODAR_API_PAGE_SIZE'], 100, 1, 10_000),
    logRetentionLines: int(env, ['PORTICO_LOG_RETENTION_LINES'], 10000, 10, 10_000_000),
    logRetentionDays: num(env, ['PORTICO_LOG_RETENTION_DAYS'], 30, 0, 3650),
    maxJsonBody: int(env, ['PORTICO_MAX_JSON_BODY'], 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxUploadBytes: int(env, ['PORTICO_MAX_UPLOAD_BYTES'], 100 * 1024 * 1024, 1, 64 * 1024 * 1024 * 1024),
    readinessIntervalMs: int(env, ['PORTICO_READINESS_INTERVAL_MS'], 50, 5, 1000),
    accessFlushMs: int(env, ['PORTICO_ACCESS_FLUSH_MS'], 5000, 50, 3_600_000),
    trustProxy: bool(env, ['PORTICO_TRUST_PROXY'], false),
    secureCookies,
    sessionIdleMinutes: int(env, ['PORTICO_SESSION_IDLE_MINUTES'], 8 * 60, 1, 525_600),
    sessionAbsoluteHours: int(env, ['PORTICO_SESSION_ABSOLUTE_HOURS'], 7 * 24, 1, 87_600),
    readOnly: bool(env, ['PORTICO_READ_ONLY'], false),
    fileServerPort: int(env, ['PORTICO_FILE_SERVER_PORT'], 0, 0, 65535),
    logFormat: oneOf(env, ['PORTICO_LOG_FORMAT'], 'text', ['text', 'json'] as const),
    logLevel: oneOf(env, ['PORTICO_LOG_LEVEL'], 'info', ['debug', 'info', 'warn', 'error'] as const),
    ldap,
    ldapTimeoutSeconds: num(env, ['PORTICO_LDAP_TIMEOUT'], 5, 0.1, 300),
    oidc: bool(env, ['ENABLE_OIDC'], false) ? oidc(env) : null,
    login: Object.freeze({
      userFailures: int(env, ['PORTICO_LOGIN_USER_FAILURES'], 5, 1, 1000),
      addressFailures: int(env, ['PORTICO_LOGIN_ADDRESS_FAILURES'], 20, 1, 100_000),
      lockSeconds: int(env, ['PORTICO_LOGIN_LOCK_SECONDS'], 30, 1, 86_400),
      lockMaxSeconds: int(env, ['PORTICO_LOGIN_LOCK_MAX_SECONDS'], 900, 1, 86_400),
    }),
    schedules: Object.freeze(Object.fromEntries(Object.entries(SCHEDULES).map(([k, [name, def]]) => [k, schedule(env, name, def)])) as Record<ScheduleName, string | null>),
    syncGraceSeconds: int(env, ['PORTICO_SYNC_GRACE_SECONDS'], 60, 0, 86_400),
    uptimeRetentionDays: int(env, ['PORTICO_UPTIME_RETENTION_DAYS'], 35, 1, 3650),
    auditRetentionDays: int(env, ['PORTICO_AUDIT_RETENTION_DAYS'], 365, 1, 36_500),
    srcFacility: srcFacility(env),
    metricsToken: metricsToken(env),
    shutdownGraceSeconds: int(env, ['PORTICO_SHUTDOWN_GRACE_SECONDS'], 10, 0, 600),
    containerLog: Object.freeze({ maxSize: logSize(env), maxFiles: int(env, ['PORTICO_CONTAINER_LOG_MAX_FILES'], 3, 1, 100) }),
    bodyTimeoutSeconds: int(env, ['PORTICO_BODY_TIMEOUT_SECONDS'], 60, 1, 3600),
    ...appOrigins(env),
    delegateLimit: int(env, ['PORTICO_DELEGATE_LIMIT', 'PROJECTROLES_DELEGATE_LIMIT'], 1, 0, 1000),
    projectCreators: oneOf(env, ['PORTICO_PROJECT_CREATORS'], 'all', ['all', 'admins'] as const),
    sodar: sodarConfig(env),
    timeZone: timeZone(env),
    secretKey: null,
    apps: appsConfig(env),
  };
  // Not enumerable: a logged or serialised config never carries the key.
  Object.defineProperty(config, 'secretKey', { value: secretKey(env), enumerable: false });
  return Object.freeze(config);
}

/** secretKey reads PORTICO_SECRET_KEY: 32 bytes as 64 hex digits or base64. */
function secretKey(env: Env): Buffer | null {
  const raw = pick(env, ['PORTICO_SECRET_KEY'])?.[1]?.trim();
  if (!raw) return null;
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : /^[A-Za-z0-9+/]{43}=?$/.test(raw) ? Buffer.from(raw, 'base64') : null;
  if (!key || key.length !== 32) throw new ConfigError('PORTICO_SECRET_KEY must be 32 random bytes as 64 hex digits or base64 (e.g. `openssl rand -hex 32`)');
  return key;
}

function sodarConfig(env: Env): SodarConfig {
  const siteMode = oneOf(env, ['PROJECTROLES_SITE_MODE'], 'SOURCE', ['SOURCE', 'TARGET'] as const);
  const sourceUrl = pick(env, ['PORTICO_SODAR_SOURCE_URL'])?.[1]?.trim().replace(/\/+$/, '') ?? null;
  if (sourceUrl !== null) {
    let u: URL | null = null;
    try { u = new URL(sourceUrl); } catch { /* reported below */ }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash) {
      throw new ConfigError(`PORTICO_SODAR_SOURCE_URL must be the source site's http:// or https:// address without user, query or fragment (e.g. https://sodar.example.com), got ${JSON.stringify(sourceUrl)}`);
    }
  }
  const sourceSecret = pick(env, ['PORTICO_SODAR_SOURCE_SECRET'])?.[1] ?? null;
  if (sourceSecret !== null && !/^[A-Za-z0-9._~-]{8,255}$/.test(sourceSecret)) {
    throw new ConfigError('PORTICO_SODAR_SOURCE_SECRET must be 8 to 255 letters, digits or ._~- (the secret of this site in the source site\'s "Remote sites" list)');
  }
  if (siteMode === 'TARGET' && (!sourceUrl || !sourceSecret)) {
    throw new ConfigError('PROJECTROLES_SITE_MODE=TARGET needs PORTICO_SODAR_SOURCE_URL and PORTICO_SODAR_SOURCE_SECRET (the source site and the secret it gave this site)');
  }
  const defaultAdmin = str(env, ['PROJECTROLES_DEFAULT_ADMIN'], 'admin');
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,149}$/.test(defaultAdmin)) {
    throw new ConfigError(`PROJECTROLES_DEFAULT_ADMIN must be a user name, got ${JSON.stringify(defaultAdmin)}`);
  }
  return Object.freeze({
    siteMode,
    syncEnabled: bool(env, ['PROJECTROLES_TARGET_SYNC_ENABLE'], false),
    // Kiosc takes whole minutes; a fraction (0.05 = 3 s) is accepted too, for tests and impatient sites.
    intervalMinutes: num(env, ['PROJECTROLES_TARGET_SYNC_INTERVAL'], 5, 0.01, 10_080),
    sourceUrl,
    sourceSecret,
    allowLocalUsers: bool(env, ['PROJECTROLES_ALLOW_LOCAL_USERS'], false),
    defaultAdmin,
    timeoutSeconds: num(env, ['PORTICO_SODAR_TIMEOUT'], 30, 0.1, 600),
  });
}

function appsConfig(env: Env): AppsConfig {
  const homePath = str(env, ['PORTICO_APP_HOME_PATH'], '/workspace').trim();
  if (!/^\/[\w.\/-]*$/.test(homePath) || homePath.split('/').includes('..') || homePath === '/') {
    throw new ConfigError(`PORTICO_APP_HOME_PATH must be an absolute path in the container such as /workspace, got ${JSON.stringify(homePath)}`);
  }
  const volumes: AppVolume[] = [];
  const raw = str(env, ['PORTICO_APP_VOLUMES'], '').trim();
  for (const item of raw ? raw.split(',') : []) {
    const m = /^([a-z0-9][a-z0-9_-]{0,62})=(\/[^,:]*)(?::(ro|rw))?$/.exec(item.trim());
    if (!m || m[2].split('/').includes('..')) {
      throw new ConfigError(`PORTICO_APP_VOLUMES must be name=/absolute/host/path[:ro|rw] items separated by commas (e.g. data=/srv/data,refs=/srv/refs:ro), got ${JSON.stringify(item)}`);
    }
    if (volumes.some((v) => v.name === m[1])) throw new ConfigError(`PORTICO_APP_VOLUMES names ${m[1]} twice`);
    volumes.push(Object.freeze({ name: m[1], path: path.resolve(m[2]), readOnly: m[3] === 'ro' }));
  }
  return Object.freeze({
    homePath: homePath.replace(/\/+$/, ''),
    volumes: Object.freeze(volumes),
    perUser: int(env, ['PORTICO_APP_MAX_PER_USER'], 5, 0, 10_000),
    site: int(env, ['PORTICO_APP_MAX_SITE'], 0, 0, 1_000_000),
    publicMax: int(env, ['PORTICO_APP_MAX_PUBLIC'], 20, 0, 100_000),
    publicIdleMinutes: num(env, ['PORTICO_APP_PUBLIC_IDLE_MINUTES'], 15, 0.01, 10_080),
  });
}

function logSize(env: Env): string {
  const raw = str(env, ['PORTICO_CONTAINER_LOG_MAX_SIZE'], '10m').trim().toLowerCase();
  if (!/^[1-9]\d{0,5}[kmg]$/.test(raw)) {
    throw new ConfigError(`PORTICO_CONTAINER_LOG_MAX_SIZE must be a size such as 10m, 500k or 1g (a whole number and k, m or g), got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function appOrigins(env: Env): Pick<Config, 'appOrigins' | 'appsDomain' | 'publicUrl'> {
  const mode = oneOf(env, ['PORTICO_APP_ORIGINS'], 'per-app', ['per-app', 'same-origin'] as const);
  const domain = str(env, ['PORTICO_APPS_DOMAIN'], 'localhost').trim().toLowerCase().replace(/\.$/, '');
  if (!/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domain)) {
    throw new ConfigError(`PORTICO_APPS_DOMAIN must be a DNS name such as apps.example.org (apps are served at <uuid>.<domain>), got ${JSON.stringify(domain)}`);
  }
  const raw = pick(env, ['PORTICO_PUBLIC_URL'])?.[1] ?? null;
  let publicUrl: string | null = null;
  if (raw !== null) {
    let u: URL | null = null;
    try { u = new URL(raw); } catch { /* refused below */ }
    if (u === null || (u.protocol !== 'http:' && u.protocol !== 'https:') || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username || u.password) {
      throw new ConfigError(`PORTICO_PUBLIC_URL must be the gateway's origin as browsers reach it, such as https://portico.example.org (no path), got ${JSON.stringify(raw)}`);
    }
    publicUrl = u.origin;
    const host = u.hostname.toLowerCase();
    if (host === domain || host.endsWith('.' + domain)) {
      throw new ConfigError(`PORTICO_PUBLIC_URL's host ${host} must not be under PORTICO_APPS_DOMAIN (${domain}): the UI must never share an origin, or a parent of one, with an app`);
    }
  }
  if (mode === 'per-app' && domain !== 'localhost' && publicUrl === null) {
    throw new ConfigError('PORTICO_PUBLIC_URL is required with PORTICO_APPS_DOMAIN: app origins send browsers back to the gateway for sign-in');
  }
  return { appOrigins: mode, appsDomain: domain, publicUrl };
}

function timeZone(env: Env): string {
  const name = str(env, ['PORTICO_TIME_ZONE', 'TIME_ZONE'], 'Europe/Berlin').trim();
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError(`PORTICO_TIME_ZONE (or TIME_ZONE) must be an IANA time zone such as Europe/Berlin or UTC, got ${JSON.stringify(name)}`);
  }
}

function metricsToken(env: Env): string | null {
  const token = pick(env, ['PORTICO_METRICS_TOKEN'])?.[1] ?? null;
  if (token !== null && (token.length < 16 || /\s/.test(token))) {
    throw new ConfigError('PORTICO_METRICS_TOKEN must be at least 16 characters without spaces');
  }
  return token;
}

function srcFacility(env: Env): string {
  const raw = pick(env, ['PORTICO_SRC_FACILITY'])?.[1] ?? 'demo';
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(raw)) {
    throw new ConfigError(`PORTICO_SRC_FACILITY must be 1 to 64 letters, digits, '-' or '_' (starting with a letter or digit), got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/** KNOWN_VARIABLES lists every PORTICO_* setting; an unknown PORTICO_* variable is a start-up error (typos fail loudly). */
export const KNOWN_VARIABLES = [
  'PORTICO_HOST', 'PORTICO_PORT', 'PORTICO_DATA_DIR', 'PORTICO_ADMIN_PASSWORD', 'PORTICO_INSTANCE',
  'PORTICO_NETWORK_MODE', 'PORTICO_DOCKER_NETWORK', 'PORTICO_GATEWAY_NAME', 'PORTICO_PUBLISH_PORTS',
  'PORTICO_ACTION_MIN_DELAY', 'PORTICO_MAX_INACTIVITY_DAYS', 'PORTICO_LOG_LINES_DEFAULT', 'PORTICO_LOG_LINES_MAX',
  'PORTICO_LOG_RETENTION_LINES', 'PORTICO_LOG_RETENTION_DAYS', 'PORTICO_MAX_JSON_BODY', 'PORTICO_MAX_UPLOAD_BYTES',
  'PORTICO_READINESS_INTERVAL_MS', 'PORTICO_ACCESS_FLUSH_MS', 'PORTICO_TRUST_PROXY', 'PORTICO_SECURE_COOKIES',
  'PORTICO_SESSION_IDLE_MINUTES', 'PORTICO_SESSION_ABSOLUTE_HOURS', 'PORTICO_READ_ONLY', 'PORTICO_FILE_SERVER_PORT',
  'PORTICO_LOG_FORMAT', 'PORTICO_LOG_LEVEL',
  'PORTICO_LDAP_TIMEOUT', 'PORTICO_LOGIN_USER_FAILURES', 'PORTICO_LOGIN_ADDRESS_FAILURES', 'PORTICO_LOGIN_LOCK_SECONDS',
  'PORTICO_LOGIN_LOCK_MAX_SECONDS',
  ...Object.values(SCHEDULES).map(([name]) => name), 'PORTICO_SYNC_GRACE_SECONDS', 'PORTICO_UPTIME_RETENTION_DAYS',
  'PORTICO_METRICS_TOKEN', 'PORTICO_SHUTDOWN_GRACE_SECONDS', 'PORTICO_RUN_AS',
  'PORTICO_CONTAINER_LOG_MAX_SIZE', 'PORTICO_CONTAINER_LOG_MAX_FILES',
  'PORTICO_BODY_TIMEOUT_SECONDS',
  'PORTICO_EMBEDDED_FILES', 'PORTICO_ULIMIT_NOFILE_SOFT', 'PORTICO_ULIMIT_NOFILE_HARD', 'PORTICO_API_PAGE_SIZE',
  'PORTICO_APP_ORIGINS', 'PORTICO_APPS_DOMAIN', 'PORTICO_PUBLIC_URL', 'PORTICO_DELEGATE_LIMIT', 'PORTICO_PROJECT_CREATORS',
  'PORTICO_OIDC_ADMIN_GROUP', 'PORTICO_OIDC_GROUPS_CLAIM', 'PORTICO_OIDC_LABEL', 'PORTICO_OIDC_SCOPE', 'PORTICO_OIDC_TIMEOUT',
  'PORTICO_SODAR_SOURCE_URL', 'PORTICO_SODAR_SOURCE_SECRET', 'PORTICO_SODAR_TIMEOUT',
  'PORTICO_TIME_ZONE', 'PORTICO_SECRET_KEY',
  'PORTICO_DOCKER_MODE', 'PORTICO_SWARM_CONSTRAINTS', 'PORTICO_SWARM_RESERVE',
  'PORTICO_AUDIT_RETENTION_DAYS',
  'PORTICO_APP_HOME_PATH', 'PORTICO_APP_VOLUMES', 'PORTICO_APP_MAX_PER_USER', 'PORTICO_APP_MAX_SITE', 'PORTICO_APP_MAX_PUBLIC',
  'PORTICO_APP_PUBLIC_IDLE_MINUTES', 'PORTICO_SRC_FACILITY',
];
