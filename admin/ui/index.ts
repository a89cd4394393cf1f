/**
 * index.ts: the UI surface: static files and every page module, sharing one renderer.
 */
import type { Services } from '../../gateway/core/services.ts';
import type { Router } from '../../gateway/http/router.ts';
import { createRenderer } from './render.ts';
import { registerStatic } from './static.ts';
import { registerHome } from './home.ts';
import { registerIdentityUi } from './identity.ts';

/** registerUi adds every UI route. */
export function registerUi(router: Router, svc: Services): void {
  const ui = createRenderer({ site: () => ({ readOnly: svc.siteMode.readOnly() }) });
  registerStatic(router);
  registerHome(router, svc, ui);
  registerIdentityUi(router, svc, ui);
}
