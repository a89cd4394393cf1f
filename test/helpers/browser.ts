/**
 * browser.ts (test helper): Debian's Chromium through playwright-core (never a downloaded browser),
 * headless, one fresh temporary profile per browser, and a logged-in session for a test user.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import type { TestGateway } from './gateway.ts';

/** BROWSER_ENV is what Chromium gets of the environment: a path and a home, nothing of the test runner's (NODE_OPTIONS, CI, …). */
const BROWSER_ENV: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };

/** CHROMIUM is the system browser the UI tests drive. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** TestBrowser is one Chromium with its own profile; `errors` collects page errors (uncaught exceptions). */
export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/**
 * launchBrowser starts Chromium with a fresh temporary --user-data-dir (`javaScript: false` to browse
 * without scripts; `bypassCSP` lets a test inject a script such as axe-core into Portico's pages).
 */
export async function launchBrowser(opts: { viewport?: { width: number; height: number }; javaScript?: boolean; args?: string[]; bypassCSP?: boolean } = {}): Promise<TestBrowser> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args: [...ARGS, ...(opts.args ?? [])], viewport: opts.viewport ?? { width: 1280, height: 860 },
    javaScriptEnabled: opts.javaScript ?? true, bypassCSP: opts.bypassCSP ?? false,
    // A clean environment: the browser is a child of the test runner, whose variables are not its business.
    env: BROWSER_ENV,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? await context.newPage();
  const errors: string[] = [];
  context.on('page', (p) => p.on('pageerror', (e) => errors.push(e.message)));
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context, page, errors,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * loginWithToken logs the browser in by trading the user's API token for a session cookie
 * (POST /api/session) and setting that cookie in the browser; returns the session's CSRF token.
 */
export async function loginWithToken(gw: TestGateway, context: BrowserContext, token: string): Promise<string> {
  const res = await fetch(gw.base + '/api/session', { method: 'POST', headers: { authorization: `token ${token}` } });
  if (res.status !== 200) throw new Error(`POST /api/session answered ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const eq = cookie.indexOf('=');
  await context.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: gw.base, httpOnly: true, sameSite: 'Lax' }]);
  return ((await res.json()) as { csrf_token: string }).csrf_token;
}

/** loginWithPassword logs the browser in through the login page (/login), landing on `next`. */
export async function loginWithPassword(gw: TestGateway, page: Page, username: string, password: string, next = '/'): Promise<void> {
  await page.goto(`${gw.base}/login?next=${encodeURIComponent(next)}`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(gw.base + next), page.click('button:has-text("Log in")')]);
}
