/**
 * bench-containers.ts (bench): the Docker containers a benchmark starts. Each carries the label
 * portico.bench=1, publishes nothing, and is removed by its id when the benchmark ends; every
 * docker command is bounded in time.
 */
import { execFileSync } from 'node:child_process';

const TIMEOUT_MS = 60_000;

function dockerCli(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** BenchContainers runs and removes a benchmark's own containers (by id, never by name or filter). */
export class BenchContainers {
  readonly ids: string[] = [];

  /** run starts a detached container (`docker run -d`, label portico.bench=1) and returns its id. */
  run(args: string[], image: string, cmd: string[]): string {
    const id = dockerCli(['run', '-d', '--label', 'portico.bench=1', ...args, image, ...cmd]);
    this.ids.push(id);
    return id;
  }

  /** ip is the container's address on the network. */
  ip(id: string, network: string): string {
    const ip = dockerCli(['inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, id]);
    if (!ip) throw new Error(`container ${id.slice(0, 12)} has no address on ${network}`);
    return ip;
  }

  /** pid is the host pid of the container's main process (read for its CPU time). */
  pid(id: string): number {
    return Number(dockerCli(['inspect', '-f', '{{.State.Pid}}', id]));
  }

  /** logs is the container's output so far (for an error message). */
  logs(id: string): string {
    try { return execFileSync('docker', ['logs', '--tail', '20', id], { encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] }); } catch { return ''; }
  }

  /** removeAll force-removes every container this benchmark started. */
  removeAll(): void {
    if (!this.ids.length) return;
    try { execFileSync('docker', ['rm', '-f', ...this.ids.splice(0)], { stdio: 'ignore', timeout: TIMEOUT_MS }); } catch { /* gone already */ }
  }
}
