/**
 * kiosc-input.ts: turns a container API body into the input the container service validates, as
 * Django REST framework reads Kiosc's serializer: a form's empty number field means "not given",
 * an empty reference means null, and templates may be named by Kiosc's integer ids (resolved
 * through the id map the Kiosc import fills) as well as by UUID.
 */
import { ValidationError } from '../../gateway/core/errors.ts';
import type { KioscIdKind, KioscIdMap } from '../../gateway/core/store/kiosc-id-map.ts';
import type { BodyKind } from '../../gateway/http/body.ts';

const NUMBERS = ['container_port', 'timeout', 'max_retries', 'inactivity_threshold'];
const NULLABLE = ['host_port', 'containertemplatesite', 'containertemplateproject'];
const TEMPLATE_FIELDS: ReadonlyArray<[string, KioscIdKind, string]> = [
  ['containertemplatesite', 'template_site', 'site-wide'],
  ['containertemplateproject', 'template_project', 'project-wide'],
];

/** containerInput returns the service input for a body of `kind` (a copy; the body is not changed). */
export function containerInput(kind: BodyKind, body: unknown, ids: KioscIdMap): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const input: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  if (kind === 'form') {
    for (const k of NUMBERS) if (input[k] === '') delete input[k];
    for (const k of NULLABLE) if (input[k] === '') input[k] = null;
  }
  const errors: Record<string, string> = {};
  for (const [field, kindOfId, scope] of TEMPLATE_FIELDS) {
    const v = input[field];
    const id = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : null;
    if (id === null) continue;
    const uuid = Number.isSafeInteger(id) ? ids.uuidFor(kindOfId, id) : null;
    if (uuid === null) errors[field] = `no ${scope} template has the Kiosc id ${id} (send a template UUID, or a Kiosc id the import brought over)`;
    else input[field] = uuid;
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return input;
}
