/**
 * scope.ts: one container host as a whole, for the site-admin views of an engine (images, data
 * volumes, engine containers, nodes; docs/container-hosts.md): its engine, and which Portico
 * records live there.
 */
import type { Engine } from '../engine/engine.ts';
import type { OnHost } from '../containers/images.ts';
import type { HostRecord } from '../store/hosts.ts';
import type { Hosts } from './registry.ts';

/** HostOn is a host with its engine and the records that live on it. */
export interface HostOn { host: HostRecord; engine: Engine; onHost: OnHost }

/** hostOn resolves `ref` (a name or id; the built-in host when empty; E_HOST_NOT_FOUND, 404, when unknown). */
export function hostOn(hosts: Pick<Hosts, 'resolve' | 'builtin' | 'engineOf'>, ref: string | null | undefined): HostOn {
  const host = ref ? hosts.resolve(ref) : hosts.builtin();
  const builtinId = hosts.builtin().id;
  // Built-in containers record null; a template may name the built-in host by its id.
  const on = (id: number | null) => (id === null ? builtinId : id) === host.id;
  return {
    host,
    engine: hosts.engineOf(host.builtin ? null : host.id),
    onHost: { containers: (c) => on(c.hostId), templates: (t) => t.hostId === null || on(t.hostId) },
  };
}
