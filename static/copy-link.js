// copy-link.js: every button with data-copy copies that link (made absolute) to the clipboard and says so.
document.addEventListener('click', (ev) => {
  const btn = ev.target instanceof Element ? ev.target.closest('button[data-copy]') : null;
  if (!btn) return;
  ev.preventDefault();
  const url = new URL(btn.getAttribute('data-copy'), location.href).href;
  const done = (ok) => {
    const was = btn.dataset.label || btn.textContent;
    btn.dataset.label = was;
    btn.textContent = ok ? 'Copied' : 'Copy failed';
    btn.setAttribute('data-copied', ok ? 'yes' : 'no');
    setTimeout(() => { btn.textContent = was; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(url).then(() => done(true), () => done(false));
  else {
    const t = document.createElement('textarea');
    t.value = url; document.body.appendChild(t); t.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    t.remove(); done(ok);
  }
});
