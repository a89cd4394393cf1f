// portico-files.js: the small-file helpers of the UI (a static file: the pages allow scripts only from 'self').
// - [data-insert-file]: inserts the selected file reference at the cursor of the container form's
//   command, or of the environment if that was the last of the two focused.
// - form[data-max-bytes]: refuses a file over the upload limit before sending it; otherwise sends it
//   with XMLHttpRequest to show its progress, the button disabled meanwhile (without JavaScript the
//   form posts as usual and the answer is the page).
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
      return;
    }
    if (msg) msg.hidden = true;
    if (!file || !window.XMLHttpRequest || !window.FormData) return;
    e.preventDefault();
    upload(form, file, msg);
  });

  function upload(form, file, msg) {
    var button = form.querySelector('button[type="submit"]');
    var status = form.querySelector('.upload-progress');
    var bar = status && status.querySelector('progress');
    var label = status && status.querySelector('.upload-progress-label');
    var done = function () {
      if (button) { button.disabled = false; button.removeAttribute('aria-busy'); }
      if (status) status.hidden = true;
    };
    if (button) { button.disabled = true; button.setAttribute('aria-busy', 'true'); }
    if (status) { status.hidden = false; if (bar) bar.value = 0; if (label) label.textContent = 'Uploading ' + file.name + ' … 0 %'; }
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.addEventListener('progress', function (ev) {
      if (!ev.lengthComputable) return;
      var pct = Math.floor((ev.loaded / ev.total) * 100);
      if (bar) bar.value = pct;
      if (label) label.textContent = 'Uploading ' + file.name + ' … ' + pct + ' %';
    });
    xhr.addEventListener('load', function () {
      if (xhr.status < 400) { location.href = xhr.responseURL || form.action; return; }
      done();
      var text = 'Upload failed (' + xhr.status + ').';
      try {
        var doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
        var flash = doc.querySelector('#flash .flash, .flash.bad');
        if (flash) { var close = flash.querySelector('button'); if (close) close.remove(); text = flash.textContent.trim(); }
      } catch (err) { /* keep the status line */ }
      if (msg) { msg.hidden = false; msg.textContent = text; msg.focus(); }
    });
    xhr.addEventListener('error', function () {
      done();
      if (msg) { msg.hidden = false; msg.textContent = 'Upload failed: the connection was lost.'; }
    });
    xhr.send(new FormData(form));
  }
})();
