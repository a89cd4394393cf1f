/**
 * images.ts (test helper): builds small app images FROM portico-test/httpd:1 with the labels a test
 * gives (docker build from a temp dir, no registry), and removes them afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';

/** PNG_1PX is a 1×1 PNG, base64 (a valid icon_128). */
export const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** buildAppImage builds an image with `labels` (and `extra` Dockerfile lines); returns its repository:tag. */
export function buildAppImage(labels: Record<string, string>, extra: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-app-image-'));
  const ref = `portico-test/app-${randomBytes(4).toString('hex')}:1`;
  try {
    const lines = ['FROM portico-test/httpd:1', ...Object.entries(labels).map(([k, v]) => `LABEL ${JSON.stringify(k)}=${JSON.stringify(v)}`), ...extra];
    fs.writeFileSync(path.join(dir, 'Dockerfile'), lines.join('\n') + '\n');
    execFileSync('docker', ['build', '-q', '-t', ref, dir], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return ref;
}

/** removeImage removes an image a test built (never anyone else's). */
export function removeImage(ref: string): void {
  try { execFileSync('docker', ['rmi', '-f', ref], { stdio: 'ignore' }); } catch { /* already gone */ }
}

/** inspect returns `docker inspect` of a container. */
export function inspect(name: string): any {
  return JSON.parse(execFileSync('docker', ['inspect', name], { encoding: 'utf8' }))[0];
}

/** dockerExec runs a shell command in a running container and returns its output. */
export function dockerExec(name: string, command: string): string {
  return execFileSync('docker', ['exec', name, 'sh', '-c', command], { encoding: 'utf8' });
}
