/**
 * page-shell.ts: the frame of the pages the proxy itself answers with (the waiting page, a failed
 * start, 404 and 403): the UI's header bar with a way home, one card, self-contained styles (an
 * app origin cannot load the gateway's stylesheet). Only failures and starts are rendered here,
 * never a successful proxied request.
 */
import { escapeHtml } from './html.ts';

/** SHELL_STYLE is the pages' inline stylesheet, in the UI's colours. */
export const SHELL_STYLE = `body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7fb}
.top{display:flex;align-items:center;padding:.5rem 1rem;background:#232a3b}.top a{color:#fff;text-decoration:none;font-weight:700;letter-spacing:.02em}
main{max-width:36rem;margin:10vh auto;padding:1.6rem 2rem;background:#fff;border:1px solid #dde1ea;border-radius:6px;box-shadow:0 2px 12px rgba(0,0,0,.06)}
h1{font-size:1.3rem;margin:0 0 1rem}#msg{margin:.5rem 0}#meta,.tech{color:#5b6475;font-size:.85rem}
.bar{height:8px;background:#e4e7eb;border-radius:4px;overflow:hidden;margin:1rem 0}.bar>div{height:100%;width:0;background:#3b5bdb;transition:width .3s}
.bar.indeterminate>div{width:30%;animation:slide 1.2s ease-in-out infinite}@keyframes slide{0%{margin-left:-30%}100%{margin-left:100%}}
.failed h1{color:#c92a2a}ul{padding-left:1.2rem;color:#3e4c59;font-size:.9rem}details{margin:.6rem 0}summary{cursor:pointer;color:#5b6475;font-size:.9rem}
pre{background:#1f2933;color:#e4e7eb;padding:.75rem;border-radius:6px;font-size:.8rem;overflow:auto;max-height:18rem;white-space:pre-wrap;word-break:break-all}
.actions{display:flex;gap:.6rem;flex-wrap:wrap;margin-top:1.2rem}
a.btn,button{font:inherit;padding:.4rem 1rem;border:1px solid #dde1ea;background:#fff;color:#1d2330;border-radius:6px;cursor:pointer;text-decoration:none;display:inline-block}
a.btn.primary,button.primary{border-color:#3b5bdb;background:#3b5bdb;color:#fff}`;

/** shellPage wraps `inner` (trusted HTML, escaped by its builder) in the header and the card; `home` is the gateway's front page, `brand` the site title. */
export function shellPage(o: { title: string; inner: string; home: string; brand?: string; bodyAttrs?: string; head?: string; script?: string }): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(o.title)}</title>${o.head ?? ''}<style>${SHELL_STYLE}</style></head>
<body${o.bodyAttrs ?? ''}><header class="top"><a href="${escapeHtml(o.home)}">${escapeHtml(o.brand || 'Portico')}</a></header><main>${o.inner}</main>${o.script ? `<script>${o.script}</script>` : ''}</body></html>`;
}
