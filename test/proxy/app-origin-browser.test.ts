/**
 * app-origin-browser.test.ts: in Chromium, an app on its own origin cannot act as its viewer (a
 * site admin): its page tries the gateway's UI and API with credentials — fetch, an iframe,
 * window.open, a form POST, a no-cors POST and a GET to start a container — and another app's
 * origin; nothing is read and nothing changes, while the app itself, WebSocket included, works.
 * The gateway and the apps share a site here (portico.example.test, *.apps.example.test), as in
 * production, so SameSite=Lax cookies go along with same-site requests: the worst case.
 */
import net from 'node:net';
import t from 'tap';
import type { Test } from 'tap';
import { startGateway, WS_IMAGE } from '../helpers/gateway.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { createContainer, startContainer } from './helpers.ts';
import { ECHO_APP } from './app-origin-helpers.ts';

/** EVIL_APP serves a page whose script tries everything a same-origin app could once do, and a WebSocket echo. */
const EVIL_APP = `const http=require('http');const {WebSocketServer}=require('ws');const E=process.env;
const page='<!doctype html><html><head><title>evil</title></head><body><h1>evil-app</h1>'
+'<form id=f method=POST action="'+E.GW+'/containers/'+E.VICTIM+'/start" target=sink><input name=x value=1></form><iframe name=sink></iframe>'
+'<script>window.CFG='+JSON.stringify({G:E.GW,O:E.OTHER,P:E.PROJECT,V:E.VICTIM})+'</script><script src="/evil.js"></script></body></html>';
const js=\`(async()=>{const {G,O,P,V}=window.CFG;const R={};
async function t(n,f){try{R[n]=String(await f())}catch(e){R[n]='blocked: '+e.name}}
await t('own',async()=>(await fetch('/')).text());
await t('gatewayRoot',async()=>(await fetch(G+'/',{credentials:'include'})).text());
await t('gatewayApi',async()=>(await fetch(G+'/containers/api/'+P,{credentials:'include'})).text());
await t('gatewayPostStart',async()=>'type '+(await fetch(G+'/containers/api/start/'+V,{method:'POST',credentials:'include',mode:'no-cors'})).type);
await t('gatewayGetStart',async()=>'type '+(await fetch(G+'/containers/api/start/'+V,{credentials:'include',mode:'no-cors'})).type);
await t('imgStart',()=>new Promise(r=>{const i=new Image();i.onload=i.onerror=()=>r('img done');i.src=G+'/containers/api/start/'+V}));
await t('otherApp',async()=>(await fetch(O+'/',{credentials:'include'})).text());
await t('otherAppNoCors',async()=>'type '+(await fetch(O+'/x',{credentials:'include',mode:'no-cors'})).type);
await t('iframe',()=>new Promise(r=>{const f=document.createElement('iframe');f.onload=()=>{try{r(f.contentDocument?f.contentDocument.documentElement.outerHTML:'no document')}catch(e){r('blocked: '+e.name)}};f.src=G+'/';document.body.appendChild(f);setTimeout(()=>r('no load'),5000)}));
await t('window',()=>new Promise(r=>{const w=window.open(G+'/');if(!w){r('popup blocked');return}setTimeout(()=>{try{r(w.document.documentElement.outerHTML)}catch(e){r('blocked: '+e.name)}w.close()},1500)}));
document.getElementById('f').submit();
await new Promise(r=>setTimeout(r,1000));
await t('ws',()=>new Promise(r=>{const ws=new WebSocket('ws://'+location.host+'/ws');let n=0;ws.onmessage=e=>{if(n++===0){ws.send('ping')}else{r(e.data);ws.close()}};ws.onerror=()=>r('ws error')}));
window.RESULTS=R;document.title='done'})()\`;
const s=http.createServer((q,r)=>{if(q.url==='/'){r.setHeader('content-type','text/html');r.end(page);return}
if(q.url==='/evil.js'){r.setHeader('content-type','text/javascript');r.end(js);return}
r.setHeader('content-type','application/json');r.end(JSON.stringify({url:q.url,user:q.headers['x-portico-user']||null}))});
new WebSocketServer({server:s}).on('connection',(ws,q)=>{ws.send(JSON.stringify({user:q.headers['x-portico-user']}));ws.on('message',d=>ws.send(String(d)))});
s.listen(80);`;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

interface Setup { gwUrl: string; appsDomain: string; port: number; env: Record<string, string>; args: string[] }

/** run signs a site admin in, optionally has them use `victim` (then stops it), opens the evil app and returns what its script got. */
async function run(t: Test, setup: Setup, usedVictim: boolean) {
  const gw = await startGateway({ PORTICO_APP_ORIGINS: 'per-app', PORTICO_PORT: String(setup.port), ...setup.env });
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: admin } = await gw.user('root', { admin: true });
  const appFields = { ...WS_IMAGE, command: 'node -e "eval(process.env.APP_JS)"' };
  const victim = await createContainer(gw, admin, project, { ...appFields, environment: { APP_JS: ECHO_APP } });
  const other = `http://${victim}.${setup.appsDomain}:${setup.port}`;
  const evil = await createContainer(gw, admin, project, { ...appFields, environment: { APP_JS: EVIL_APP, GW: setup.gwUrl, OTHER: other, PROJECT: project, VICTIM: victim } });
  await startContainer(gw, admin, evil);

  const b = await launchBrowser({ args: setup.args });
  t.teardown(() => b.close());
  const res = await fetch(`${gw.base}/api/session`, { method: 'POST', headers: { authorization: `token ${admin}` } });
  const [name, value] = (res.headers.get('set-cookie') ?? '').split(';')[0].split('=');
  await b.context.addCookies([{ name, value, url: setup.gwUrl, httpOnly: true, sameSite: 'Lax' }]);

  if (usedVictim) {
    // The admin has used the victim app (so the browser holds its cookie); then it is stopped.
    await startContainer(gw, admin, victim);
    await b.page.goto(`${setup.gwUrl}/containers/proxy/${victim}/hello`);
    t.equal(new URL(b.page.url()).origin, other, 'the old link lands on the app origin');
    // The waiting page first, if the app is not answering yet: it reloads into the app by itself.
    const deadline = Date.now() + 30_000;
    let body = '';
    while (!body.includes('"url":"/hello"') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      body = await b.page.textContent('body').catch(() => '') ?? '';
    }
    t.match(body, /"url":"\/hello"/, 'and the app answers there');
    t.equal((await gw.api('POST', `/containers/api/stop/${victim}`, admin)).status, 200, 'the victim app is stopped');
  }
  const before = gw.core.store.containers.byUuid(victim)!.state;

  await b.page.goto(`${setup.gwUrl}/containers/proxy/${evil}/`);
  t.equal(new URL(b.page.url()).origin, `http://${evil}.${setup.appsDomain}:${setup.port}`, 'the evil app is on its own origin');
  await b.page.waitForFunction('document.title === "done"', undefined, { timeout: 30_000 });
  const R = await b.page.evaluate('window.RESULTS') as Record<string, string>;
  t.comment(JSON.stringify({ ...R, own: R.own.slice(0, 40) }));

  t.match(R.own, /evil-app/, "fetch('/') reads only the app's own page");
  t.notMatch(R.own, /csrf/i, 'with no CSRF token of Portico in it');
  t.match(R.gatewayRoot, /^blocked: TypeError/, "the UI's page cannot be read");
  t.match(R.gatewayApi, /^blocked: TypeError/, 'nor the REST API');
  t.match(R.otherApp, /^blocked: TypeError/, "nor another app's origin");
  t.match(R.iframe, /^(blocked|no document|no load)/, 'an iframe of the UI gives nothing');
  t.match(R.window, /^(blocked: SecurityError|popup blocked)/, 'nor does window.open');
  t.equal(R.ws, 'ping', 'the app itself works, its WebSocket included');
  // A start would have moved it within this time (the image is local; a start takes about a second).
  await new Promise((r) => setTimeout(r, 3000));
  t.equal(gw.core.store.containers.byUuid(victim)!.state, before, 'the stopped container was not started');
}

t.test('regression: a same-site app page started a container through GET /containers/api/start with the session cookie; same site as the gateway (portico.example.test, *.apps.example.test), every forged change is refused', async (t) => {
  // Lax cookies go along with same-site requests here: the API POST (no-cors), the Kiosc GET start,
  // an <img>, a form POST to the UI all reach the gateway with its session cookie, and are refused.
  const port = await freePort();
  const gwUrl = `http://portico.example.test:${port}`;
  await run(t, { gwUrl, appsDomain: 'apps.example.test', port, env: { PORTICO_APPS_DOMAIN: 'apps.example.test', PORTICO_PUBLIC_URL: gwUrl }, args: ['--host-resolver-rules=MAP *.example.test 127.0.0.1'] }, false);
});

t.test('apps sharing a site (*.apps.localhost): another app cannot call an app as its viewer', async (t) => {
  // The victim app was used (the browser holds its cookie) and stopped: a credentialed call from
  // the evil app's page would start it. All apps share the site apps.localhost, so SameSite lets the
  // cookie go along; Fetch Metadata (sent to trustworthy origins: localhost, HTTPS) tells Portico who called.
  const port = await freePort();
  await run(t, { gwUrl: `http://127.0.0.1:${port}`, appsDomain: 'apps.localhost', port, env: { PORTICO_APPS_DOMAIN: 'apps.localhost', PORTICO_PUBLIC_URL: `http://127.0.0.1:${port}` }, args: [] }, true);
});

t.test('the default local set-up (UI on 127.0.0.1, apps on <uuid>.localhost, no settings): the same holds', async (t) => {
  const port = await freePort();
  await run(t, { gwUrl: `http://127.0.0.1:${port}`, appsDomain: 'localhost', port, env: {}, args: [] }, true);
});
