/**
 * share-cli.ts: `portico share list|add|revoke` (docs/sharing.md). The CLI acts as a site admin on
 * the gateway's database. A revocation also moves the shared access epoch, which a running gateway
 * polls every second (gateway/core/shares/epoch.ts): it then cuts the user's open connections too.
 */
import type { Store } from './core/store/index.ts';
import { createAudit } from './core/audit.ts';
import { silentLogger } from './core/log.ts';
import { createShareService } from './core/shares/service.ts';
import { LiveConnections } from './core/shares/live.ts';
import { createSiteMode } from './core/site-mode.ts';
import { CLI_ACTOR } from './core/projects/service.ts';
import { bumpAccessEpoch } from './core/shares/epoch.ts';
import type { CliIo } from './cli.ts';
import { UsageError } from './project-cli.ts';

/** runShareCli runs one `share` verb; returns the exit code. */
export function runShareCli(args: string[], store: Store, io: CliIo): number {
  const [, verb, uuid, name, mode] = args;
  const audit = createAudit({ store, logger: silentLogger });
  const live = new LiveConnections();
  const shares = createShareService({ store, audit, live, siteMode: createSiteMode(store.settings, false) });
  try {
    if (verb === 'list') {
      if (!uuid || args.length !== 3) throw new UsageError('share list needs exactly one CONTAINER_UUID');
      for (const s of shares.list(CLI_ACTOR, uuid).shares) io.stdout([s.username, s.mode, s.createdBy, s.createdAt].join('\t') + '\n');
      return 0;
    }
    if (verb === 'add') {
      if (!uuid || !name || args.length > 5) throw new UsageError('share add needs CONTAINER_UUID NAME [view|use]');
      const s = shares.invite(CLI_ACTOR, uuid, name, mode ?? 'view');
      io.stderr(`${s.username} may now ${s.mode} ${s.containerTitle}\n`);
      return 0;
    }
    if (verb === 'revoke') {
      if (!uuid || !name || args.length !== 4) throw new UsageError('share revoke needs CONTAINER_UUID NAME');
      shares.revoke(CLI_ACTOR, uuid, name);
      bumpAccessEpoch(store);
      io.stderr(`revoked ${name}'s share; a running gateway closes their connections within a second\n`);
      return 0;
    }
    throw new UsageError(`unknown command: share ${verb ?? ''}`.trim());
  } finally {
    audit.flush();
    live.close();
  }
}
