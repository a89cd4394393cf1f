/**
 * escaping.test.ts: titles, descriptions, environment values, state reasons and log lines that
 * contain `<script>` and quotes render as text: escaped in the server's HTML and in live fragments,
 * and inert in Chromium.
 */
import t from 'tap';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';
import { openStream } from '../helpers/sse-client.ts';
import { page, session } from '../helpers/ui-http.ts';

// Callbacks given to the page run in Chromium; the project's type check has no DOM library.
declare const document: any, window: any;

const TITLE = `<script>alert("t'1")</script>`;
const DESC = `<img src=x onerror=alert(2)> "quoted" & 'single'`;
const ENV = { EVIL: '<script>alert(3)</script>', QUOTES: `"'><b>` };
const LOG = '<script>alert(4)</script> "log"';
const REASON = `"><script>alert(5)</script>`;

t.test('user text is escaped everywhere it is shown', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project('<script>alert(6)</script> project');
  const { token } = await gw.user('esc', { project, role: 'owner', admin: true });
  const created = await gw.api('POST', `/containers/api/create/${project}`, token, {
    title: TITLE, description: DESC, ...TEST_IMAGE, environment: ENV, command: `echo '<script>alert(7)</script>'`,
  });
  t.equal(created.status, 201);
  const uuid = created.body.sodar_uuid;
  const c = gw.core.store.containers.byUuid(uuid)!;
  gw.core.containers.log.add(c, 'INFO', '<b>who</b>', 'Docker', LOG);
  gw.core.store.containers.setRuntime(c.id, { stateReason: REASON });
  const s = await session(gw, token);

  const pages = [`/`, `/projects/${project}/containers`, `/containers/${uuid}`, `/containers/${uuid}/update`, `/containers/${uuid}/delete`, '/siteadmin', `/siteadmin?q=${encodeURIComponent('<script>')}`];
  for (const p of pages) {
    const r = await page(gw, p, s.cookie);
    t.equal(r.status, 200, `${p} renders`);
    t.notMatch(r.text, /<script>alert|<img src=x|<b>who|<b>"|><b>/, `${p}: no live markup from user text`);
    t.match(r.text, /&lt;script&gt;alert\(/, `${p}: shown as escaped text`);
  }
  const detail = (await page(gw, `/containers/${uuid}`, s.cookie)).text;
  t.match(detail, /alert\(&quot;t&#39;1&quot;\)/, 'quotes in the title are escaped');
  t.match(detail, /&lt;img src=x onerror=alert\(2\)&gt; &quot;quoted&quot; &amp; &#39;single&#39;/, 'description escaped');
  t.match(detail, /&quot;EVIL&quot;: &quot;&lt;script&gt;alert\(3\)&lt;\/script&gt;&quot;/, 'environment values escaped');
  t.match(detail, /title="&quot;&gt;&lt;script&gt;alert\(5\)&lt;\/script&gt;"/, 'attribute values escaped (state reason tooltip)');
  t.match(detail, /\[[\d-]+ [\d:]+ INFO &lt;b&gt;who&lt;\/b&gt;\]<\/span> <span class="ll-proc">\(Docker\)<\/span> <span class="ll-text">&lt;script&gt;alert\(4\)&lt;\/script&gt; &quot;log&quot;/, 'log lines escaped');

  // Live fragments are rendered by the same escaping templates.
  const stream = await openStream(`${gw.base}/containers/${uuid}/events`, { cookie: s.cookie });
  t.equal(stream.status, 200);
  gw.core.containers.log.add(c, 'ERROR', 'x', 'Docker', LOG);
  const ev = await stream.next((e) => e.event === 'log', 5000, 'log event');
  const html = JSON.parse(ev.data).html as string;
  t.match(html, /&lt;script&gt;alert\(4\)&lt;\/script&gt; &quot;log&quot;/, 'streamed log line escaped');
  t.notMatch(html, /<script>/);
  stream.close();

  // And in a real browser nothing runs: the text shows as typed.
  const b = await launchBrowser();
  t.teardown(() => b.close());
  const dialogs: string[] = [];
  b.page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await loginWithToken(gw, b.context, token);
  await b.page.goto(`${gw.base}/containers/${uuid}`);
  t.equal(await b.page.textContent('h1.c-heading'), TITLE, 'title shown literally');
  t.equal(await b.page.textContent('.description'), DESC, 'description shown literally');
  gw.core.containers.log.add(c, 'WARNING', 'x', 'Docker', '<img src=y onerror=alert(8)>');
  await b.page.waitForFunction((u) => /onerror=alert\(8\)/.test(document.getElementById('log-' + u)?.textContent ?? ''), uuid);
  await b.page.goto(`${gw.base}/projects/${project}/containers`);
  t.equal(await b.page.textContent(`#row-${uuid} .c-title`), TITLE);
  t.same(dialogs, [], 'no script from user text ran');
  t.same(b.errors, [], 'no script errors');
});
