/**
 * image-ref.ts: which registry an image reference names, by Docker's own rule: the part before the
 * first "/" is a registry when it has a "." or a ":" or is "localhost"; otherwise the image is on
 * Docker Hub (https://github.com/distribution/reference, normalize.go).
 */

/** DOCKER_HUB is the address Portico keeps for Docker Hub. */
export const DOCKER_HUB = 'docker.io';

const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
// A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
const ADDRESS = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/;

/** registryOf is the registry address an image reference pulls from (Docker Hub for "nginx" or "org/app"). */
export function registryOf(ref: string): string {
  const slash = ref.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = ref.slice(0, slash);
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return DOCKER_HUB;
  const low = first.toLowerCase();
  return HUB_ALIASES.has(low) ? DOCKER_HUB : low;
}

/** namesRegistry says whether a repository starts with a registry address of its own. */
export function namesRegistry(repository: string): boolean {
  const slash = repository.indexOf('/');
  if (slash < 0) return false;
  const first = repository.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

/**
 * normalizeAddress turns what an admin typed ("registry.example.org:5000", "https://ghcr.io/",
 * Docker Hub's "https://index.docker.io/v1/") into host[:port], or null when it is not one.
 */
export function normalizeAddress(input: string): string | null {
  let a = input.trim().toLowerCase();
  if (a.startsWith('https://')) a = a.slice('https://'.length);
  a = a.replace(/\/(?:v1|v2)?\/?$/, '');
  if (!ADDRESS.test(a)) return null;
  const port = ADDRESS.exec(a)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return null;
  return HUB_ALIASES.has(a) ? DOCKER_HUB : a;
}

/** serverAddress is what the engine's X-Registry-Auth calls `serveraddress` for a host address. */
export function serverAddress(address: string): string {
  return address === DOCKER_HUB ? 'https://index.docker.io/v1/' : address;
}

/** v2Base is the URL of the registry API's base endpoint for a host address. */
export function v2Base(address: string): string {
  return `https://${address === DOCKER_HUB ? 'registry-1.docker.io' : address}/v2/`;
}
