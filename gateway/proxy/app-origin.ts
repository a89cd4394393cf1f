/**
 * app-origin.ts: which app a Host names, and the URLs of app origins and of the gateway
 * (docs/app-origins.md). A Host of the form `<uuid>.<apps domain>[:port]` is that app's traffic;
 * any other Host is the gateway's. Without PORTICO_PUBLIC_URL the port is the one the request came
 * to (the gateway and the apps share one listener) and the gateway is http://127.0.0.1:<port>.
 */
import type { Config } from '../core/config.ts';
import { looksLikeUuid } from './path.ts';

/** AppOrigins tells app hosts from the gateway's and builds their URLs. */
export interface AppOrigins {
  /** enabled: apps are served on their own origins (PORTICO_APP_ORIGINS=per-app). */
  readonly enabled: boolean;
  /** appOf returns the uuid (lower case) of the app a Host names, or null for the gateway's own. */
  appOf(host: string | null | undefined): string | null;
  /** appUrl is the origin of app `uuid`, as reached by a request with `host` over `secure`. */
  appUrl(uuid: string, host: string | null | undefined, secure: boolean): string;
  /** gatewayUrl is the gateway's origin, as reached by a request with `host` over `secure`. */
  gatewayUrl(host: string | null | undefined, secure: boolean): string;
}

/** portOf returns ':<port>' of a Host value ('' when it has none). */
function portOf(host: string | null | undefined): string {
  if (!host) return '';
  const colon = host.lastIndexOf(':');
  if (colon < 0 || host.indexOf(']', colon) >= 0) return '';
  const port = host.slice(colon + 1);
  return /^\d{1,5}$/.test(port) ? ':' + port : '';
}

/** createAppOrigins reads the three settings once. */
export function createAppOrigins(config: Pick<Config, 'appOrigins' | 'appsDomain' | 'publicUrl'>): AppOrigins {
  const enabled = config.appOrigins === 'per-app';
  const suffix = '.' + config.appsDomain;
  const pub = config.publicUrl !== null ? new URL(config.publicUrl) : null;
  const pubPort = pub !== null && pub.port ? ':' + pub.port : '';
  const pubScheme = pub !== null ? pub.protocol.slice(0, -1) : '';

  return {
    enabled,
    appOf(host) {
      if (!enabled || !host || host.length < 36 + suffix.length) return null;
      // The label is exactly a uuid, right before '.<domain>' and then nothing or ':port'.
      if (!looksLikeUuid(host, 0) || host.charCodeAt(36) !== 46) return null;
      const rest = host.slice(36).toLowerCase();
      if (!rest.startsWith(suffix)) return null;
      const tail = rest.slice(suffix.length);
      if (tail !== '' && !/^:\d{1,5}$/.test(tail)) return null;
      return host.slice(0, 36).toLowerCase();
    },
    appUrl(uuid, host, secure) {
      if (pub !== null) return `${pubScheme}://${uuid}${suffix}${pubPort}`;
      return `${secure ? 'https' : 'http'}://${uuid}${suffix}${portOf(host)}`;
    },
    gatewayUrl(host, secure) {
      if (pub !== null) return config.publicUrl!;
      return `${secure ? 'https' : 'http'}://127.0.0.1${portOf(host)}`;
    },
  };
}
