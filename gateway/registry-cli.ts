/**
 * registry-cli.ts: the `portico registry …` verbs (image hosts; docs/image-hosts.md) over the same
 * service as the API and the UI. A password is read from stdin only, never from the command line
 * (where `ps` and shell history would keep it).
 */
import fs from 'node:fs';
import type { Config } from './core/config.ts';
import type { Store } from './core/store/index.ts';
import { createLogger } from './core/log.ts';
import { createImageHosts } from './core/image-hosts/service.ts';
import { UsageError } from './project-cli.ts';
import type { ProjectCliIo } from './project-cli.ts';

function take(rest: string[], name: string, value: boolean): string | boolean | null {
  const i = rest.indexOf(name);
  if (i < 0) return null;
  if (!value) { rest.splice(i, 1); return true; }
  const v = rest[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
  rest.splice(i, 2);
  return v;
}

/** runRegistryCli runs one `registry` verb; 'usage' when `args` name none. */
export async function runRegistryCli(args: string[], store: Store, io: ProjectCliIo, config: Config | undefined): Promise<number | 'usage'> {
  const [, verb, ...rest] = args;
  if (!config) throw new UsageError('registry needs the configuration');
  // Changes are logged as the gateway logs them (never with a password); warnings only on the terminal.
  const hosts = createImageHosts({ config, store, logger: createLogger({ format: config.logFormat, level: 'warn' }) });
  const one = (what: string): string => {
    if (rest.length !== 1) throw new UsageError(`registry ${what} needs exactly one NAME`);
    return rest[0];
  };
  if (verb === 'list') {
    if (rest.length) throw new UsageError('registry list takes no arguments');
    for (const h of hosts.list()) {
      const creds = !h.username ? '-' : h.credentialsUnreadable ? `${h.username} (password unreadable: set it again)` : `${h.username} (password stored)`;
      io.stdout([h.name, h.address, creds, h.isDefault ? 'default' : ''].join('\t').trimEnd() + '\n');
    }
    return 0;
  }
  if (verb === 'add') {
    const username = take(rest, '--username', true) as string | null;
    const caFile = take(rest, '--ca-cert', true) as string | null;
    const isDefault = take(rest, '--default', false) === true;
    const check = take(rest, '--check', false) === true;
    if (rest.length !== 2) throw new UsageError('registry add needs NAME and ADDRESS (host[:port])');
    let password: string | undefined;
    if (username) {
      if (io.stdinIsTty) throw new UsageError('with --username, give the password or token on stdin (e.g. `printf %s "$TOKEN" | portico registry add …`)');
      password = (await io.readStdin()).replace(/\r?\n$/, '');
    }
    const caCert = caFile ? fs.readFileSync(caFile, 'utf8') : undefined;
    const h = await hosts.add({ name: rest[0], address: rest[1], username: username ?? '', password, caCert, isDefault }, { check, user: 'portico-cli' });
    io.stderr(`added image host ${h.name} (${h.address})${h.isDefault ? ', the default' : ''}${check ? '; its registry accepted the credentials' : ''}\n`);
    return 0;
  }
  if (verb === 'remove') {
    const h = hosts.remove(one('remove'), 'portico-cli');
    io.stderr(`removed image host ${h.name} and its credentials\n`);
    return 0;
  }
  if (verb === 'default') {
    const h = hosts.setDefault(one('default'), 'portico-cli');
    io.stderr(`${h.name} is the default image host\n`);
    return 0;
  }
  if (verb === 'test') {
    const r = await hosts.test(one('test'));
    io.stdout(`${r.outcome}: ${r.detail}\n`);
    return r.outcome === 'ok' ? 0 : 1;
  }
  return 'usage';
}
