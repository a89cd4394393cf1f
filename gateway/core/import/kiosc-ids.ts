/**
 * kiosc-ids.ts: old Kiosc API clients name container templates by Kiosc's integer ids
 * (`"containertemplatesite": 3`). After an import those ids resolve through the id map to the
 * templates' UUIDs, so such a request means what it meant in Kiosc.
 */
import { ValidationError } from '../errors.ts';
import type { KioscStore } from '../store/kiosc.ts';

const FIELDS = [['containertemplatesite', 'template_site', 'site'], ['containertemplateproject', 'template_project', 'project']] as const;

/** resolveKioscTemplateIds returns `body` with integer template ids replaced by UUIDs; an unknown id is a 400 naming the field. */
export function resolveKioscTemplateIds(kiosc: KioscStore, body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const input = body as Record<string, unknown>;
  let out: Record<string, unknown> | null = null;
  for (const [field, kind, scope] of FIELDS) {
    const v = input[field];
    const id = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : null;
    if (id === null || !Number.isSafeInteger(id)) continue;
    const uuid = kiosc.uuidFor(kind, id);
    if (!uuid) throw new ValidationError({ [field]: `no ${scope} template has the Kiosc id ${id}` }, `unknown Kiosc ${scope} template id ${id}`);
    out ??= { ...input };
    out[field] = uuid;
  }
  return out ?? body;
}
