/**
 * start-policy.ts: which proxied requests may start a stopped container, and which count as use of
 * the app for the idle rule (docs/persistence.md). A container a person stopped (stop or kill,
 * from the UI, the API or the CLI) starts again only on a top-level page load of its link or an
 * explicit start; an idle-stopped one also starts for clients that are not browsers (scripts,
 * API tokens), but not for a browser tab's background requests. Both rules read only the route and
 * the request's headers: no database on this path.
 */
import { PorticoError } from '../core/errors.ts';
import type { Route } from './routes.ts';

/**
 * startRefusal returns E_CONTAINER_STOPPED (503) when a request that is not a navigation would start
 * a container held stopped, or null. `fetchMode` is the request's Sec-Fetch-Mode (undefined when the
 * client sent none: not a browser, or a very old one); a start in flight is joined, never refused.
 */
export function startRefusal(route: Route, navigation: boolean, fetchMode: string | undefined, startInFlight: boolean): PorticoError | null {
  // A delete that is pending (accepted, or cut by a crash) wins over everything: the app is going.
  if (route.deleting) return new PorticoError('E_START_FAILED', 503, `"${route.title}" is being deleted`);
  if (route.state === 'running' || startInFlight || navigation) return null;
  if (route.stoppedBy !== null) {
    return new PorticoError('E_CONTAINER_STOPPED', 503, `"${route.title}" was stopped by ${route.stoppedBy}; open its link to start it again`);
  }
  if (route.stoppedIdle && fetchMode !== undefined) {
    return new PorticoError('E_CONTAINER_STOPPED', 503, `"${route.title}" was stopped because nobody used it; open its link to start it again`);
  }
  return null;
}

/**
 * isActivity tells whether a successful answer to this request counts as use of the app: a page
 * load, any request of a client that is not a browser, and a browser's writes (POST, PUT, PATCH,
 * DELETE). A browser tab's background reads (fetch, XHR, EventSource, images: GET and HEAD with a
 * Sec-Fetch-Mode other than navigate) do not, so a forgotten tab that polls keeps no app alive.
 */
export function isActivity(method: string, fetchMode: string | undefined): boolean {
  if (fetchMode === undefined || fetchMode === 'navigate') return true;
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}
