/**
 * branding.ts: the site's title, logo and favicon (docs/invitations.md), kept in the settings table.
 * Images are checked by their first bytes (PNG, JPEG, GIF, WebP, ICO; never SVG, which can carry
 * script) and served back with their checked type only.
 */
import { ValidationError } from './errors.ts';
import type { SettingsStore } from './store/settings.ts';

/** MAX_IMAGE_BYTES bounds an uploaded logo or favicon. */
export const MAX_IMAGE_BYTES = 256 * 1024;
/** DEFAULT_TITLE is the site title when none is set. */
export const DEFAULT_TITLE = 'Portico';

/** BrandImage is a stored image: its checked media type and bytes. */
export interface BrandImage { type: string; data: Buffer }

/** Branding is what every page's layout needs: the title and the versions of the images (null: none). */
export interface Branding { title: string; logo: string | null; favicon: string | null }

/** imageType returns the media type the bytes' signature names, or null for anything else. */
export function imageType(b: Buffer): string | null {
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && (b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a')) return 'image/gif';
  if (b.length >= 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0) return 'image/x-icon';
  return null;
}

/** SiteBranding reads and changes the branding. */
export type SiteBranding = ReturnType<typeof createBranding>;

/** createBranding keeps the branding in `settings` (keys branding.*). */
export function createBranding(settings: SettingsStore) {
  function version(kind: 'logo' | 'favicon'): string | null { return settings.get(`branding.${kind}.version`); }
  return {
    /** current is the layout's branding (two small reads; the images themselves are not read). */
    current(): Branding {
      return { title: settings.get('branding.title') || DEFAULT_TITLE, logo: version('logo'), favicon: version('favicon') };
    },
    setTitle(title: string): void {
      const t = title.trim();
      if (t.length > 80) throw new ValidationError({ title: 'At most 80 characters.' });
      if (/[\u0000-\u001f\u007f]/.test(t)) throw new ValidationError({ title: 'No control characters.' });
      settings.set('branding.title', t);
    },
    /** setImage stores a logo or favicon after checking its size and signature; an empty buffer removes it. */
    setImage(kind: 'logo' | 'favicon', data: Buffer): void {
      if (data.length === 0) { settings.set(`branding.${kind}`, ''); settings.set(`branding.${kind}.version`, ''); return; }
      if (data.length > MAX_IMAGE_BYTES) throw new ValidationError({ [kind]: `At most ${MAX_IMAGE_BYTES / 1024} KB.` });
      const type = imageType(data);
      if (!type) throw new ValidationError({ [kind]: 'A PNG, JPEG, GIF, WebP or ICO image (SVG is not accepted: it can carry script).' });
      settings.set(`branding.${kind}`, JSON.stringify({ type, data: data.toString('base64') }));
      settings.set(`branding.${kind}.version`, Date.now().toString(36));
    },
    image(kind: 'logo' | 'favicon'): BrandImage | null {
      const raw = settings.get(`branding.${kind}`);
      if (!raw) return null;
      const { type, data } = JSON.parse(raw) as { type: string; data: string };
      return { type, data: Buffer.from(data, 'base64') };
    },
  };
}
