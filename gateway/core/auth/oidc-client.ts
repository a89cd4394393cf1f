/**
 * oidc-client.ts: the OpenID provider as Portico sees it, and the one module that knows
 * openid-client (panva's OpenID-certified relying party). Discovery is lazy and bounded: the first
 * login (or a warm-up at start) fetches <issuer>/.well-known/openid-configuration with a timeout;
 * a failure is remembered and retried after a growing pause (2 s doubling to 60 s), so a provider
 * that is down costs each click one quick 503, never a hang, and never touches password login.
 * The metadata is fetched again after a day. openid-client checks the issuer, the ID token's
 * signature, audience, expiry and nonce, the state, the RFC 9207 `iss` parameter and PKCE.
 */
import * as oidc from 'openid-client';
import type { OidcConfig } from '../config.ts';
import { PorticoError } from '../errors.ts';

/** ProviderStatus is what the login page may say about the provider. */
export interface ProviderStatus { state: 'unknown' | 'ready' | 'down'; message: string | null }

/** AuthorizationRequest is one login's secrets, kept server-side until the callback. */
export interface AuthorizationRequest { url: string; state: string; nonce: string; verifier: string }

/** ProviderIdentity is who the provider says signed in: its issuer, the subject and all claims (ID token and userinfo). */
export interface ProviderIdentity { issuer: string; subject: string; claims: Record<string, unknown> }

/** OidcProvider starts authorization requests and finishes them at the callback. */
export interface OidcProvider {
  status(): ProviderStatus;
  /** warm starts discovery in the background (no wait, no throw). */
  warm(): void;
  authorize(redirectUri: string): Promise<AuthorizationRequest>;
  /** finish exchanges the callback's code (with the PKCE verifier) and returns the validated identity. */
  finish(callbackUrl: URL, request: AuthorizationRequest, redirectUri: string): Promise<ProviderIdentity>;
}

const PROVIDER_BROKEN = new Set(['OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON', 'OAUTH_HTTP_REQUEST_FORBIDDEN',
  'OAUTH_MISSING_SERVER_METADATA', 'OAUTH_INVALID_SERVER_METADATA']);
const REDISCOVER_MS = 24 * 3600_000;
const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 60_000;

/** oidcUnavailable is the 503 for a provider that cannot be reached or answers nonsense. */
export function oidcUnavailable(detail: string): PorticoError {
  return new PorticoError('E_OIDC_UNAVAILABLE', 503, `Single sign-on is unavailable: ${detail}. Try again later, or log in with a password.`);
}

/** oidcRefused is the 4xx for a sign-in that failed at or after the provider (the message is for people). */
export function oidcRefused(message: string, status = 400): PorticoError {
  return new PorticoError('E_OIDC_FAILED', status, message);
}

/** describe turns a discovery or network failure into a short, secret-free phrase. */
function describe(err: unknown, issuer: string): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || e?.name === 'AbortError') return `the provider at ${issuer} did not answer in time`;
  const cause = e?.cause as { code?: string; errors?: Array<{ code?: string }> } | undefined;
  const net = cause?.code ?? cause?.errors?.[0]?.code ?? '';
  if (/^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT)$/.test(net)) return `the provider at ${issuer} cannot be reached (${net})`;
  if (e?.name === 'TypeError') return `the provider at ${issuer} cannot be reached`;
  if (e?.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') return `the provider's discovery document names another issuer than ${issuer}`;
  if (e?.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || e?.code === 'OAUTH_RESPONSE_IS_NOT_JSON') return `${issuer}/.well-known/openid-configuration is not a discovery document`;
  return `the provider at ${issuer} failed (${e?.code ?? e?.name ?? 'error'})`;
}

/** clientAuth sends the secret as HTTP Basic when the provider offers it (or says nothing), else in the body, as python-social-auth does. */
function clientAuth(secret: string): oidc.ClientAuth {
  const basic = oidc.ClientSecretBasic(secret);
  const post = oidc.ClientSecretPost(secret);
  return (as, client, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported;
    return (!methods || methods.includes('client_secret_basic') ? basic : post)(as, client, body, headers);
  };
}

/** createOidcProvider builds the provider over the settings; nothing is fetched until warm() or the first login. */
export function createOidcProvider(cfg: OidcConfig): OidcProvider {
  const issuerUrl = new URL(cfg.issuer);
  const execute = issuerUrl.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
  let current: { config: oidc.Configuration; at: number } | null = null;
  let inflight: Promise<oidc.Configuration> | null = null;
  let failure: { message: string; retryAt: number; pauseMs: number } | null = null;

  function discover(): Promise<oidc.Configuration> {
    inflight ??= oidc.discovery(issuerUrl, cfg.clientId, undefined, clientAuth(cfg.clientSecret), { execute, timeout: cfg.timeoutSeconds })
      .then((config) => {
        current = { config, at: Date.now() };
        failure = null;
        return config;
      }, (err: unknown) => {
        const pauseMs = failure ? Math.min(failure.pauseMs * 2, MAX_RETRY_MS) : FIRST_RETRY_MS;
        failure = { message: describe(err, cfg.issuer), retryAt: Date.now() + pauseMs, pauseMs };
        throw oidcUnavailable(failure.message);
      })
      .finally(() => { inflight = null; });
    return inflight;
  }

  async function configuration(): Promise<oidc.Configuration> {
    if (current) {
      // A day-old document is refreshed; until the new one arrives (or if it fails) the old one serves.
      if (Date.now() - current.at > REDISCOVER_MS && !inflight) discover().catch(() => {});
      return current.config;
    }
    if (failure && Date.now() < failure.retryAt) throw oidcUnavailable(failure.message);
    return discover();
  }

  return {
    status() {
      if (current) return { state: 'ready', message: null };
      if (failure) return { state: 'down', message: oidcUnavailable(failure.message).message };
      return { state: 'unknown', message: null };
    },
    warm() { configuration().catch(() => {}); },
    async authorize(redirectUri) {
      const config = await configuration();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, response_type: 'code', scope: cfg.scope, state, nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      return { url: url.href, state, nonce, verifier };
    },
    async finish(callbackUrl, request, redirectUri) {
      const config = await configuration();
      // openid-client sends the callback URL without its query as redirect_uri: make it the one authorized.
      callbackUrl = new URL(redirectUri + callbackUrl.search);
      let tokens;
      try {
        tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, idTokenExpected: true,
        });
      } catch (err) {
        throw translate(err, cfg.issuer);
      }
      const idClaims = tokens.claims();
      if (!idClaims) throw oidcRefused('The provider sent no ID token.');
      let info: Record<string, unknown> = {};
      if (config.serverMetadata().userinfo_endpoint) {
        try {
          info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        } catch (err) {
          throw translate(err, cfg.issuer);
        }
      }
      // Both are the provider's word; the ID token's iss and sub are the identity.
      return { issuer: idClaims.iss, subject: idClaims.sub, claims: { ...idClaims, ...info, iss: idClaims.iss, sub: idClaims.sub } };
    },
  };
}

/** translate maps openid-client's failures at the callback to people's messages (4xx) or 503 for an unreachable provider. */
function translate(err: unknown, issuer: string): PorticoError {
  if (err instanceof oidc.AuthorizationResponseError) {
    if (err.error === 'access_denied') return oidcRefused('Sign-in was cancelled or refused at the provider.', 403);
    return oidcRefused(`The provider refused the sign-in (${safeCode(err.error)}).`);
  }
  if (err instanceof oidc.ResponseBodyError) {
    // invalid_grant: the code was used already, expired, or its PKCE verifier did not match.
    return oidcRefused(`The provider refused the sign-in code (${safeCode(err.error)}). Please start again.`);
  }
  const code = (err as { code?: string }).code ?? '';
  // A provider that answers nonsense is unavailable; an answer that fails a check is a refused sign-in.
  if (code.startsWith('OAUTH_') && !PROVIDER_BROKEN.has(code)) {
    return oidcRefused(`The provider's answer did not pass the checks (${code}). Please start again.`);
  }
  return oidcUnavailable(describe(err, issuer));
}

function safeCode(s: unknown): string {
  return typeof s === 'string' && /^[\x20-\x7e]{1,64}$/.test(s) ? s : 'error';
}
