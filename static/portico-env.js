// portico-env.js: the key/value editor of the container and template forms' environment (a static
// file: the pages allow scripts only from 'self'). It turns the JSON textarea into rows of name and
// value, with a secret toggle per row that keeps "Environment secret keys" in step, and writes both
// fields back before every change is submitted, so the server still receives the JSON. "Edit as
// JSON" shows the textarea again. Without JavaScript the form keeps the plain JSON field.
(function () {
  'use strict';
  if (window.porticoEnv) return;
  window.porticoEnv = true;
  var KEY_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  function setup(area) {
    var form = area.form;
    var secretsInput = form.querySelector('[name="environment_secret_keys"]');
    var field = area.closest('.field') || area.parentNode;
    var secretsField = secretsInput && (secretsInput.closest('.field') || secretsInput.parentNode);
    var editor = el('div', { class: 'env-editor', 'data-env-editor': '' });
    var table = el('table', { class: 'env-rows' });
    table.appendChild(el('caption', { class: 'sr-only' }, 'Environment variables'));
    var head = el('tr');
    ['#', 'Name', 'Value', 'Secret', ''].forEach(function (h) { head.appendChild(el('th', { scope: 'col' }, h)); });
    var thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el('tbody');
    table.appendChild(body);
    var errors = el('ul', { class: 'env-errors error', role: 'alert', hidden: '' });
    var add = el('button', { type: 'button', class: 'btn small', 'data-env-add': '' }, 'Add variable');
    var toJson = el('button', { type: 'button', class: 'btn small', 'data-env-json': '' }, 'Edit as JSON');
    var bar = el('div', { class: 'env-bar' });
    bar.appendChild(add);
    bar.appendChild(toJson);
    editor.appendChild(table);
    editor.appendChild(errors);
    editor.appendChild(bar);
    var toRows = el('button', { type: 'button', class: 'btn small', 'data-env-rows': '', hidden: '' }, 'Edit as rows');
    area.insertAdjacentElement('afterend', toRows);
    area.insertAdjacentElement('beforebegin', editor);

    function secrets() {
      return secretsInput ? secretsInput.value.split(',').map(function (s) { return s.trim(); }).filter(Boolean) : [];
    }

    function addRow(key, value, isJson, secret) {
      var n = body.children.length + 1;
      var tr = el('tr', { 'data-env-row': '' });
      var num = el('td', { class: 'env-num' }, String(n));
      var k = el('input', { type: 'text', class: 'mono', 'aria-label': 'Name of variable ' + n, spellcheck: 'false', autocomplete: 'off' });
      k.value = key;
      var v = el('input', { type: 'text', class: 'mono', 'aria-label': 'Value of variable ' + n, spellcheck: 'false', autocomplete: 'off' });
      v.value = value;
      if (isJson) { v.setAttribute('data-json', ''); v.title = 'A JSON value (number, list, object, true/false)'; }
      var s = el('input', { type: 'checkbox', 'aria-label': 'Variable ' + n + ' is secret' });
      s.checked = !!secret;
      if (!secretsInput) s.disabled = true;
      var rm = el('button', { type: 'button', class: 'btn small', 'aria-label': 'Remove variable ' + n }, 'Remove');
      rm.addEventListener('click', function () { tr.remove(); renumber(); sync(); });
      [num, k, v, s, rm].forEach(function (c, i) {
        var td = i === 0 ? c : el('td');
        if (i > 0) td.appendChild(c);
        tr.appendChild(td);
      });
      body.appendChild(tr);
      return k;
    }

    function renumber() {
      Array.prototype.forEach.call(body.children, function (tr, i) {
        var n = i + 1;
        tr.querySelector('.env-num').textContent = String(n);
        var inputs = tr.querySelectorAll('input, button');
        inputs[0].setAttribute('aria-label', 'Name of variable ' + n);
        inputs[1].setAttribute('aria-label', 'Value of variable ' + n);
        inputs[2].setAttribute('aria-label', 'Variable ' + n + ' is secret');
        inputs[3].setAttribute('aria-label', 'Remove variable ' + n);
      });
    }

    function load() {
      var text = area.value.trim();
      var env = {};
      if (text) {
        try { env = JSON.parse(text); } catch (e) { return 'The JSON does not parse: ' + e.message; }
        if (!env || typeof env !== 'object' || Array.isArray(env)) return 'The environment must be a JSON object.';
      }
      while (body.firstChild) body.removeChild(body.firstChild);
      var secret = secrets();
      Object.keys(env).forEach(function (k) {
        var val = env[k];
        addRow(k, typeof val === 'string' ? val : JSON.stringify(val), typeof val !== 'string', secret.indexOf(k) >= 0);
      });
      if (!body.children.length) addRow('', '', false, false);
      return null;
    }

    // sync writes the rows into the two fields; it returns the problems, each naming its row.
    function sync() {
      var env = {};
      var secret = [];
      var problems = [];
      var seen = {};
      Array.prototype.forEach.call(body.children, function (tr, i) {
        var inputs = tr.querySelectorAll('input');
        var k = inputs[0].value.trim();
        var raw = inputs[1].value;
        var row = 'Row ' + (i + 1);
        tr.classList.remove('invalid');
        if (!k && !raw) return;
        var bad = null;
        if (!k) bad = row + ': the name is empty.';
        else if (k === '__proto__') bad = row + ': "__proto__" is reserved; choose another name.';
        else if (!KEY_RE.test(k)) bad = row + ': "' + k + '" is not a valid variable name (letters, digits, "_", "." and "-", not starting with a digit).';
        else if (seen[k]) bad = row + ': "' + k + '" is already set in row ' + seen[k] + '.';
        var val = raw;
        if (!bad && inputs[1].hasAttribute('data-json')) {
          try { val = JSON.parse(raw); } catch (e) { bad = row + ': the value is not valid JSON.'; }
        }
        if (bad) { problems.push(bad); tr.classList.add('invalid'); return; }
        seen[k] = i + 1;
        env[k] = val;
        if (inputs[2].checked) secret.push(k);
      });
      errors.textContent = '';
      problems.forEach(function (p) { errors.appendChild(el('li', {}, p)); });
      errors.hidden = !problems.length;
      if (!problems.length) {
        area.value = Object.keys(env).length ? JSON.stringify(env, null, 2) : '';
        if (secretsInput) secretsInput.value = secret.join(', ');
      }
      return problems;
    }

    function showRows(on) {
      editor.hidden = !on;
      area.hidden = on;
      toRows.hidden = on;
      if (secretsField) secretsField.hidden = on;
      field.classList.toggle('env-rows-on', on);
    }

    editor.addEventListener('input', function () { sync(); });
    editor.addEventListener('change', function () { sync(); });
    add.addEventListener('click', function () { addRow('', '', false, false).focus(); });
    toJson.addEventListener('click', function () {
      if (sync().length) return;
      showRows(false);
      area.focus();
    });
    toRows.addEventListener('click', function () {
      var problem = load();
      if (problem) { window.alert(problem); return; }
      showRows(true);
    });
    // Captured on the document, so a bad row stops htmx's submit too (its listener is on the form).
    document.addEventListener('submit', function (e) {
      if (e.target !== form || editor.hidden || !document.contains(editor)) return;
      var problems = sync();
      if (problems.length) { e.preventDefault(); e.stopPropagation(); body.querySelector('tr.invalid input').focus(); }
    }, true);
    // A form swapped in by the template picker brings a new textarea: this editor then goes with the old one.
    var problem = load();
    showRows(!problem);
  }

  function scan(root) {
    (root.querySelectorAll ? root : document).querySelectorAll('form textarea[name="environment"]').forEach(function (area) {
      if (area.hasAttribute('data-env-ready')) return;
      area.setAttribute('data-env-ready', '');
      setup(area);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { scan(document); });
  else scan(document);
  document.addEventListener('htmx:afterSettle', function (e) { scan(e.target); });
})();
