/*
 * portico-ui.js: keyboard and focus behaviour of Portico's pages (no build step, no framework).
 * - Menus (details.menu and the user menu): a menu button with aria-expanded; arrow keys, Home and
 *   End move between items, Escape closes and returns focus to the button, Tab closes.
 * - Confirmations: a form with data-confirm asks in a <dialog> first and then sends confirm=yes;
 *   without JavaScript the server answers a confirm page instead (admin/ui/confirm.ts).
 * - Focus after swaps: when an htmx or live swap removes the focused element, focus goes to the
 *   same row's menu button (or the row); a swapped-in [data-autofocus] element takes the focus.
 */
(function () {
  'use strict';
  if (window.porticoUi) return;
  window.porticoUi = true;

  var MENUS = 'details.menu, .usermenu details';

  function items(menu) {
    return Array.prototype.slice.call(menu.querySelectorAll('[role="menuitem"]')).filter(function (el) { return !el.disabled; });
  }

  function sync(menu) {
    var s = menu.querySelector('summary');
    if (!s) return;
    s.setAttribute('aria-haspopup', 'menu');
    s.setAttribute('aria-expanded', menu.open ? 'true' : 'false');
  }

  function openAt(menu, which) {
    menu.open = true;
    sync(menu);
    var list = items(menu);
    if (!list.length) return;
    (which === 'last' ? list[list.length - 1] : list[0]).focus();
  }

  function closeMenu(menu, refocus) {
    menu.open = false;
    sync(menu);
    if (refocus) { var s = menu.querySelector('summary'); if (s) s.focus(); }
  }

  document.addEventListener('toggle', function (e) {
    if (e.target.matches && e.target.matches(MENUS)) sync(e.target);
  }, true);

  document.addEventListener('keydown', function (e) {
    var menu = e.target.closest && e.target.closest(MENUS);
    if (!menu) return;
    var summary = menu.querySelector('summary');
    if (e.target === summary) {
      if (e.key === 'ArrowDown' || ((e.key === 'Enter' || e.key === ' ') && !menu.open)) { e.preventDefault(); openAt(menu, 'first'); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); openAt(menu, 'last'); }
      else if (e.key === 'Escape' && menu.open) { e.preventDefault(); closeMenu(menu, true); }
      return;
    }
    var list = items(menu);
    var at = list.indexOf(e.target);
    if (at < 0) return;
    var next = null;
    if (e.key === 'ArrowDown') next = list[(at + 1) % list.length];
    else if (e.key === 'ArrowUp') next = list[(at - 1 + list.length) % list.length];
    else if (e.key === 'Home') next = list[0];
    else if (e.key === 'End') next = list[list.length - 1];
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); closeMenu(menu, true); return; }
    else if (e.key === 'Tab') { closeMenu(menu, false); return; }
    if (next) { e.preventDefault(); next.focus(); }
  });

  function init() {
    document.querySelectorAll(MENUS).forEach(sync);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
  document.addEventListener('htmx:load', function (e) {
    if (e.target.querySelectorAll) e.target.querySelectorAll(MENUS).forEach(sync);
  });

  // Confirmations ------------------------------------------------------------------------------
  var dialog = null;
  function ask(question, button, onYes, opener) {
    if (!dialog) {
      dialog = document.createElement('dialog');
      dialog.className = 'confirm-dialog';
      dialog.setAttribute('aria-labelledby', 'confirm-dialog-text');
      dialog.innerHTML = '<form method="dialog"><p id="confirm-dialog-text"></p><div class="confirm-actions">' +
        '<button class="btn danger" value="yes"></button><button class="btn" value="no">Cancel</button></div></form>';
      document.body.appendChild(dialog);
    }
    dialog.querySelector('#confirm-dialog-text').textContent = question;
    var yes = dialog.querySelector('button[value="yes"]');
    yes.textContent = button || 'Confirm';
    dialog.returnValue = '';
    dialog.onclose = function () {
      if (dialog.returnValue === 'yes') onYes();
      else if (opener && document.contains(opener)) opener.focus();
    };
    dialog.showModal();
    dialog.querySelector('button[value="no"]').focus();
  }

  // Capture on window runs before htmx's listener on the form: an unconfirmed submit stops here.
  window.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute('data-confirm') || !window.HTMLDialogElement) return;
    var field = form.querySelector('input[name="confirm"]');
    if (!field || field.value === 'yes') return;
    e.preventDefault();
    e.stopPropagation();
    var submitter = e.submitter || null;
    var opener = submitter;
    var menu = form.closest(MENUS);
    if (menu) { opener = menu.querySelector('summary'); closeMenu(menu, false); }
    ask(form.getAttribute('data-confirm'), form.getAttribute('data-confirm-button'), function () {
      field.value = 'yes';
      if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
      setTimeout(function () { field.value = ''; }, 0);
    }, opener);
  }, true);

  // Focus after swaps -----------------------------------------------------------------------------
  var lastHost = null;
  document.addEventListener('htmx:beforeRequest', function (e) {
    var host = e.target.closest && e.target.closest('[id]');
    var menu = e.target.closest && e.target.closest(MENUS);
    if (menu && host) lastHost = host.id;
  });
  function restore() {
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    var auto = document.querySelector('[data-autofocus]');
    if (auto) { auto.focus(); auto.removeAttribute('data-autofocus'); return; }
    if (!lastHost) return;
    var host = document.getElementById(lastHost);
    if (!host) return;
    var target = host.querySelector('details.menu > summary') || host;
    if (target === host && !host.hasAttribute('tabindex')) host.setAttribute('tabindex', '-1');
    target.focus();
  }
  // A swapped-in part that asks for the focus (a confirm card, a bulk preview) gets it; otherwise
  // the focus is only restored when the swap took it away.
  document.addEventListener('htmx:afterSettle', function (e) {
    var t = e.detail && e.detail.target;
    var auto = t && t.querySelector ? (t.matches('[data-autofocus]') ? t : t.querySelector('[data-autofocus]')) : null;
    if (auto) { auto.focus(); auto.removeAttribute('data-autofocus'); return; }
    setTimeout(restore, 0);
  });
  document.addEventListener('portico:swapped', restore);
})();
