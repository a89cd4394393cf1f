/**
 * spec.ts: builds the engine's ContainerSpec from a container record: the URL-prefix placeholder
 * substituted in environment and command, Kiosc's extra variables, labels and a readable name.
 */
import { createHash } from 'node:crypto';
import type { Container } from '../types.ts';
import type { ContainerSpec } from '../engine/engine.ts';
import { shellSplit } from './shell-split.ts';
import { pythonStr } from './python-str.ts';

/** PREFIX_PLACEHOLDER is Kiosc's placeholder for the container's public URL prefix. */
export const PREFIX_PLACEHOLDER = '__KIOSC_URL_PREFIX__';

/** LABELS are the label keys on every Docker object Portico creates. */
export const LABELS = {
  managed: 'portico.managed',
  container: 'portico.container',
  project: 'portico.project',
  instance: 'portico.instance',
  /** spec is a hash of everything the container was created from: an unchanged hash lets a stopped container resume. */
  spec: 'portico.spec',
} as const;

/** volumeName is the engine name of a container's data volume: portico-<instance>-<container uuid>. */
export function volumeName(instance: string, uuid: string): string {
  return `portico-${instance}-${uuid}`;
}

/**
 * specHash is the hash the `portico.spec` label carries: every field that shapes the container,
 * except a host port picked per creation (a host port the client asked for counts).
 */
export function specHash(spec: ContainerSpec, requestedHostPort: number | null = null): string {
  const { publishHostPort, labels, nofile, ...rest } = spec;
  const { [LABELS.spec]: _h, ...other } = labels;
  const published = publishHostPort === null ? false : requestedHostPort ?? true;
  // No limit set hashes as before the setting existed, so an upgrade does not recreate every stopped container.
  const limits = nofile ? { nofile } : {};
  return createHash('sha256').update(JSON.stringify({ ...rest, labels: other, published, ...limits })).digest('hex').slice(0, 32);
}

/** proxyPrefix is the public path of a container's app: /containers/proxy/<uuid>/ */
export function proxyPrefix(uuid: string): string {
  return `/containers/proxy/${uuid}/`;
}

/**
 * publicPrefix is the link that opens the app and what __KIOSC_URL_PREFIX__ becomes, as Kiosc
 * builds both: the proxy prefix followed by container_path as it was typed, so 'cgi-bin/echo'
 * gives /containers/proxy/<uuid>/cgi-bin/echo (no slash added) and '' gives /containers/proxy/<uuid>/.
 */
export function publicPrefix(c: Pick<Container, 'uuid' | 'containerPath'>): string {
  return proxyPrefix(c.uuid) + c.containerPath.replace(/^\/+/, '');
}

/** dockerName is the readable, unique engine name of a container: portico-<title-slug>-<uuid8>. */
export function dockerName(c: Pick<Container, 'uuid' | 'title'>): string {
  const slug = c.title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `portico-${slug ? slug + '-' : ''}${c.uuid.slice(0, 8)}`;
}

/** Substitute rewrites placeholders in one string (the prefix here; file references are added by the files module). */
export type Substitute = (text: string, c: Container) => string;

/** substitutePrefix replaces every __KIOSC_URL_PREFIX__ with the container's public prefix. */
export const substitutePrefix: Substitute = (text, c) => text.split(PREFIX_PLACEHOLDER).join(publicPrefix(c));

/** SpecOptions are the deployment facts the spec depends on. */
export interface SpecOptions {
  instance: string;
  network: string;
  publishHostPort: number | null;
  substitutions: Substitute[];
  /** log bounds the engine's json-file log of the container. */
  log: { maxSize: string; maxFiles: number };
  nofile: { soft: number; hard: number } | null;
  /** extend adds to the spec before its hash is taken (the app platform's per-user instances: apps/instance-spec.ts). */
  extend?: (spec: ContainerSpec, c: Container) => void;
}

/** buildSpec returns the ContainerSpec for `c`. */
export function buildSpec(c: Container, opts: SpecOptions): ContainerSpec {
  const sub = (text: string) => opts.substitutions.reduce((t, f) => f(t, c), text);
  // As Kiosc: a value that is not a string is written as Python's str() of it, and a null one as
  // the bare name, which leaves the variable unset. Placeholders are replaced in every string,
  // inside lists and objects too (before quoting), where Kiosc replaced only whole string values.
  const env: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(c.environment)) env[k] = pythonStr(v, sub);
  env.TITLE = c.title;
  env.DESCRIPTION = c.description;
  env.CONTAINER_PORT = String(c.containerPort);
  const command = c.command.trim() ? shellSplit(sub(c.command)) : null;
  const name = dockerName(c);
  const volumes = c.dataPath ? [{
    name: volumeName(opts.instance, c.uuid), target: c.dataPath,
    labels: { [LABELS.managed]: 'true', [LABELS.instance]: opts.instance, [LABELS.container]: c.uuid, [LABELS.project]: c.projectUuid },
  }] : [];
  const spec: ContainerSpec = {
    name,
    image: `${c.repository}:${c.tag}`,
    env: Object.entries(env).map(([k, v]) => (v === null ? k : `${k}=${v}`)),
    cmd: command,
    labels: {
      [LABELS.managed]: 'true',
      [LABELS.container]: c.uuid,
      [LABELS.project]: c.projectUuid,
      [LABELS.instance]: opts.instance,
      'portico.title': c.title.slice(0, 200),
    },
    network: opts.network,
    aliases: [name],
    port: c.containerPort,
    publishHostPort: opts.publishHostPort,
    volumes,
    log: opts.log,
    nofile: opts.nofile ? { soft: opts.nofile.soft, hard: opts.nofile.hard } : null,
  };
  opts.extend?.(spec, c);
  spec.labels[LABELS.spec] = specHash(spec, c.requestedHostPort);
  return spec;
}
