/**
 * live-fragments.ts: the parts of a page that show a container's state, rendered for one viewer.
 * The same HTML answers an action (as htmx out-of-band swaps) and a state change on the live stream,
 * so a row looks the same whichever way it was refreshed.
 */
import type { Container, Role } from '../../gateway/core/types.ts';
import type { UiDeps } from './pages.ts';
import { detailView, rowView } from './container-view.ts';
import { groupsOf } from './container-group.ts';

/** FragmentView names where a container is shown: a project list row, a site-admin row, or its detail page. */
export type FragmentView = 'row' | 'arow' | 'detail';

/** FRAGMENT_VIEWS lists the valid views (form input is checked against it). */
export const FRAGMENT_VIEWS: readonly FragmentView[] = ['row', 'arow', 'detail'];

/** LiveViewer is who the fragments are rendered for. */
export interface LiveViewer { isAdmin: boolean; csrf: string; role: Role | null }

/**
 * renderFragments maps element ids to fresh HTML for `c` (null: deleted, the element goes away or
 * says so). With `oob`, the root elements carry hx-swap-oob so htmx swaps them by id.
 */
export function renderFragments(d: UiDeps, uuid: string, record: Container | null, view: FragmentView, viewer: LiveViewer, oob: boolean): Record<string, string> {
  // 'deleted' is announced just before the record goes: show it gone already.
  const c = record && record.state !== 'deleted' ? record : null;
  if (view === 'row' || view === 'arow') {
    const id = `${view}-${uuid}`;
    if (!c) return { [id]: oob ? `<template><tr id="${id}" hx-swap-oob="delete"></tr></template>` : '' };
    const r = rowView(c, viewer, d.svc.containers.queue.busy(c.id), view === 'arow' ? groupsOf(d.svc.store)(c) : null);
    const html = d.ui.render('partials/container-row', { r, view, oob });
    // Rows parse only inside a table or a template; htmx looks into templates for out-of-band swaps.
    return { [id]: oob ? `<template>${html}</template>` : html };
  }
  if (!c) {
    return { [`status-${uuid}`]: d.ui.render('partials/container-gone', { uuid, oob }) };
  }
  const v = { ...detailView(c, viewer, d.svc.containers.queue.busy(c.id)), oob };
  return {
    [`status-${uuid}`]: d.ui.render('partials/container-status', v),
    [`runtime-${uuid}`]: d.ui.render('partials/container-runtime', v),
  };
}
