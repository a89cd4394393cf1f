/**
 * string-predicates.test.ts: browser tests wait on Portico's pages with function predicates only.
 * Regression: phone-keyboard.test.ts waited with a string, which Playwright evaluates by eval; the
 * pages' CSP (script-src 'self') refuses eval, so when the focus was not back at the first check
 * the wait could never succeed, and a CSP script error was recorded (failed CI under load).
 * App pages (served by the test apps, without Portico's CSP) may use strings: listed below.
 */
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
/** Files whose string predicates run on an app's page, not Portico's. */
const APP_PAGES = new Set(['proxy/app-origin-apps.test.ts', 'proxy/app-origin-browser.test.ts']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

t.test('no string predicate in a wait on a Portico page', async (t) => {
  const offenders: string[] = [];
  for (const f of files(root)) {
    const rel = relative(root, f);
    if (APP_PAGES.has(rel)) continue;
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/waitForFunction\(\s*(['"`])/g)) offenders.push(`${rel}:${src.slice(0, m.index).split('\n').length}`);
  }
  t.same(offenders, [], 'waitForFunction takes a function (a string needs eval, which the CSP refuses)');
  t.ok(files(root).some((f) => f.endsWith('phone-keyboard.test.ts')), 'the scan sees the browser tests');
});
