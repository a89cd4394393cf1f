/**
 * waiting-page.ts: the page a browser navigation gets while its container starts. It shows what
 * is happening (pulling with progress, creating, starting, waiting for the app) from the status
 * stream, and reloads itself into the app when it is ready. When the start fails, its heading and
 * text say so, with hints and (for who may read the container's log) the app's last lines. Without
 * JavaScript it reloads every few seconds, and the failure comes as a page of its own. A failure
 * says first, in plain words, what went wrong, then the technical reason (folded), and links back
 * to the project. Self-contained: no external assets.
 */
import type { ServerResponse } from 'node:http';
import { escapeHtml, explainedHtml } from './failure.ts';
import { shellPage } from './page-shell.ts';
import { STATUS_SEGMENT, PREFIX } from './path.ts';
import type { Start } from './starter.ts';

// Text goes in through textContent only: nothing from the stream is parsed as HTML.
const SCRIPT = `(function(){var m=document.getElementById('msg'),tech=document.getElementById('tech'),techText=document.getElementById('tech-text'),back=document.getElementById('back'),b=document.getElementById('bar'),f=b.firstElementChild,meta=document.getElementById('meta'),again=document.getElementById('again'),h=document.getElementById('heading'),hints=document.getElementById('hints'),log=document.getElementById('log'),logIntro=document.getElementById('log-intro');
var names={starting:'Starting',pulling:'Pulling the image',creating:'Creating',unpausing:'Resuming',waiting:'Waiting for the app',ready:'Ready',failed:'Failed'};
function show(s){m.textContent=s.message;meta.textContent=(names[s.phase]||s.phase)+' · '+Math.round((s.elapsed||0)/1000)+' s';
if(typeof s.percent==='number'){b.className='bar';f.style.width=s.percent+'%'}else{b.className='bar indeterminate';f.style.width=''}}
function failed(s){show(s);document.body.className='failed';b.style.display='none';if(s.heading){h.textContent=s.heading;document.title=s.heading}
if(s.plain){m.textContent=s.plain;techText.textContent=s.message;tech.hidden=false}meta.textContent=(s.code||'')+' · '+Math.round((s.elapsed||0)/1000)+' s';back.hidden=false;
(s.hints||[]).forEach(function(t){var li=document.createElement('li');li.textContent=t;hints.appendChild(li)});hints.hidden=!(s.hints&&s.hints.length);
if(s.log&&s.log.length){log.textContent=s.log.join('\\n');log.hidden=false;logIntro.hidden=false}again.hidden=false}
var es=new EventSource(document.body.getAttribute('data-status'));
es.addEventListener('progress',function(e){show(JSON.parse(e.data))});
es.addEventListener('ready',function(e){show(JSON.parse(e.data));es.close();location.reload()});
es.addEventListener('failed',function(e){es.close();failed(JSON.parse(e.data))});
again.onclick=function(){location.reload()};})();`;

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Inline script and style only; nothing is loaded from anywhere else.
    'content-security-policy': CSP,
  });
  res.end(body);
}

/** PageLinks are the ways back from the proxy's pages: the gateway's front page and the app's project (`backLabel`: what that link says). */
export interface PageLinks { home: string; back: string; backLabel?: string; brand?: string }

/** sendWaitingPage answers a navigation with the waiting page (202: accepted, not done yet). */
export function sendWaitingPage(res: ServerResponse, start: Start, links: PageLinks): void {
  const heading = escapeHtml(start.heading());
  const status = `${PREFIX}${STATUS_SEGMENT}${start.uuid}`;
  const body = shellPage({
    title: start.heading(), home: links.home, brand: links.brand, bodyAttrs: ` data-status="${status}"`,
    head: '<noscript><meta http-equiv="refresh" content="5"></noscript>', script: SCRIPT,
    inner: `<h1 id="heading">${heading}</h1>
<p id="msg">${escapeHtml(start.message)}</p><details id="tech" hidden><summary>Technical details</summary><p class="tech" id="tech-text"></p></details>
<div id="bar" class="bar indeterminate"><div></div></div>
<p id="meta">This page continues to the app by itself when it is ready.</p><ul id="hints" hidden></ul>
<p id="log-intro" hidden>The app's last lines:</p><pre id="log" hidden></pre>
<p class="actions"><button id="again" class="primary" hidden>Try again</button><a class="btn" id="back" href="${escapeHtml(links.back)}" hidden>${escapeHtml(links.backLabel ?? 'Back to the project')}</a></p>
<noscript><p>This page reloads every few seconds until the app is ready.</p></noscript>`,
  });
  send(res, 202, body);
}

/**
 * sendStartFailurePage answers a navigation that comes after a start failed (a reload without
 * JavaScript, say) with what went wrong, the hints and, when `showLog`, the app's last lines.
 * "Try again" loads `retry`, which starts afresh: the failure has been seen.
 */
export function sendStartFailurePage(res: ServerResponse, start: Start, showLog: boolean, retry: string, links: PageLinks): void {
  const heading = escapeHtml(start.heading());
  const explained = explainedHtml({ hints: start.detail?.hints, log: showLog ? start.detail?.log : undefined });
  const body = shellPage({
    title: start.heading(), home: links.home, brand: links.brand, bodyAttrs: ' class="failed"',
    inner: `<h1 id="heading">${heading}</h1><p id="msg">${escapeHtml(start.plain())}</p>
<details id="tech"><summary>Technical details</summary><p class="tech" id="tech-text">${escapeHtml(start.message)} · <code>${start.error?.code ?? ''}</code></p></details>${explained}
<p class="actions"><a class="btn primary" id="again" href="${escapeHtml(retry)}">Try again</a><a class="btn" id="back" href="${escapeHtml(links.back)}">${escapeHtml(links.backLabel ?? 'Back to the project')}</a></p>`,
  });
  send(res, start.error?.status ?? 503, body);
}

/**
 * streamStatus answers the waiting page's EventSource: progress events, then `ready` or `failed`
 * (with the app's last lines when `viewer.showLog`; the failure then counts as seen by `viewer`).
 */
export function streamStatus(res: ServerResponse, start: Start | null, onClose: () => void, viewer: { name: string; showLog: boolean } = { name: '', showLog: false }): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  const send = (event: string, data: Record<string, unknown>) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  if (start === null) {
    send('ready', { phase: 'ready', message: 'The app is ready', percent: null, elapsed: 0 });
    res.end();
    onClose();
    return;
  }
  const listener = (s: Start) => {
    if (s.phase === 'ready') { send('ready', s.snapshot()); res.end(); }
    else if (s.phase === 'failed') { s.seenBy.add(viewer.name); send('failed', s.snapshot(viewer.showLog)); res.end(); }
    else send('progress', s.snapshot());
  };
  // A tick every second keeps the elapsed time moving and the connection alive.
  const tick = setInterval(() => { if (!start.settled) send('progress', start.snapshot()); }, 1000);
  start.listeners.add(listener);
  res.once('close', () => {
    clearInterval(tick);
    start.listeners.delete(listener);
    onClose();
  });
  listener(start);
}
