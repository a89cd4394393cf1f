/**
 * validate.ts: turns client input (Kiosc's snake_case JSON fields, or form values) into
 * ContainerSettings, with one clear message per bad field. Nothing is written until this passes.
 */
import { ValidationError } from '../errors.ts';
import type { ContainerSettings } from '../types.ts';
import { shellSplit } from './shell-split.ts';

/** MASK is what secret environment values look like to clients; sending it back keeps the old value. */
export const MASK = '<masked>';

// Docker's reference grammar (distribution/reference): optional domain[:port], then path components.
const DOMAIN = String.raw`(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?`;
const COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const REPOSITORY_RE = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const ENV_KEY_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const PATH_RE = /^[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/**
 * envKeyProblem says why `k` cannot be an environment variable name, or null. Docker refuses an
 * empty name, "=" and NUL; Portico also refuses other control characters and `__proto__`, which a
 * JavaScript object cannot hold as a plain key (it would be dropped without a word).
 */
export function envKeyProblem(k: string): string | null {
  if (k === '') return 'is empty';
  if (k === '__proto__') return 'is reserved; choose another name';
  if (!ENV_KEY_RE.test(k)) {
    if (k.includes('=')) return 'cannot contain "="';
    if (/[\u0000-\u001f\u007f]/.test(k)) return 'cannot contain control characters';
    return 'is not a valid variable name (letters, digits, "_", "." and "-", not starting with a digit)';
  }
  return null;
}

/** envValueProblem says why `v` cannot be an environment value (Docker refuses NUL), or null. */
export function envValueProblem(v: unknown): string | null {
  const text = typeof v === 'string' ? v : '';
  // Any other value reaches the app as Python's str() of it (python-str.ts), where a NUL is the escape \x00.
  if (text.includes('\u0000')) return 'contains a NUL character, which an environment variable cannot hold';
  return null;
}

/** isValidRepository tells whether `s` is a Docker image repository name (without tag). */
export function isValidRepository(s: string): boolean {
  return s.length > 0 && s.length <= 255 && REPOSITORY_RE.test(s);
}

/** isValidTag tells whether `s` is a Docker image tag. */
export function isValidTag(s: string): boolean {
  return TAG_RE.test(s);
}

// Mounting over these would hide what the container's own system needs (or what the engine provides).
const SYSTEM_DIRS = new Set(['/bin', '/boot', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/sbin', '/usr', '/var', '/run', '/tmp']);
const KERNEL_DIRS = ['/proc', '/sys', '/dev'];
const DATA_PATH_RE = /^\/[A-Za-z0-9._@+~=-]+(?:\/[A-Za-z0-9._@+~=-]+)*$/;

/**
 * dataPathError says what is wrong with a data volume's mount path inside the container, or null:
 * it must be absolute and plain (no "." or ".." segment, no trailing or doubled slash), not "/",
 * not under /proc, /sys or /dev, and not a system directory itself. It is never a host path:
 * Portico mounts its own named volume there.
 */
export function dataPathError(p: string): string | null {
  if (!p.startsWith('/')) return 'must be an absolute path inside the container, such as /data or /home/jovyan/work (never a host path)';
  if (p === '/') return 'must not be / (the whole file system); use a directory such as /data';
  if (p.length > 255) return 'must be at most 255 characters';
  if (p.split('/').some((seg) => seg === '.' || seg === '..')) return 'must not contain "." or ".." segments';
  if (!DATA_PATH_RE.test(p)) return 'may contain only letters, digits and . _ @ + ~ = -, separated by single slashes, with no trailing slash';
  if (KERNEL_DIRS.some((d) => p === d || p.startsWith(d + '/'))) return `must not be under ${KERNEL_DIRS.join(', ')} (the engine provides those)`;
  if (SYSTEM_DIRS.has(p)) return `must not be the system directory ${p}; use a directory of its own, such as ${p === '/var' ? '/var/lib/app' : '/data'}`;
  return null;
}

/** ValidateOptions carries the global limits the checks depend on. */
export interface ValidateOptions {
  maxInactivityDays: number;
}

type Input = Record<string, unknown>;

// A bound against nonsense only (a hundred years); the site's limit applies when the threshold is used.
const MAX_THRESHOLD_DAYS = 36500;

/** defaults returns the settings a new container starts from (Kiosc's defaults). */
export function defaultSettings(opts: ValidateOptions): ContainerSettings {
  return {
    title: '', description: '', repository: '', tag: 'latest', containerPort: 80, containerPath: '', heartbeatUrl: '',
    timeout: 60, environment: {}, environmentSecretKeys: [], command: '', maxRetries: 5,
    inactivityThreshold: opts.maxInactivityDays, stripPrefix: true, dataPath: '', templateSiteUuid: null, templateProjectUuid: null,
    requestedHostPort: null,
  };
}

function has(input: Input, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(input, key) && input[key] !== undefined;
}

function asText(v: unknown, field: string, max: number, errors: Record<string, string>): string | undefined {
  if (v === null) return '';
  if (typeof v !== 'string') { errors[field] = 'must be a string'; return undefined; }
  if (v.length > max) { errors[field] = `must be at most ${max} characters`; return undefined; }
  if (/[\u0000]/.test(v)) { errors[field] = 'must not contain NUL characters'; return undefined; }
  return v;
}

function asInt(v: unknown, field: string, min: number, max: number, errors: Record<string, string>): number | undefined {
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) { errors[field] = 'must be a whole number'; return undefined; }
  if (n < min || n > max) { errors[field] = `must be between ${min} and ${max}`; return undefined; }
  return n;
}

function asBool(v: unknown, field: string, errors: Record<string, string>): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'on' || v === '1' || v === 1) return true;
  if (v === 'false' || v === 'off' || v === '0' || v === 0 || v === '') return false;
  errors[field] = 'must be true or false';
  return undefined;
}

/**
 * validateSettings merges `input` over `base` (a new container's defaults, or the stored settings on
 * update) and checks the result. `<masked>` secret values in input keep the stored value.
 */
export function validateSettings(input: unknown, base: ContainerSettings, opts: ValidateOptions, partial: boolean): ContainerSettings {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError({ body: 'must be a JSON object' }, 'request body must be a JSON object');
  }
  const inp = input as Input;
  const errors: Record<string, string> = {};
  const out: ContainerSettings = { ...base, environment: { ...base.environment }, environmentSecretKeys: [...base.environmentSecretKeys] };

  if (has(inp, 'title')) {
    const t = asText(inp.title, 'title', 255, errors)?.trim();
    if (t !== undefined) { if (!t) errors.title = 'is required'; else out.title = t; }
  } else if (!partial) errors.title = 'is required';

  if (has(inp, 'description')) { const v = asText(inp.description, 'description', 4096, errors); if (v !== undefined) out.description = v; }

  if (has(inp, 'repository')) {
    const v = asText(inp.repository, 'repository', 255, errors)?.trim();
    if (v !== undefined) {
      if (!isValidRepository(v)) errors.repository = 'must be a Docker image name such as "nginx", "ghcr.io/org/app" or "registry:5000/app" (lower case, no tag)';
      else out.repository = v;
    }
  } else if (!partial) errors.repository = 'is required';

  if (has(inp, 'tag')) {
    const v = asText(inp.tag, 'tag', 128, errors)?.trim();
    if (v !== undefined) {
      if (!isValidTag(v)) errors.tag = 'must be a Docker tag: letters, digits, "_", "." and "-", at most 128 characters';
      else out.tag = v;
    }
  }

  if (has(inp, 'container_port')) { const v = asInt(inp.container_port, 'container_port', 1, 65535, errors); if (v !== undefined) out.containerPort = v; }

  if (has(inp, 'container_path')) {
    const v = asText(inp.container_path, 'container_path', 1024, errors)?.trim();
    if (v !== undefined) {
      const p = v.replace(/^\/+/, '');
      if (!PATH_RE.test(p)) errors.container_path = 'may only contain URL path characters';
      else if (p.split('/').some((seg) => seg === '..' || seg === '.')) errors.container_path = 'must not contain "." or ".." segments';
      else out.containerPath = p;
    }
  }

  if (has(inp, 'heartbeat_url')) {
    const v = asText(inp.heartbeat_url, 'heartbeat_url', 2048, errors)?.trim();
    if (v !== undefined) {
      if (v && !/^\//.test(v) && !/^https?:\/\/[^\s]+$/.test(v)) errors.heartbeat_url = 'must be a path such as /health or an http(s) URL';
      else out.heartbeatUrl = v;
    }
  }

  if (has(inp, 'timeout')) { const v = asInt(inp.timeout, 'timeout', 1, 3600, errors); if (v !== undefined) out.timeout = v; }
  if (has(inp, 'max_retries')) { const v = asInt(inp.max_retries, 'max_retries', 0, 100, errors); if (v !== undefined) out.maxRetries = v; }

  if (has(inp, 'inactivity_threshold')) {
    const raw = inp.inactivity_threshold;
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    // Stored as given, as Kiosc does; the idle rule caps it by PORTICO_MAX_INACTIVITY_DAYS when it applies it.
    if (raw === null || raw === '') out.inactivityThreshold = opts.maxInactivityDays;
    else if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > MAX_THRESHOLD_DAYS) errors.inactivity_threshold = `must be a number of days, from 0 to ${MAX_THRESHOLD_DAYS}`;
    else out.inactivityThreshold = n;
  }

  if (has(inp, 'host_port')) {
    const raw = inp.host_port;
    if (raw === null || raw === '') out.requestedHostPort = null;
    else { const v = asInt(raw, 'host_port', 1, 65535, errors); if (v !== undefined) out.requestedHostPort = v; }
  }

  if (has(inp, 'strip_prefix')) { const v = asBool(inp.strip_prefix, 'strip_prefix', errors); if (v !== undefined) out.stripPrefix = v; }

  if (has(inp, 'data_path')) {
    const v = asText(inp.data_path, 'data_path', 1024, errors)?.trim();
    if (v !== undefined) {
      const why = v === '' ? null : dataPathError(v);
      if (why) errors.data_path = why;
      else out.dataPath = v;
    }
  }

  if (has(inp, 'command')) {
    const v = asText(inp.command, 'command', 8192, errors);
    if (v !== undefined) {
      try { shellSplit(v); out.command = v.trim(); } catch (e) { errors.command = (e as ValidationError).fields?.command ?? 'cannot be split into words'; }
    }
  }

  for (const [key, field] of [['containertemplatesite', 'templateSiteUuid'], ['containertemplateproject', 'templateProjectUuid']] as const) {
    if (has(inp, key)) {
      const v = inp[key];
      if (v === null || v === '') out[field] = null;
      else if (typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v)) out[field] = v.toLowerCase();
      else errors[key] = 'must be a template UUID or null';
    }
  }

  if (has(inp, 'environment')) {
    let env = inp.environment;
    if (typeof env === 'string') {
      if (env.trim() === '') env = {};
      else {
        try { env = JSON.parse(env); } catch { errors.environment = 'must be a JSON object, e.g. {"KEY": "value"}'; env = undefined; }
      }
    }
    if (env === null) env = {};
    if (env !== undefined) {
      if (typeof env !== 'object' || Array.isArray(env)) errors.environment = 'must be a JSON object, e.g. {"KEY": "value"}';
      else {
        const next: Record<string, unknown> = {};
        // The row is the key's place in the object: the form's key/value editor numbers its rows so.
        for (const [row, [k, v]] of Object.entries(env as Record<string, unknown>).entries()) {
          const badKey = envKeyProblem(k);
          const badValue = badKey ? null : envValueProblem(v);
          if (badKey) { errors.environment = `key ${JSON.stringify(k)} ${badKey} (row ${row + 1})`; break; }
          if (badValue) { errors.environment = `the value of ${JSON.stringify(k)} ${badValue} (row ${row + 1})`; break; }
          next[k] = v === MASK && Object.hasOwn(base.environment, k) ? base.environment[k] : v;
        }
        if (JSON.stringify(next).length > 65536) errors.environment = 'must be at most 64 KiB';
        out.environment = next;
      }
    }
  }

  if (has(inp, 'environment_secret_keys')) {
    const raw = inp.environment_secret_keys;
    let keys: string[] | undefined;
    if (raw === null || raw === '') keys = [];
    else if (typeof raw === 'string') keys = raw.split(',').map((k) => k.trim()).filter(Boolean);
    else if (Array.isArray(raw) && raw.every((k) => typeof k === 'string')) keys = (raw as string[]).map((k) => k.trim()).filter(Boolean);
    else errors.environment_secret_keys = 'must be a comma-separated list of environment keys';
    if (keys) out.environmentSecretKeys = [...new Set(keys)];
  }
  if (!errors.environment && !errors.environment_secret_keys) {
    const missing = out.environmentSecretKeys.filter((k) => !(k in out.environment));
    if (missing.length) errors.environment_secret_keys = `keys not present in environment: ${missing.join(', ')}`;
  }

  if (Object.keys(errors).length) throw new ValidationError(errors);
  return out;
}

/** maskEnvironment replaces the values of secret keys with MASK (for every reader, always). */
export function maskEnvironment(env: Record<string, unknown>, secretKeys: string[]): Record<string, unknown> {
  if (!secretKeys.length) return env;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(env)) out[k] = secretKeys.includes(k) ? MASK : v;
  return out;
}
