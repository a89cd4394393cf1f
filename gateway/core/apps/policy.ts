/**
 * policy.ts: grant policies (Simphony-remote's allow_home, allow_view and SOURCE:TARGET:MODE volume)
 * as one canonical string, and the allowlist check that keeps every host mount inside
 * PORTICO_APP_VOLUMES: no user, label or grant can name any other host path.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppVolume } from '../config.ts';
import { PorticoError, ValidationError } from '../errors.ts';
import type { Policy, VolumeMount } from './types.ts';

/** DEFAULT_POLICY grants the app with no home, no sharing and no volume. */
export const DEFAULT_POLICY: Policy = Object.freeze({ allowHome: false, allowView: false, allowEnv: false, volume: null });

/** policyKey is the canonical text of a policy: equal policies give equal keys (the instance's identity). */
export function policyKey(p: Policy): string {
  const v = p.volume ? `${p.volume.source}:${p.volume.target}:${p.volume.mode}` : '';
  return `home=${p.allowHome ? 1 : 0};view=${p.allowView ? 1 : 0};env=${p.allowEnv ? 1 : 0};volume=${v}`;
}

/** parsePolicyKey reads a key policyKey wrote (null when it is not one). */
export function parsePolicyKey(key: string): Policy | null {
  const m = /^home=([01]);view=([01]);env=([01]);volume=(.*)$/.exec(key);
  if (!m) return null;
  let volume: VolumeMount | null = null;
  if (m[4]) {
    const parts = /^(.+):(\/[^:]*):(ro|rw)$/.exec(m[4]);
    if (!parts) return null;
    volume = { source: parts[1], target: parts[2], mode: parts[3] as 'ro' | 'rw' };
  }
  return { allowHome: m[1] === '1', allowView: m[2] === '1', allowEnv: m[3] === '1', volume };
}

/** describePolicy is a short human text for a policy ("home, view, data → /data (ro)"). */
export function describePolicy(p: Policy): string {
  const parts: string[] = [];
  if (p.allowHome) parts.push('home');
  if (p.allowView) parts.push('may share');
  if (p.allowEnv) parts.push('settable variables');
  if (p.volume) parts.push(`${p.volume.source} → ${p.volume.target} (${p.volume.mode})`);
  return parts.length ? parts.join(', ') : 'default';
}

const TARGET_RE = /^\/[A-Za-z0-9._\/-]*$/;

/** parseVolumeString reads Simphony-remote's SOURCE:TARGET:MODE (mode ro or rw), or throws a 400. */
export function parseVolumeString(text: string): VolumeMount {
  const m = /^([^:]+):([^:]+):([^:]+)$/.exec(text.trim());
  if (!m) throw new ValidationError({ volume: `must be SOURCE:TARGET:MODE with MODE ro or rw, got ${JSON.stringify(text)}` });
  if (m[3] !== 'ro' && m[3] !== 'rw') throw new ValidationError({ volume: `MODE must be ro or rw, got ${JSON.stringify(m[3])}` });
  return { source: m[1], target: m[2], mode: m[3] };
}

/** ResolvedMount is a host directory the engine may bind, with the allowlist entry that permits it. */
export interface ResolvedMount { hostPath: string; target: string; readOnly: boolean; entry: string }

/**
 * resolveVolume checks a grant's volume against the allowlist and returns the host directory to
 * bind. The source is an allowlist name (`data`) or a host path; a path is resolved to its real path
 * (symbolic links followed) and must lie inside an allowed directory's real path. rw is refused
 * where the entry allows ro only. Everything else is refused with E_VOLUME_NOT_ALLOWED (400).
 */
export function resolveVolume(v: VolumeMount, allowlist: readonly AppVolume[]): ResolvedMount {
  const refuse = (why: string) => new PorticoError('E_VOLUME_NOT_ALLOWED', 400, `volume ${JSON.stringify(v.source)}: ${why}`);
  if (!TARGET_RE.test(v.target) || v.target.split('/').includes('..') || v.target === '/') {
    throw new ValidationError({ volume: `TARGET must be an absolute path in the container (letters, digits, . _ - /), got ${JSON.stringify(v.target)}` });
  }
  if (!allowlist.length) throw refuse('no host volumes are allowed on this site (PORTICO_APP_VOLUMES is empty)');
  let entry = allowlist.find((a) => a.name === v.source) ?? null;
  let hostPath: string;
  if (entry) {
    hostPath = realOrNull(entry.path) ?? '';
    if (!hostPath) throw refuse(`the allowed directory ${entry.path} does not exist`);
  } else {
    if (!path.isAbsolute(v.source)) throw refuse(`not a name in PORTICO_APP_VOLUMES (${allowlist.map((a) => a.name).join(', ')}) nor an absolute path under one`);
    const real = realOrNull(v.source);
    if (real === null) throw refuse('does not exist');
    entry = allowlist.find((a) => {
      const root = realOrNull(a.path);
      return root !== null && (real === root || real.startsWith(root.endsWith('/') ? root : root + '/'));
    }) ?? null;
    if (!entry) throw refuse(`resolves to ${real}, outside every directory PORTICO_APP_VOLUMES allows`);
    hostPath = real;
  }
  if (entry.readOnly && v.mode === 'rw') throw refuse(`${entry.name} may be mounted read-only (ro) only`);
  if (!fs.statSync(hostPath).isDirectory()) throw refuse('is not a directory');
  return { hostPath, target: v.target, readOnly: v.mode === 'ro', entry: entry.name };
}

function realOrNull(p: string): string | null {
  try { return fs.realpathSync(p); } catch { return null; }
}

/** readPolicy validates a policy from API, form or CLI input (allow_home, allow_view, volume "SOURCE:TARGET:MODE"). */
export function readPolicy(input: Record<string, unknown>, allowlist: readonly AppVolume[]): Policy {
  const flag = (name: string): boolean => {
    const v = input[name];
    if (v === undefined || v === null || v === '' || v === false || v === 'false' || v === '0' || v === 'off') return false;
    if (v === true || v === 'true' || v === '1' || v === 'on') return true;
    throw new ValidationError({ [name]: `must be true or false, got ${JSON.stringify(v)}` });
  };
  const raw = input.volume;
  let volume: VolumeMount | null = null;
  if (typeof raw === 'string' && raw.trim()) volume = parseVolumeString(raw);
  else if (raw && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    volume = parseVolumeString(`${String(o.source ?? '')}:${String(o.target ?? '')}:${String(o.mode ?? '')}`);
  } else if (raw !== undefined && raw !== null && raw !== '') throw new ValidationError({ volume: 'must be "SOURCE:TARGET:MODE" or {source, target, mode}' });
  if (volume) resolveVolume(volume, allowlist);
  return { allowHome: flag('allow_home'), allowView: flag('allow_view'), allowEnv: flag('allow_env'), volume };
}
