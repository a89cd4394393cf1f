/**
 * app-actions.ts (SRC API): the POST endpoints on apps: start, stop, pause, unpause, restart, kill,
 * delete and hard-reset an app by its SRC name, and create-app (image, user). Each answers 200 (201
 * for create) with `{"name", "action", "state"}`; a state that forbids the action is 409
 * E_INVALID_STATE (starting a paused app: unpause it instead), and pause/unpause on a swarm engine
 * is 409 E_NOT_SUPPORTED, as the SRC document's table of modes says.
 */
import { NotFoundError, PorticoError, badRequest, conflict, forbidden } from '../../../gateway/core/errors.ts';
import type { Services } from '../../../gateway/core/services.ts';
import type { ContainerAction } from '../../../gateway/core/types.ts';
import type { Router } from '../../../gateway/http/router.ts';
import { sendJson } from '../../../gateway/http/respond.ts';
import { DEFAULT_POLICY, policyKey } from '../../../gateway/core/apps/policy.ts';
import { imagePartProblem, userPartProblem } from '../../../gateway/core/apps/src-names.ts';
import type { SrcApps } from '../../../gateway/core/apps/src-names.ts';
import { SRC_PREFIX, requiredParam, srcCaller } from './context.ts';

/** SRC_ACTIONS maps the SRC's POST endpoints on an app to Portico's container actions. */
export const SRC_ACTIONS: Record<string, ContainerAction> = {
  'start-app': 'start', 'stop-app': 'stop', 'pause-app': 'pause', 'unpause-app': 'unpause',
  'restart-app': 'restart', 'kill-app': 'kill', 'delete-app': 'delete', 'hard-reset-app': 'reset',
};

const NAME = 'the app\'s name, IMAGE--USER';

/** registerSrcAppActions adds the SRC's app actions and create-app. */
export function registerSrcAppActions(router: Router, svc: Services, apps: SrcApps): void {
  for (const [endpoint, action] of Object.entries(SRC_ACTIONS)) {
    router.on('POST', `${SRC_PREFIX}/${endpoint}`, async (ctx) => {
      const user = srcCaller(svc, ctx, true);
      const app = apps.find(user, requiredParam(ctx, 'name', NAME));
      const c = app.container;
      if ((action === 'pause' || action === 'unpause') && svc.engine.kind === 'swarm') {
        throw new PorticoError('E_NOT_SUPPORTED', 409, `${endpoint} works in solo mode only: this site runs apps as swarm services, which cannot be paused (stop-app instead)`);
      }
      if (action === 'start' && c.state === 'paused') throw new PorticoError('E_INVALID_STATE', 409, `${app.name} is paused: unpause it (unpause-app) instead of starting it`);
      if (action === 'pause' && c.state !== 'running') throw new PorticoError('E_INVALID_STATE', 409, `${app.name} is ${c.state}: only a running app can be paused`);
      if (action === 'unpause' && c.state !== 'paused') throw new PorticoError('E_INVALID_STATE', 409, `${app.name} is ${c.state}: only a paused app can be unpaused`);
      const done = await svc.containers.perform(c.id, action, user.username);
      sendJson(ctx.res, 200, { name: app.name, action: endpoint, state: action === 'delete' ? 'deleted' : done.state });
    });
  }

  router.on('POST', `${SRC_PREFIX}/create-app`, async (ctx) => {
    const caller = srcCaller(svc, ctx, true);
    const image = requiredParam(ctx, 'image', 'the name of an approved image (get-images, its App field)');
    const username = requiredParam(ctx, 'user', 'the user who will use the app');
    const bad = imagePartProblem(image) ?? userPartProblem(username);
    if (bad) throw badRequest(bad);
    if (!caller.isAdmin && username !== caller.username) throw forbidden(`you create apps only for yourself (user=${caller.username}); site administrators create them for others`);
    const target = svc.store.users.byUsername(username);
    if (!target || !target.active) throw new PorticoError('E_USER_NOT_FOUND', 404, `no active user ${JSON.stringify(username)} on this site`);
    const app = svc.store.apps.bySlug(image);
    // "The image must have already been requested and approved": approved means in the catalogue and enabled.
    if (!app || !app.enabled) throw new NotFoundError('E_APP_NOT_FOUND', `no approved image ${JSON.stringify(image)}: request it (request-image) and have a site admin approve it; get-images lists the approved ones`);
    const choices = svc.apps.grants.choicesFor(target).filter((ch) => ch.app.id === app.id);
    const choice = choices.find((ch) => ch.policyKey === policyKey(DEFAULT_POLICY)) ?? choices[0];
    if (!choice) throw forbidden(`${image} is not granted to ${username}: a site admin grants it first`);
    const name = `${image}--${username}`;
    if (apps.all(target).some((a) => a.name === name)) throw conflict(`the app ${name} already exists`);
    let { container } = svc.apps.instances.open(target, choice);
    // Solo mode creates apps stopped; swarm mode starts them upon creation (the SRC document's table).
    if (svc.engine.kind === 'swarm') container = await svc.containers.perform(container.id, 'start', caller.username);
    sendJson(ctx.res, 201, { name, action: 'create-app', state: container.state });
  });
}
