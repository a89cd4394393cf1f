/**
 * docker-socket.ts: where the Docker engine's Unix socket is, from DOCKER_HOST's value. Apart
 * from docker.ts so that the CLI and the privilege drop need not load dockerode.
 */

/** dockerSocketPath is the engine's Unix socket for `opts.host` (DOCKER_HOST), or null when it is reached over TCP. */
export function dockerSocketPath(opts: { host: string | null }): string | null {
  if (!opts.host) return '/var/run/docker.sock';
  return opts.host.startsWith('unix://') ? opts.host.slice('unix://'.length) : null;
}
