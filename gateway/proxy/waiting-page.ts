/**
 * waiting-page.ts: the page a browser navigation gets while its container starts. It shows what
 * is happening (pulling with progress, creating, starting, waiting for the app) from the status
 * stream, and reloads itself into the app when it is ready. When the start fails, its heading and
 * text say so, with hints and (for who may read the container's log) the app's last lines. Without
 * JavaScript it reloads every few seconds, and the failure comes as a page of its own.
 * Self-contained: no external assets.
 */
import type { ServerResponse } from 'node:http';
import { escapeHtml, explainedHtml } from './failure.ts';
import { STATUS_SEGMENT, PREFIX } from './path.ts';
import type { Start } from './starter.ts';

const STYLE = `body{font:16px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
main{max-width:34rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:10px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.3rem;margin:0 0 1rem}#msg{margin:.5rem 0}#meta{color:#616e7c;font-size:.85rem}
.bar{height:8px;background:#e4e7eb;border-radius:4px;overflow:hidden;margin:1rem 0}.bar>div{height:100%;width:0;background:#2f80ed;transition:width .3s}
.bar.indeterminate>div{width:30%;animation:slide 1.2s ease-in-out infinite}@keyframes slide{0%{margin-left:-30%}100%{margin-left:100%}}
.failed #msg{color:#b42318}ul{padding-left:1.2rem;color:#3e4c59;font-size:.9rem}
pre{background:#1f2933;color:#e4e7eb;padding:.75rem;border-radius:6px;font-size:.8rem;overflow:auto;max-height:18rem;white-space:pre-wrap;word-break:break-all}
a.btn,button{font:inherit;padding:.4rem 1rem;border:1px solid #2f80ed;background:#2f80ed;color:#fff;border-radius:6px;cursor:pointer;text-decoration:none;display:inline-block}`;

// Text goes in through textContent only: nothing from the stream is parsed as HTML.
const SCRIPT = `(function(){var m=document.getElementById('msg'),b=document.getElementById('bar'),f=b.firstElementChild,meta=document.getElementById('meta'),again=document.getElementById('again'),h=document.getElementById('heading'),hints=document.getElementById('hints'),log=document.getElementById('log'),logIntro=document.getElementById('log-intro');
var names={starting:'Starting',pulling:'Pulling the image',creating:'Creating',unpausing:'Resuming',waiting:'Waiting for the app',ready:'Ready',failed:'Failed'};
function show(s){m.textContent=s.message;meta.textContent=(names[s.phase]||s.phase)+' · '+Math.round((s.elapsed||0)/1000)+' s';
if(typeof s.percent==='number'){b.className='bar';f.style.width=s.percent+'%'}else{b.className='bar indeterminate';f.style.width=''}}
function failed(s){show(s);document.body.className='failed';b.style.display='none';if(s.heading){h.textContent=s.heading;document.title=s.heading}
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

/** sendWaitingPage answers a navigation with the waiting page (202: accepted, not done yet). */
export function sendWaitingPage(res: ServerResponse, start: Start): void {
  const heading = escapeHtml(start.heading());
  const status = `${PREFIX}${STATUS_SEGMENT}${start.uuid}`;
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${heading}</title><noscript><meta http-equiv="refresh" content="5"></noscript><style>${STYLE}</style></head>
<body data-status="${status}"><main><h1 id="heading">${heading}</h1>
<p id="msg">${escapeHtml(start.message)}</p><div id="bar" class="bar indeterminate"><div></div></div>
<p id="meta">This page continues to the app by itself when it is ready.</p><ul id="hints" hidden></ul>
<p id="log-intro" hidden>The app's last lines:</p><pre id="log" hidden></pre><p><button id="again" hidden>Try again</button></p>
<noscript><p>This page reloads every few seconds until the app is ready.</p></noscript></main><script>${SCRIPT}</script></body></html>`;
  send(res, 202, body);
}

/**
 * sendStartFailurePage answers a navigation that comes after a start failed (a reload without
 * JavaScript, say) with what went wrong, the hints and, when `showLog`, the app's last lines.
 * "Try again" loads `retry`, which starts afresh: the failure has been seen.
 */
export function sendStartFailurePage(res: ServerResponse, start: Start, showLog: boolean, retry: string): void {
  const heading = escapeHtml(start.heading());
  const explained = explainedHtml({ hints: start.detail?.hints, log: showLog ? start.detail?.log : undefined });
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${heading}</title><style>${STYLE}</style></head>
<body class="failed"><main><h1 id="heading">${heading}</h1><p id="msg">${escapeHtml(start.message)}</p>${explained}
<p><a class="btn" id="again" href="${escapeHtml(retry)}">Try again</a></p></main></body></html>`;
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
