/*
 * live.js: keeps Portico's pages live over server-sent events (no build step, no framework).
 * An element with data-live-url opens an EventSource (data-since: the cursor the page was rendered at).
 * Events:
 *   fragments {id: html}         replace the element with that id ('' removes it)
 *   log {key, html}              append a line to #log-<key>, keeping at most its data-lines lines
 *   progress {key, percent, status}  update [data-progress-for=key] and its label
 *   resync                       too much was missed: reload the live region
 *   end                          the stream is over: do not reconnect
 * Also: closes a controls menu once one of its actions is chosen, closes menus on outside clicks,
 * lets success messages fade out, and holds htmx polls of [data-poll-visible] while the page is hidden.
 */
(function () {
  'use strict';

  function parse(html) {
    var tpl = document.createElement('template');
    tpl.innerHTML = html.trim();
    return tpl.content.firstElementChild;
  }

  function activate(root) {
    if (root.matches && root.matches('[data-live-url]')) connect(root);
    if (root.querySelectorAll) root.querySelectorAll('[data-live-url]').forEach(connect);
    if (root.querySelectorAll) root.querySelectorAll('.log').forEach(function (l) { l.scrollTop = l.scrollHeight; });
  }

  function applyFragments(map) {
    Object.keys(map).forEach(function (id) {
      var target = document.getElementById(id);
      if (!target) return;
      if (!map[id]) { target.remove(); return; }
      var fresh = parse(map[id]);
      if (!fresh) return;
      // A menu the user has open stays open across a live refresh of its row.
      var wasOpen = target.querySelector('details.menu[open]') !== null;
      var hadFocus = target.contains(document.activeElement);
      target.replaceWith(fresh);
      if (wasOpen) {
        var menu = fresh.querySelector('details.menu');
        if (menu) menu.open = true;
      }
      if (window.htmx) window.htmx.process(fresh);
      activate(fresh);
      if (hadFocus) document.dispatchEvent(new CustomEvent('portico:swapped'));
    });
  }

  var LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR'];

  // A searched or level-filtered log takes only the live lines the server would have shown.
  function matchesFilter(box, line) {
    var min = box.getAttribute('data-min-level');
    if (min && LEVELS.indexOf(line.getAttribute('data-level')) < LEVELS.indexOf(min)) return false;
    var q = box.getAttribute('data-q');
    var text = line.querySelector('.ll-text');
    return !q || !text || text.textContent.toLowerCase().indexOf(q.toLowerCase()) >= 0;
  }

  function appendLog(d) {
    var box = document.getElementById('log-' + d.key);
    if (!box) return;
    var line = parse(d.html);
    if (!line) return;
    if (!matchesFilter(box, line)) return;
    var last = box.lastElementChild;
    if (last && Number(last.getAttribute('data-id')) >= Number(line.getAttribute('data-id'))) return;
    var stick = box.scrollTop + box.clientHeight >= box.scrollHeight - 24;
    box.appendChild(line);
    var max = Number(box.getAttribute('data-lines')) || 100;
    while (box.children.length > max) box.removeChild(box.firstElementChild);
    var empty = box.parentNode && box.parentNode.querySelector('.log-empty');
    if (empty) empty.remove();
    if (stick) box.scrollTop = box.scrollHeight;
  }

  function showProgress(d) {
    var key = window.CSS && CSS.escape ? CSS.escape(d.key) : d.key;
    document.querySelectorAll('[data-progress-for="' + key + '"]').forEach(function (p) {
      if (d.percent === null || d.percent === undefined) p.removeAttribute('value');
      else p.value = d.percent;
    });
    document.querySelectorAll('[data-progress-label-for="' + key + '"]').forEach(function (l) {
      l.textContent = d.status + (d.percent === null || d.percent === undefined ? '' : ' · ' + d.percent + ' %');
    });
  }

  function reload(el) {
    if (window.htmx && el.id) {
      window.htmx.ajax('GET', location.pathname + location.search, { target: '#' + el.id, select: '#' + el.id, swap: 'outerHTML' });
    } else {
      location.reload();
    }
  }

  function connect(el) {
    if (el._live) return;
    var url = el.getAttribute('data-live-url');
    var cursor = el.getAttribute('data-since') || '';
    var delay = 1000;
    var es = null;
    var stopped = false;
    var live = {
      close: function () {
        stopped = true;
        if (es) es.close();
        el.setAttribute('data-live', 'closed');
      },
    };
    el._live = live;

    function alive(ev) {
      if (!el.isConnected) { live.close(); return false; }
      if (ev.lastEventId) cursor = ev.lastEventId;
      return true;
    }

    function open() {
      if (stopped) return;
      if (!el.isConnected) { live.close(); return; }
      var sep = url.indexOf('?') < 0 ? '?' : '&';
      es = new EventSource(cursor ? url + sep + 'since=' + encodeURIComponent(cursor) : url);
      es.addEventListener('open', function () { delay = 1000; el.setAttribute('data-live', 'open'); });
      es.addEventListener('fragments', function (ev) { if (alive(ev)) applyFragments(JSON.parse(ev.data)); });
      es.addEventListener('log', function (ev) { if (alive(ev)) appendLog(JSON.parse(ev.data)); });
      es.addEventListener('progress', function (ev) { if (alive(ev)) showProgress(JSON.parse(ev.data)); });
      es.addEventListener('resync', function (ev) { if (alive(ev)) { live.close(); reload(el); } });
      es.addEventListener('end', function () { live.close(); });
      es.addEventListener('error', function () {
        if (stopped) return;
        el.setAttribute('data-live', 'reconnecting');
        // The browser retries a dropped stream by itself (sending Last-Event-ID); a refused one
        // (gateway restarting, an error status) is CLOSED: open it again, backing off.
        if (es.readyState === EventSource.CLOSED) {
          setTimeout(open, delay);
          delay = Math.min(delay * 2, 30000);
        }
      });
    }
    open();
  }

  function closeMenus(except) {
    document.querySelectorAll('details.menu[open], .usermenu details[open]').forEach(function (d) {
      if (!except || !d.contains(except)) d.open = false;
    });
  }

  function fadeToasts() {
    document.querySelectorAll('#flash .flash.ok, #flash .flash.info').forEach(function (t) {
      if (t._fading) return;
      t._fading = true;
      setTimeout(function () { t.remove(); }, 8000);
    });
  }

  function init() {
    activate(document.body);
    fadeToasts();
    var flash = document.getElementById('flash');
    if (flash && window.MutationObserver) new MutationObserver(fadeToasts).observe(flash, { childList: true, subtree: true });
    document.addEventListener('click', function (e) {
      var toast = e.target.closest && e.target.closest('#flash .flash');
      if (toast) toast.remove();
      closeMenus(e.target);
    });
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape') closeMenus(null); });
    document.addEventListener('submit', function (e) {
      var menu = e.target.closest && e.target.closest('details.menu');
      if (menu) menu.open = false;
    }, true);
    document.body.addEventListener('htmx:load', function (e) { activate(e.target); });
    document.body.addEventListener('htmx:beforeCleanupElement', function (e) {
      if (e.target._live) e.target._live.close();
    });
    // An action's row shows it is working until the answer (and the live state) arrive.
    document.body.addEventListener('htmx:beforeRequest', function (e) {
      var host = e.target.closest && e.target.closest('tr, .status-bar');
      if (host && e.target.closest('details.menu')) host.classList.add('pending');
    });
    // Polled parts (resource stats, a running bulk action) ask only while the page is visible,
    // and catch up at once when it is shown again.
    document.body.addEventListener('htmx:beforeRequest', function (e) {
      if (document.hidden && e.target.hasAttribute && e.target.hasAttribute('data-poll-visible')) e.preventDefault();
    });
    document.addEventListener('visibilitychange', function () {
      if (document.hidden || !window.htmx) return;
      document.querySelectorAll('[data-poll-visible]').forEach(function (el) { window.htmx.trigger(el, 'page-visible'); });
    });
    document.body.addEventListener('htmx:afterRequest', function (e) {
      var host = e.target.closest && e.target.closest('tr, .status-bar');
      if (host) host.classList.remove('pending');
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
