// portico-files.js: the small-file helpers of the UI (a static file: the pages allow scripts only from 'self').
// - [data-insert-file]: inserts the selected file reference at the cursor of the container form's
//   command, or of the environment if that was the last of the two focused.
// - form[data-max-bytes]: refuses a file over the upload limit before sending it.
(function () {
  if (window.porticoFiles) return;
  window.porticoFiles = true;
  var lastTarget = null;
  document.addEventListener('focusin', function (e) {
    var el = e.target;
    if (el && (el.name === 'command' || el.name === 'environment') && el.form) lastTarget = el;
  });
  document.addEventListener('click', function (e) {
    var btn = e.target.closest && e.target.closest('[data-insert-file]');
    if (!btn) return;
    e.preventDefault();
    var select = document.querySelector(btn.getAttribute('data-insert-file'));
    var target = lastTarget && document.contains(lastTarget) ? lastTarget : document.querySelector('form [name="command"]');
    if (!select || !target || !select.value) return;
    var start = target.selectionStart == null ? target.value.length : target.selectionStart;
    var end = target.selectionEnd == null ? start : target.selectionEnd;
    target.value = target.value.slice(0, start) + select.value + target.value.slice(end);
    var at = start + select.value.length;
    target.focus();
    target.setSelectionRange(at, at);
    target.dispatchEvent(new Event('input', { bubbles: true }));
  });
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var max = form && form.getAttribute && Number(form.getAttribute('data-max-bytes'));
    if (!max) return;
    var input = form.querySelector('input[type="file"]');
    var file = input && input.files && input.files[0];
    var msg = form.querySelector('.upload-error');
    if (file && file.size > max) {
      e.preventDefault();
      if (msg) { msg.hidden = false; msg.textContent = file.name + ' is larger than the upload limit (' + max + ' bytes).'; }
    } else if (msg) {
      msg.hidden = true;
    }
  });
})();
