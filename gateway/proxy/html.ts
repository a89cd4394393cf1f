/**
 * html.ts: escaping for the proxy's own pages (they are built as strings, without eta).
 */

/** escapeHtml escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
