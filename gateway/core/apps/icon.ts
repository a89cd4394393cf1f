/**
 * icon.ts: Simphony-remote's `icon_128` label (a base64 image) checked before it is stored. Only
 * PNG, JPEG and SVG are kept, told apart by their bytes (never by what the label claims); an SVG
 * with scripts, event handlers, foreign objects or outside references is refused. Icons are
 * served with headers that keep them images (iconHeaders).
 */

/** ICON_TYPES are the media types an icon may have. */
export const ICON_TYPES = ['image/png', 'image/jpeg', 'image/svg+xml'] as const;
export type IconType = (typeof ICON_TYPES)[number];

/** Icon is a checked icon: its bytes and their media type. */
export interface Icon { bytes: Buffer; type: IconType }

/** MAX_ICON_BYTES bounds a decoded icon (a 128 px image is a few KB). */
export const MAX_ICON_BYTES = 256 * 1024;

const SVG_FORBIDDEN: Array<[RegExp, string]> = [
  [/<\s*script/i, 'an SVG icon must not contain scripts'],
  [/<\s*foreignObject/i, 'an SVG icon must not contain foreignObject'],
  [/\son[a-z]+\s*=/i, 'an SVG icon must not contain event handlers'],
  [/javascript:/i, 'an SVG icon must not contain javascript: URLs'],
  [/<!ENTITY/i, 'an SVG icon must not declare entities'],
  [/(?:href|src)\s*=\s*["']\s*(?!#)/i, 'an SVG icon must not reference other documents'],
  [/@import|url\(\s*["']?\s*(?!#)/i, 'an SVG icon must not load styles or images from elsewhere'],
];

/** decodeIcon checks a base64 icon (optionally a data: URL); it returns the icon or why it was refused. */
export function decodeIcon(raw: string): Icon | { problem: string } {
  let b64 = raw.trim();
  const data = /^data:([\w.+\/-]+);base64,/i.exec(b64);
  if (data) b64 = b64.slice(data[0].length);
  b64 = b64.replace(/\s+/g, '');
  if (!b64) return { problem: 'empty' };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 === 1) return { problem: 'not base64' };
  if (b64.length > Math.ceil(MAX_ICON_BYTES / 3) * 4) return { problem: `larger than ${MAX_ICON_BYTES / 1024} KB` };
  return checkIcon(Buffer.from(b64, 'base64'));
}

/** checkIcon tells an icon's type from its bytes and refuses anything else. */
export function checkIcon(bytes: Buffer): Icon | { problem: string } {
  if (bytes.length === 0) return { problem: 'empty' };
  if (bytes.length > MAX_ICON_BYTES) return { problem: `larger than ${MAX_ICON_BYTES / 1024} KB` };
  if (bytes.length > 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { bytes, type: 'image/png' };
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { bytes, type: 'image/jpeg' };
  const text = bytes.toString('utf8');
  if (/^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text)) {
    for (const [re, problem] of SVG_FORBIDDEN) if (re.test(text)) return { problem };
    if (/<!DOCTYPE/i.test(text)) return { problem: 'an SVG icon must not have a DOCTYPE' };
    return { bytes, type: 'image/svg+xml' };
  }
  return { problem: 'not a PNG, JPEG or SVG image' };
}

/**
 * iconHeaders keep a served icon an image: its own type, no sniffing, a sandboxing CSP (an SVG can
 * run nothing and load nothing even when opened on its own) and an attachment disposition for SVG.
 */
export function iconHeaders(type: string, length: number): Record<string, string> {
  const h: Record<string, string> = {
    'content-type': (ICON_TYPES as readonly string[]).includes(type) ? type : 'application/octet-stream',
    'content-length': String(length),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'private, max-age=300',
  };
  h['content-disposition'] = type === 'image/svg+xml' ? 'attachment; filename="icon.svg"' : 'inline';
  return h;
}
