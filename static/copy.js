// copy.js: the Copy buttons of shared links (templates/partials/copy-link.eta). Without JavaScript
// the buttons stay hidden and the link stays selectable text.
(function () {
  'use strict';
  function arm(root) {
    root.querySelectorAll('button[data-copy]').forEach(function (b) {
      if (b.dataset.armed) return;
      b.dataset.armed = '1';
      b.hidden = false;
      b.addEventListener('click', function () {
        var input = document.getElementById(b.dataset.copy);
        if (!input) return;
        var done = function () { b.textContent = 'Copied'; setTimeout(function () { b.textContent = 'Copy'; }, 2000); };
        input.focus();
        input.select();
        if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand('copy'); done(); });
        else { document.execCommand('copy'); done(); }
      });
    });
    root.querySelectorAll('input.copy-link-url').forEach(function (i) {
      i.addEventListener('focus', function () { i.select(); });
    });
  }
  document.addEventListener('DOMContentLoaded', function () { arm(document); });
  document.addEventListener('htmx:afterSettle', function (e) { arm(e.target); });
})();
