/**
 * validate.ts: checks what an admin gives for a container host — name, URL, mode, TLS material,
 * publish address — before anything is stored. PEM texts are parsed here, and the client key must
 * belong to the client certificate, so a bad paste is a 400 that says which part is wrong.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import net from 'node:net';
import { ValidationError } from '../errors.ts';
import type { HostInput, HostMode, HostRecord, HostTls } from '../store/hosts.ts';

/** MASKED stands for a stored client key in what Portico shows, and keeps it when sent back. */
export const MASKED = '<masked>';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** parseHostUrl checks `unix:///path` or `tcp://host:port`; returns the kind or null with `errors` filled. */
export function parseHostUrl(url: unknown, errors: Record<string, string>): 'unix' | 'tcp' | null {
  if (typeof url !== 'string' || !url.trim()) { errors.url = 'required: unix:///path/to/docker.sock or tcp://host:2376'; return null; }
  const u = url.trim();
  if (u.startsWith('unix://')) {
    if (!/^unix:\/\/\/[^\0\s]+$/.test(u)) { errors.url = 'a unix:// URL names an absolute socket path, e.g. unix:///var/run/docker.sock'; return null; }
    return 'unix';
  }
  if (u.startsWith('tcp://')) {
    const m = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(u);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) { errors.url = 'a tcp:// URL is tcp://host:port, e.g. tcp://10.0.0.5:2376 (no path)'; return null; }
    return 'tcp';
  }
  if (/^(http|https):\/\//.test(u)) { errors.url = 'use tcp://host:port (with TLS) for a remote engine, not http(s)://'; return null; }
  errors.url = `not a container host URL: ${JSON.stringify(u.slice(0, 100))} (unix:///path or tcp://host:port)`;
  return null;
}

function pemCert(v: unknown, field: string, errors: Record<string, string>): X509Certificate | null {
  if (typeof v !== 'string' || !v.includes('-----BEGIN CERTIFICATE-----')) { errors[field] = 'a PEM certificate (-----BEGIN CERTIFICATE-----)'; return null; }
  try { return new X509Certificate(v); } catch (err) { errors[field] = `not a readable PEM certificate (${(err as Error).message})`; return null; }
}

/** checkTls parses the CA, the client certificate and its key; the key must match the certificate. */
export function checkTls(tls: Partial<HostTls>, errors: Record<string, string>): HostTls | null {
  const ca = pemCert(tls.ca, 'tls.ca', errors);
  const cert = pemCert(tls.cert, 'tls.cert', errors);
  let key = null;
  if (typeof tls.key !== 'string' || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(tls.key)) errors['tls.key'] = 'a PEM private key (-----BEGIN PRIVATE KEY-----)';
  else {
    try { key = createPrivateKey(tls.key); } catch (err) { errors['tls.key'] = `not a readable PEM private key (${(err as Error).message})`; }
  }
  if (cert && key && !cert.checkPrivateKey(key)) errors['tls.key'] = 'the key does not belong to the client certificate';
  if (cert && ca && !cert.checkIssued(ca)) errors['tls.cert'] = 'the client certificate was not issued by the given CA';
  if (cert && Date.parse(cert.validTo) < Date.now()) errors['tls.cert'] = `the client certificate expired on ${cert.validTo}`;
  return ca && cert && key && !errors['tls.key'] && !errors['tls.cert'] ? { ca: tls.ca!, cert: tls.cert!, key: tls.key! } : null;
}

/** checkPublishAddress accepts one IP address of the host (never a wildcard: a published app would answer on every interface). */
function checkPublishAddress(v: unknown, errors: Record<string, string>): string | null {
  if (typeof v !== 'string' || !net.isIP(v.trim())) {
    errors.publish_address = 'the IP address of that host the gateway can reach (its published app ports are bound to it), e.g. 10.0.0.5';
    return null;
  }
  const a = v.trim();
  if (a === '0.0.0.0' || a === '::' || /^0+(\.0+){3}$/.test(a)) { errors.publish_address = 'not a wildcard: name the one address of the host the gateway reaches (apps would otherwise answer on every interface)'; return null; }
  return a;
}

/**
 * validateHost checks an add (`base` null) or an edit (fields not given keep `base`'s values; a key
 * of `<masked>` or none keeps the stored key). Throws ValidationError naming each bad field.
 */
export function validateHost(input: unknown, base: HostRecord | null): HostInput {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new ValidationError({ body: 'a JSON object with name, url, tls and publish_address' });
  const i = input as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const name = i.name ?? base?.name;
  if (typeof name !== 'string' || !NAME.test(name)) errors.name = 'letters, digits, dot, dash and underscore, 1 to 63, starting with a letter or digit';
  const mode = (i.mode ?? base?.mode ?? 'engine') as HostMode;
  if (mode !== 'engine' && mode !== 'swarm') errors.mode = 'engine or swarm';
  const url = typeof (i.url ?? base?.url) === 'string' ? String(i.url ?? base?.url).trim() : i.url;
  const kind = parseHostUrl(url, errors);
  let tls: HostTls | null = null;
  const given = i.tls;
  if (given !== undefined && given !== null && (typeof given !== 'object' || Array.isArray(given))) errors.tls = 'an object with ca, cert and key (PEM texts)';
  else if (kind === 'tcp') {
    const t = (given ?? {}) as Partial<HostTls>;
    const keep = base?.tls;
    const merged = { ca: t.ca ?? keep?.ca, cert: t.cert ?? keep?.cert, key: t.key === undefined || t.key === MASKED ? keep?.key : t.key };
    if (!merged.ca && !merged.cert && !merged.key) errors.tls = 'a tcp:// host needs TLS: ca, cert and key (PEM texts); Portico never drives an engine in the clear';
    else tls = checkTls(merged, errors);
  } else if (kind === 'unix' && given && Object.values(given as object).some((v) => v)) {
    errors.tls = 'TLS is for tcp:// hosts; a unix:// socket takes none';
  }
  const pa = i.publish_address !== undefined ? i.publish_address : base ? base.publishAddress : kind === 'unix' ? '127.0.0.1' : undefined;
  const publishAddress = checkPublishAddress(pa, errors);
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return { name: name as string, url: url as string, mode, tls, publishAddress };
}

/**
 * checkSwarmReach refuses a swarm-mode host whose apps this gateway could not reach (docs/swarm.md):
 * a swarm service publishes no port, so the proxy goes to the task itself. In host mode that is the
 * task's docker_gwbridge address, which only the manager's own machine reaches: a unix:// socket
 * here, never a tcp:// manager elsewhere. In docker-shared mode the gateway container would have to
 * join that swarm's overlay network, which is not built for an added host.
 */
export function checkSwarmReach(v: HostInput, networkMode: 'host' | 'docker-shared'): void {
  if (v.mode !== 'swarm') return;
  if (networkMode === 'docker-shared') {
    throw new ValidationError({ mode: 'a swarm-mode host cannot be added while PORTICO_NETWORK_MODE=docker-shared: the gateway container would have to join that swarm\'s overlay network, which is not built; make that manager the built-in host (DOCKER_HOST with PORTICO_DOCKER_MODE=swarm), or add it in engine mode' });
  }
  if (v.url.startsWith('tcp://')) {
    throw new ValidationError({ url: 'a swarm-mode host over tcp:// cannot be reached while the gateway runs in host mode: a swarm service publishes no port, and its task\'s docker_gwbridge address is on that manager\'s machine, not this one; use the manager\'s unix:// socket on the machine the gateway runs on, or add it in engine mode' });
  }
}
