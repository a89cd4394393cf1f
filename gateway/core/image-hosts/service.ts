/**
 * service.ts: image hosts (registries) and their credentials. Passwords are sealed on the way in
 * and opened only to build a pull's X-Registry-Auth or a /v2/ check; no surface ever reads one back.
 * A pull sends credentials only to the host whose address its image reference names.
 */
import { X509Certificate } from 'node:crypto';
import type { Config } from '../config.ts';
import type { RegistryAuth } from '../engine/engine.ts';
import { NotFoundError, PorticoError, ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { ImageHostRow } from '../store/image-hosts.ts';
import { checkImageHost } from './check.ts';
import type { CheckResult } from './check.ts';
import { namesRegistry, normalizeAddress, registryOf, serverAddress } from './image-ref.ts';
import { createSecretBox, loadSecretKey } from './secret-box.ts';
import type { SecretBox } from './secret-box.ts';

/** ImageHost is an image host as surfaces see it: whether it has a password, never the password. */
export interface ImageHost {
  id: number;
  name: string;
  address: string;
  username: string;
  hasPassword: boolean;
  /** credentialsUnreadable: the password was sealed with another key (PORTICO_SECRET_KEY or secret.key changed). */
  credentialsUnreadable: boolean;
  caCert: string;
  isDefault: boolean;
  createdAt: string;
  modifiedAt: string;
}

/** ImageHostInput is what an admin sends; on an update an absent field keeps its value, and an absent or empty password keeps the stored one. */
export interface ImageHostInput { name?: unknown; address?: unknown; username?: unknown; password?: unknown; caCert?: unknown; isDefault?: unknown }

/** ImageHosts is the image-host service. */
export type ImageHosts = ReturnType<typeof createImageHosts>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

/** createImageHosts builds the service over the store; the sealing key is loaded on first use. */
export function createImageHosts(deps: { config: Config; store: Store; logger: Logger }) {
  const { config, store, logger } = deps;
  let box: SecretBox | null = null;
  const secrets = (): SecretBox => (box ??= createSecretBox(loadSecretKey(config.secretKey, config.dataDir)));

  function view(r: ImageHostRow): ImageHost {
    const unreadable = r.passwordSealed !== '' && secrets().open(r.passwordSealed) === null;
    return {
      id: r.id, name: r.name, address: r.address, username: r.username, hasPassword: r.passwordSealed !== '',
      credentialsUnreadable: unreadable, caCert: r.caCert, isDefault: r.isDefault, createdAt: r.createdAt, modifiedAt: r.modifiedAt,
    };
  }

  function row(name: string): ImageHostRow {
    const r = store.imageHosts.byName(name);
    if (!r) throw new NotFoundError('E_NOT_FOUND', `no image host named ${JSON.stringify(name)}`);
    return r;
  }

  /** validate checks input over `base` and returns the fields to store (the password still plain). */
  function validate(inp: ImageHostInput, base: ImageHostRow | null) {
    const errors: Record<string, string> = {};
    const str = (k: keyof ImageHostInput, max: number): string | undefined => {
      const v = inp[k];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string') { errors[k] = 'must be a string'; return undefined; }
      if (v.length > max) { errors[k] = `must be at most ${max} characters`; return undefined; }
      return v;
    };
    const name = str('name', 64)?.trim() ?? base?.name ?? '';
    if (!NAME.test(name)) errors.name ??= 'must be 1 to 64 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit';
    const rawAddress = str('address', 300);
    const address = rawAddress === undefined ? base?.address ?? '' : normalizeAddress(rawAddress) ?? '';
    if (!address) errors.address ??= 'must be a registry address host[:port] such as "registry.example.org:5000", "ghcr.io" or "docker.io" (HTTPS; no path)';
    const username = str('username', 255)?.trim() ?? base?.username ?? '';
    if (/[:\s\x00-\x1f\x7f]/.test(username)) errors.username ??= 'must not contain ":", spaces or control characters';
    const given = str('password', 4096);
    const password = given ? given : undefined;
    // An emptied username clears the credentials; a new username needs its password.
    let plain: string | null | undefined = password;
    if (!username) plain = null;
    else if (password === undefined && (!base?.passwordSealed || base.username !== username)) errors.password ??= 'is required with a username (a password or an access token)';
    if (!username && password) errors.username ??= 'is required with a password';
    const caCert = str('caCert', 65_536)?.trim() ?? base?.caCert ?? '';
    if (caCert) {
      try { new X509Certificate(caCert); } catch { errors.caCert ??= 'must be a PEM certificate (the CA that signed the registry\'s certificate)'; }
    }
    if (inp.isDefault !== undefined && typeof inp.isDefault !== 'boolean') errors.isDefault = 'must be true or false';
    if (!errors.name) {
      const other = store.imageHosts.byName(name);
      if (other && other.id !== base?.id) errors.name = `an image host named ${JSON.stringify(name)} exists`;
    }
    if (!errors.address) {
      const other = store.imageHosts.byAddress(address);
      if (other && other.id !== base?.id) errors.address = `image host ${JSON.stringify(other.name)} has this address`;
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
    return { name, address, username, plain, caCert, isDefault: inp.isDefault as boolean | undefined };
  }

  function sealedFor(v: ReturnType<typeof validate>, base: ImageHostRow | null): string {
    if (v.plain === null) return '';
    if (v.plain === undefined) return base?.passwordSealed ?? '';
    return secrets().seal(v.plain);
  }

  function passwordOf(r: ImageHostRow): string | null {
    return r.passwordSealed ? secrets().open(r.passwordSealed) : '';
  }

  /** checkFields checks a host that is not saved yet; a failure is a 400 on the field to blame, so nothing is stored. */
  async function checkBeforeSave(v: ReturnType<typeof validate>, base: ImageHostRow | null): Promise<void> {
    const password = v.plain ?? (v.plain === undefined && base ? passwordOf(base) ?? '' : '');
    const r = await checkImageHost({ address: v.address, username: v.username, password, caCert: v.caCert });
    if (r.outcome === 'ok') return;
    const field = r.outcome === 'unauthorized' ? (v.username ? 'password' : 'username') : r.outcome === 'bad certificate' ? 'caCert' : 'address';
    throw new ValidationError({ [field]: `${r.outcome}: ${r.detail}` }, `image host check failed (${r.outcome}): ${r.detail}`);
  }

  return {
    list: (): ImageHost[] => store.imageHosts.list().map(view),
    get: (name: string): ImageHost => view(row(name)),
    /** add stores a new host; with `check`, only after a /v2/ check with its credentials succeeded. */
    async add(inp: ImageHostInput, opts: { check?: boolean; user?: string } = {}): Promise<ImageHost> {
      const v = validate(inp, null);
      if (opts.check) await checkBeforeSave(v, null);
      const r = store.transaction(() => {
        const created = store.imageHosts.create({ name: v.name, address: v.address, username: v.username, passwordSealed: sealedFor(v, null), caCert: v.caCert });
        if (v.isDefault || store.imageHosts.list().length === 1) store.imageHosts.setDefault(created.id);
        return created;
      });
      logger.info('image host added', { name: v.name, address: v.address, user: opts.user ?? null, credentials: v.username ? 'yes' : 'no' });
      return view(store.imageHosts.byId(r.id)!);
    },
    async update(name: string, inp: ImageHostInput, opts: { check?: boolean; user?: string } = {}): Promise<ImageHost> {
      const base = row(name);
      const v = validate(inp, base);
      if (opts.check) await checkBeforeSave(v, base);
      store.transaction(() => {
        store.imageHosts.update(base.id, { name: v.name, address: v.address, username: v.username, passwordSealed: sealedFor(v, base), caCert: v.caCert });
        if (v.isDefault === true) store.imageHosts.setDefault(base.id);
        else if (v.isDefault === false && base.isDefault) store.imageHosts.setDefault(null);
      });
      logger.info('image host changed', { name: v.name, address: v.address, user: opts.user ?? null, password: v.plain === undefined ? 'kept' : v.plain === null ? 'cleared' : 'replaced' });
      return view(store.imageHosts.byId(base.id)!);
    },
    remove(name: string, user?: string): ImageHost {
      const r = row(name);
      store.imageHosts.remove(r.id);
      logger.info('image host removed', { name: r.name, address: r.address, user: user ?? null });
      return view(r);
    },
    setDefault(name: string, user?: string): ImageHost {
      const r = row(name);
      store.imageHosts.setDefault(r.id);
      logger.info('default image host set', { name: r.name, user: user ?? null });
      return view(store.imageHosts.byId(r.id)!);
    },
    /** test sends the /v2/ request with the stored credentials. */
    async test(name: string): Promise<CheckResult> {
      const r = row(name);
      const password = passwordOf(r);
      if (password === null) return { outcome: 'unauthorized', detail: 'the stored password cannot be read (the secret key changed): enter it again' };
      return checkImageHost({ address: r.address, username: r.username, password, caCert: r.caCert });
    },
    /**
     * authFor is the credentials for pulling `ref`: those of the host at the reference's registry,
     * or null when no host there has credentials. Unreadable credentials are an error, not an
     * anonymous pull that would fail with a misleading "unauthorized".
     */
    authFor(ref: string): { auth: RegistryAuth; host: string } | null {
      const r = store.imageHosts.byAddress(registryOf(ref));
      if (!r || !r.username) return null;
      const password = passwordOf(r);
      if (password === null) {
        throw new PorticoError('E_IMAGE_PULL_FAILED', 502, `could not pull ${ref}: the password of image host ${JSON.stringify(r.name)} cannot be read (the secret key changed); enter it again under Site admin → Image hosts`);
      }
      return { auth: { username: r.username, password, serveraddress: serverAddress(r.address) }, host: r.name };
    },
    /**
     * qualify puts host `name`'s address in front of a repository that names no registry, for the
     * pull form and the pull API; a repository that names another registry is refused.
     */
    qualify(repository: string, name: string): string {
      const r = row(name);
      if (!namesRegistry(repository)) return r.address === 'docker.io' ? repository : `${r.address}/${repository}`;
      if (registryOf(repository) !== r.address) {
        throw new ValidationError({ registry: `the image names registry ${registryOf(repository)}, not ${r.address} (image host ${JSON.stringify(r.name)})` });
      }
      return repository;
    },
    defaultHost: (): ImageHost | null => { const d = store.imageHosts.list().find((h) => h.isDefault); return d ? view(d) : null; },
  };
}

/** maskCredentials removes a password from text an engine or registry wrote, before it is logged or shown. */
export function maskCredentials(text: string, auth: RegistryAuth | null | undefined): string {
  if (!auth || auth.password.length < 4) return text;
  return text.split(auth.password).join('<masked>');
}
