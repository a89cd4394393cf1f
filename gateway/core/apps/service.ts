/**
 * service.ts (apps): the app platform as one service for the surfaces (REST API, UI, CLI): the
 * catalogue, the grants and the instances (docs/apps.md). Sharing builds on `instances` and on
 * the role rule in apps/access.ts.
 */
import type { Config } from '../config.ts';
import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { ContainerService } from '../containers/service.ts';
import { createCatalogue } from './catalogue.ts';
import { createGrants } from './grants.ts';
import { createInstances } from './instances.ts';

/** AppService is the catalogue, the grants and the instances. */
export type AppService = ReturnType<typeof createAppService>;

/** createAppService builds the app platform over the core's store, engine and container lifecycle. */
export function createAppService(deps: { config: Config; store: Store; engine: Engine; containers: ContainerService; logger: Logger }) {
  return {
    catalogue: createCatalogue(deps),
    grants: createGrants(deps),
    instances: createInstances(deps),
  };
}
