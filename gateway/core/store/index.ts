/**
 * index.ts: the Store, one object holding every store module over one database handle.
 */
import { openDb, tx } from './db.ts';
import type { Db } from './db.ts';
import { createUserStore } from './users.ts';
import { createProjectStore } from './projects.ts';
import { createContainerStore } from './containers.ts';
import { createLogStore } from './logs.ts';
import { createSettingsStore } from './settings.ts';
import { createUptimeStore } from './uptime.ts';
import { createTemplateStore } from './templates.ts';
import { createFileStore } from './files.ts';
import { createSodarStore } from './sodar.ts';
import { createKioscIdMap } from './kiosc-id-map.ts';
import { createImageHostStore } from './image-hosts.ts';
import { createAppStore } from './apps.ts';
import { createOneTimeLinkStore } from './one-time-links.ts';
import { createProjectSummaryStore } from './project-summary.ts';
import { createHostStore } from './hosts.ts';
import { AccessRevision } from './access-revision.ts';
import { createShareStore } from './shares.ts';
import { createAuditStore } from './audit.ts';
import { guardStore } from './health.ts';
import type { StoreHealth } from './health.ts';
import { silentLogger } from '../log.ts';
import type { Logger } from '../log.ts';

/** Store is what services receive: narrow per-concept stores plus a transaction helper. */
export interface Store {
  readonly db: Db;
  readonly users: ReturnType<typeof createUserStore>;
  readonly projects: ReturnType<typeof createProjectStore>;
  readonly containers: ReturnType<typeof createContainerStore>;
  readonly logs: ReturnType<typeof createLogStore>;
  readonly settings: ReturnType<typeof createSettingsStore>;
  readonly uptime: ReturnType<typeof createUptimeStore>;
  readonly templates: ReturnType<typeof createTemplateStore>;
  readonly files: ReturnType<typeof createFileStore>;
  readonly sodar: ReturnType<typeof createSodarStore>;
  /** hosts are the container hosts (hosts.ts). */
  readonly hosts: ReturnType<typeof createHostStore>;
  /** kioscIds maps Kiosc's integer ids of imported rows to UUIDs (kiosc-id-map.ts). */
  readonly kioscIds: ReturnType<typeof createKioscIdMap>;
  /** imageHosts are the registries with their sealed credentials (image-hosts.ts). */
  readonly imageHosts: ReturnType<typeof createImageHostStore>;
  /** shares are instance invitations (shares.ts); audit is the audit trail's SQL (audit.ts). */
  readonly shares: ReturnType<typeof createShareStore>;
  readonly audit: ReturnType<typeof createAuditStore>;
  /** apps is the app platform: catalogue, grants and per-user instances (docs/apps.md). */
  readonly apps: ReturnType<typeof createAppStore>;
  /** links are invitations and password reset links (one-time-links.ts). */
  readonly links: ReturnType<typeof createOneTimeLinkStore>;
  /** summaries are the home page's per-project counts and running apps. */
  readonly summaries: ReturnType<typeof createProjectSummaryStore>;
  /** accessRevision moves whenever access is withdrawn (see access-revision.ts). */
  readonly accessRevision: AccessRevision;
  /** health says whether the store can save (and why not); see health.ts. */
  readonly health: StoreHealth;
  transaction<T>(fn: () => T): T;
  close(): void;
}

/** createStore opens the database at `file` (':memory:' for tests), migrates it, guards it and prepares every statement. */
export function createStore(file: string, opts: { logger?: Logger; probeMs?: number } = {}): Store {
  const db = openDb(file);
  const health = guardStore(db, file, opts.logger ?? silentLogger, opts.probeMs);
  const accessRevision = new AccessRevision();
  return {
    db,
    accessRevision,
    health,
    users: createUserStore(db, accessRevision),
    projects: createProjectStore(db, accessRevision),
    containers: createContainerStore(db),
    logs: createLogStore(db),
    settings: createSettingsStore(db),
    uptime: createUptimeStore(db),
    templates: createTemplateStore(db),
    files: createFileStore(db),
    sodar: createSodarStore(db),
    hosts: createHostStore(db),
    kioscIds: createKioscIdMap(db),
    imageHosts: createImageHostStore(db),
    shares: createShareStore(db, accessRevision),
    audit: createAuditStore(db),
    apps: createAppStore(db),
    links: createOneTimeLinkStore(db),
    summaries: createProjectSummaryStore(db),
    transaction: (fn) => tx(db, fn),
    close: () => { health.stop(); if (db.isOpen) db.close(); },
  };
}
