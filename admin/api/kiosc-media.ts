/**
 * kiosc-media.ts: Kiosc's vendor media type and Accept-header versioning for the container API.
 * `Accept: application/vnd.bihealth.kiosc-server.containers+json; version=1.0` (or without a
 * version, which means 1.0) gets Kiosc's serializer field for field, under that media type; an
 * unknown version is 406, as Django REST framework answers. Any other Accept gets Portico's richer
 * JSON as application/json.
 */
import { PorticoError } from '../../gateway/core/errors.ts';

/** KIOSC_MEDIA_TYPE is the media type of Kiosc's container API. */
export const KIOSC_MEDIA_TYPE = 'application/vnd.bihealth.kiosc-server.containers+json';
/** KIOSC_VERSIONS are the versions of it Portico serves (Kiosc's allowed versions). */
export const KIOSC_VERSIONS: readonly string[] = ['1.0'];
/** KIOSC_DEFAULT_VERSION is the version meant when the Accept header names none. */
export const KIOSC_DEFAULT_VERSION = '1.0';

/** Flavour is the answer shape a request negotiated. */
export interface Flavour {
  kiosc: boolean;
  version: string | null;
  contentType: string;
}

const PORTICO: Flavour = { kiosc: false, version: null, contentType: 'application/json; charset=utf-8' };

function unquote(v: string): string {
  const t = v.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
function qvalue(raw: string): number {
  const v = raw.trim();
  if (!/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(v)) {
    throw new PorticoError('E_NOT_ACCEPTABLE', 406, `Invalid "q" in "Accept" header: ${JSON.stringify(v.slice(0, 40))} is not a quality value from 0 to 1.`, { versions: KIOSC_VERSIONS });
  }
  return Number(v);
}

/** negotiate reads the Accept header; it throws E_NOT_ACCEPTABLE (406) for an unknown version of Kiosc's type. */
export function negotiate(accept: string | string[] | undefined): Flavour {
  const header = Array.isArray(accept) ? accept.join(',') : accept ?? '';
  if (!header.toLowerCase().includes(KIOSC_MEDIA_TYPE)) return PORTICO;
  for (const range of header.split(',')) {
    const [type, ...params] = range.split(';');
    if (type.trim().toLowerCase() !== KIOSC_MEDIA_TYPE) continue;
    let version = KIOSC_DEFAULT_VERSION;
    let q = 1;
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const name = p.slice(0, eq).trim().toLowerCase();
      if (name === 'version') version = unquote(p.slice(eq + 1));
      else if (name === 'q') q = qvalue(p.slice(eq + 1));
    }
    if (!(q > 0)) continue;
    if (!KIOSC_VERSIONS.includes(version)) {
      throw new PorticoError('E_NOT_ACCEPTABLE', 406, 'Invalid version in "Accept" header.', { versions: KIOSC_VERSIONS });
    }
    return { kiosc: true, version, contentType: `${KIOSC_MEDIA_TYPE}; version=${version}` };
  }
  return PORTICO;
}
