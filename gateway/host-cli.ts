/**
 * host-cli.ts: the `portico host …` verbs (docs/container-hosts.md): list, add, edit, test, remove.
 * They go through the same registry and checks as the API and the UI; a running gateway reads the
 * hosts table again within a few seconds. Certificates and the key are read from files; the key is
 * never printed.
 */
import fs from 'node:fs';
import { PorticoError } from './core/errors.ts';
import type { Config } from './core/config.ts';
import type { Store } from './core/store/index.ts';
import { Bus } from './core/events.ts';
import { silentLogger } from './core/log.ts';
import { createDockerEngine } from './core/engine/docker.ts';
import { createHosts } from './core/hosts/registry.ts';
import { UsageError } from './project-cli.ts';
import { flag as has, option } from './cli-args.ts';

/** take is an option's value, or undefined when it was not given (a field left as it is). */
const take = (args: string[], name: string): string | undefined => option(args, name) ?? undefined;

/** HOST_USAGE is the verbs' part of the CLI's usage text. */
export const HOST_USAGE = `  host list                             list container hosts (id, name, url, mode, default, publish address, containers)
  host add NAME --url URL [--ca FILE --cert FILE --key FILE] [--publish-address IP] [--mode engine|swarm] [--default] [--no-check]
                                        add a host (tcp:// needs the three PEM files; it must answer unless --no-check)
  host edit NAME [--name NEW] [--url URL] [--ca FILE] [--cert FILE] [--key FILE] [--publish-address IP] [--default] [--no-check]
  host test NAME                        ping the host and print its engine version (exit 1 with the reason when it does not answer)
  host remove NAME                      remove a host no container or template uses
`;



function pem(file: string | undefined, what: string): string | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PorticoError('E_BAD_REQUEST', 400, `cannot read the ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** runHostCli runs one host verb and returns the exit code. */
export async function runHostCli(args: string[], store: Store, config: Config, io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const [, verb, ...rest] = args;
  const hosts = createHosts({ config, store, bus: new Bus(), logger: silentLogger, local: createDockerEngine(config.docker) });
  try {
    if (verb === 'list') {
      if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])} for host list`);
      for (const h of hosts.all()) {
        io.stdout([h.id, h.name, h.url, h.mode, h.isDefault ? 'default' : '-', h.publishAddress ?? '-', store.hosts.users(h.id).containers].join('\t') + '\n');
      }
      return 0;
    }
    if (verb === 'add' || verb === 'edit') {
      const name = rest.shift();
      if (!name || name.startsWith('--')) throw new UsageError(`host ${verb} needs a NAME`);
      const input: Record<string, unknown> = {};
      const url = take(rest, '--url');
      const newName = verb === 'edit' ? take(rest, '--name') : undefined;
      const mode = take(rest, '--mode');
      const publish = take(rest, '--publish-address');
      const tls = { ca: pem(take(rest, '--ca'), 'CA certificate'), cert: pem(take(rest, '--cert'), 'client certificate'), key: pem(take(rest, '--key'), 'client key') };
      const makeDefault = has(rest, '--default');
      const check = !has(rest, '--no-check');
      if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])} for host ${verb}`);
      if (verb === 'add') input.name = name;
      else if (newName !== undefined) input.name = newName;
      if (url !== undefined) input.url = url;
      if (mode !== undefined) input.mode = mode;
      if (publish !== undefined) input.publish_address = publish;
      if (tls.ca || tls.cert || tls.key) input.tls = Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined));
      let h = verb === 'add' ? await hosts.add(input, { check }) : await hosts.edit(hosts.resolve(name).id, input, { check });
      if (makeDefault) h = hosts.setDefault(h.id);
      io.stderr(`${verb === 'add' ? 'added' : 'saved'} container host ${h.name} (${h.url})${h.isDefault ? ', the default' : ''}\n`);
      io.stdout(`${h.id}\n`);
      return 0;
    }
    if (verb === 'test') {
      if (rest.length !== 1) throw new UsageError('host test needs exactly one NAME');
      const h = hosts.resolve(rest[0]);
      const r = await hosts.test(h.id);
      if (!r.ok) {
        io.stderr(`portico: container host ${h.name} does not answer: ${r.reason}\n`);
        return 1;
      }
      io.stdout(`${h.name}: Docker ${r.version?.version ?? '?'} (API ${r.version?.apiVersion ?? '?'}, ${r.version?.os ?? '?'}/${r.version?.arch ?? '?'}) in ${r.ms} ms\n`);
      return 0;
    }
    if (verb === 'remove') {
      if (rest.length !== 1) throw new UsageError('host remove needs exactly one NAME');
      const h = hosts.resolve(rest[0]);
      await hosts.remove(h.id);
      io.stderr(`removed container host ${h.name}\n`);
      return 0;
    }
    throw new UsageError(`unknown command: host ${verb ?? ''}`.trim());
  } catch (err) {
    // A validation failure names each field: print them all, one a line.
    const fields = err instanceof PorticoError ? (err.details?.fields as Record<string, string> | undefined) : undefined;
    if (fields && Object.keys(fields).length > 1) {
      io.stderr(`portico: ${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\nportico: ')}\n`);
      return 1;
    }
    throw err;
  } finally {
    await hosts.stop();
  }
}
