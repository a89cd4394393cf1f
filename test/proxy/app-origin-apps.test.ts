/**
 * app-origin-apps.test.ts: ordinary apps that broke under a prefix work on their own origin with no
 * per-app settings, in Chromium: Debian's Jupyter Notebook with its defaults (no base_url; a
 * kernel runs a cell over its WebSocket), the socket.io tutorial's chat verbatim, and an app that
 * redirects to a URL built from Host. The gateway runs with no app-origin settings at all: the UI
 * on 127.0.0.1, the apps on <uuid>.localhost. Images: scripts/build-test-images.sh.
 */
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { startGateway, WS_IMAGE } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { launchBrowser, loginWithToken } from '../helpers/browser.ts';
import type { TestBrowser } from '../helpers/browser.ts';
import { createContainer, startContainer } from './helpers.ts';
import { ECHO_APP } from './app-origin-helpers.ts';

const SOCKETIO_IMAGE = { repository: 'portico-test/socketio', tag: '1' };
const JUPYTER_IMAGE = { repository: 'portico-test/jupyter', tag: '1' };

function requireImage(image: { repository: string; tag: string }): void {
  try {
    execFileSync('docker', ['image', 'inspect', `${image.repository}:${image.tag}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`image ${image.repository}:${image.tag} is missing: run scripts/build-test-images.sh`);
  }
}

/** goto navigates, again when Chromium saw the host's network change (Docker adds interfaces as other containers start). */
async function goto(b: TestBrowser, url: string): Promise<void> {
  for (let i = 0; ; i++) {
    try { await b.page.goto(url); return; } catch (err) {
      if (i >= 3 || !String(err).includes('ERR_NETWORK_CHANGED')) throw err;
    }
  }
}

/** open follows the app's old link in the browser, through the handshake (and the waiting page, which reloads into the app). */
async function open(gw: TestGateway, b: TestBrowser, uuid: string, path: string, ready: (body: string) => boolean): Promise<string> {
  await goto(b, `${gw.base}/containers/proxy/${uuid}${path}`);
  const deadline = Date.now() + 60_000;
  let body = '';
  while (Date.now() < deadline) {
    body = await b.page.content().catch(() => '');
    if (ready(body)) return body;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the app did not show up at ${b.page.url()}: ${body.slice(0, 300)}`);
}

t.test('Jupyter, the socket.io tutorial and a Host-built redirect through Portico with no per-app settings', async (t) => {
  requireImage(SOCKETIO_IMAGE);
  requireImage(JUPYTER_IMAGE);
  const gw = await startGateway({ PORTICO_APP_ORIGINS: 'per-app' });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('alice', { project, role: 'owner' });
  const b = await launchBrowser();
  t.teardown(() => b.close());
  await loginWithToken(gw, b.context, token);
  // Every failed answer that Portico itself gave (its JSON error shape), as opposed to the app's own.
  const failed: string[] = [];
  b.page.on('response', (r) => {
    if (r.status() >= 400) void r.text().then((body) => { if (/"code":"E_[A-Z_]+"/.test(body)) failed.push(`${r.status()} ${r.url()} ${body}`); }, () => {});
  });

  // An app that redirects to http://<Host>/dashboard: Host is the app's own origin, so it lands there.
  const echo = await createContainer(gw, token, project, { ...WS_IMAGE, command: 'node -e "eval(process.env.APP_JS)"', environment: { APP_JS: ECHO_APP } });
  await startContainer(gw, token, echo);
  await open(gw, b, echo, '/redir-host', (body) => body.includes('"url":"/dashboard?from=host"'));
  t.equal(b.page.url(), `http://${echo}.localhost:${gw.port}/dashboard?from=host`, 'a redirect built from Host lands on the app, not on a Portico 404');

  // The socket.io tutorial, verbatim (test/images/socketio): /socket.io/socket.io.js is root-absolute.
  const chat = await createContainer(gw, token, project, { ...SOCKETIO_IMAGE, container_port: 3000 });
  await open(gw, b, chat, '/', (body) => body.includes('id="messages"'));
  t.equal(new URL(b.page.url()).host, `${chat}.localhost:${gw.port}`, 'the chat is served on its own origin');
  await b.page.waitForFunction('typeof io === "function" && socket.connected', undefined, { timeout: 20_000 });
  t.pass('/socket.io/socket.io.js loaded: io is defined, and the socket connected');
  await b.page.fill('#input', 'hello through Portico');
  await b.page.click('#form > button');
  await b.page.waitForSelector('#messages > li', { timeout: 10_000 });
  t.equal(await b.page.textContent('#messages > li'), 'hello through Portico', 'a message goes round the server and back');
  await b.page.waitForFunction('socket.io.engine.transport.name === "websocket"', undefined, { timeout: 20_000 });
  t.pass('socket.io upgraded to a WebSocket');

  // Jupyter Notebook with its defaults: no base_url, strip_prefix left as it is.
  const nb = await createContainer(gw, token, project, { ...JUPYTER_IMAGE, container_port: 80, timeout: 120 });
  await open(gw, b, nb, '/', (body) => body.includes('id="notebook_list"'));
  t.equal(new URL(b.page.url()).pathname, '/tree', "Jupyter's own redirect to /tree stays on its origin");
  await b.page.waitForFunction('document.querySelectorAll("#notebook_list .list_item").length > 0 || document.querySelector("#notebook_list") !== null', undefined, { timeout: 20_000 });
  // What the browser saw of the API call, for the failure message if it fails.
  const seen: string[] = [];
  b.page.on('response', (r) => { if (r.url().includes('/api/contents')) seen.push(`${r.status()} ${r.request().method()} ${r.url()} location=${r.headers().location ?? ''}`); });
  b.page.on('requestfailed', (r) => { if (r.url().includes('/api/contents')) seen.push(`failed ${r.method()} ${r.url()}: ${r.failure()?.errorText}`); });
  const made = await b.page.evaluate(`(async () => {
    const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '';
    const r = await fetch('/api/contents', { method: 'POST', headers: { 'X-XSRFToken': decodeURIComponent(xsrf) }, body: JSON.stringify({ type: 'notebook' }) });
    return (await r.json()).path;
  })()`).catch((err: Error) => { throw new Error(`${err.message}; the browser saw: ${seen.join(' | ') || 'nothing'}`); }) as string;
  t.match(made, /\.ipynb$/, "a notebook is made through Jupyter's API (its XSRF check passes)");
  await goto(b, `http://${nb}.localhost:${gw.port}/notebooks/${made}`);
  await b.page.waitForFunction('window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()', undefined, { timeout: 60_000 });
  t.pass("the kernel's WebSocket connected");
  await b.page.evaluate('Jupyter.notebook.get_cell(0).set_text("print(6 * 7)"); Jupyter.notebook.execute_cell()');
  await b.page.waitForFunction('document.querySelector(".output_area pre") && document.querySelector(".output_area pre").textContent.includes("42")', undefined, { timeout: 30_000 });
  t.pass('a cell ran in the kernel and its output came back');
  t.same(failed, [], 'Portico answered no request with an error of its own (no Portico 404s)');
});
