// portico-share.js: "Copy link" buttons (data-copy="#input-id"). Without JavaScript the link stays
// a read-only field to select and copy by hand.
(() => {
  if (window.porticoShare) return;
  window.porticoShare = true;
  document.addEventListener('click', async (ev) => {
    const btn = ev.target instanceof Element ? ev.target.closest('[data-copy]') : null;
    if (!btn) return;
    const field = document.querySelector(btn.getAttribute('data-copy'));
    if (!field) return;
    let ok = false;
    try {
      await navigator.clipboard.writeText(field.value);
      ok = true;
    } catch {
      field.select();
      ok = document.execCommand && document.execCommand('copy');
    }
    const label = btn.dataset.label || btn.textContent;
    btn.dataset.label = label;
    btn.textContent = ok ? 'Copied' : 'Press Ctrl+C';
    setTimeout(() => { btn.textContent = label; }, 2000);
  });
})();
