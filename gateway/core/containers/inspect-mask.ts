/**
 * inspect-mask.ts: masks secrets in an engine's raw container description before an admin sees it.
 * Secret variables are masked by name in the environment, and their values wherever else they appear
 * (a command line that interpolated one, a label).
 */
import type { Container } from '../types.ts';
import { MASK } from './validate.ts';

/** MIN_SECRET_LENGTH keeps very short values (e.g. "1") from masking unrelated text. */
const MIN_SECRET_LENGTH = 4;

function secretValues(c: Pick<Container, 'environment' | 'environmentSecretKeys'>): string[] {
  const out: string[] = [];
  for (const k of c.environmentSecretKeys) {
    const v = c.environment[k];
    if (v === undefined || v === null) continue;
    const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (s.length >= MIN_SECRET_LENGTH) out.push(s);
  }
  // Longest first, so a secret that contains another is masked whole.
  return out.sort((a, b) => b.length - a.length);
}

/** maskSecrets replaces every secret value of `c` in `text` (a line the app printed, say) with `<masked>`. */
export function maskSecrets(text: string, c: Pick<Container, 'environment' | 'environmentSecretKeys'>): string {
  return secretValues(c).reduce((t, v) => t.split(v).join(MASK), text);
}

/** maskInspect returns a copy of `raw` with `c`'s secret variables and values replaced by `<masked>`. */
export function maskInspect(raw: unknown, c: Pick<Container, 'environment' | 'environmentSecretKeys'>): unknown {
  const keys = new Set(c.environmentSecretKeys);
  const values = secretValues(c);
  const maskText = (s: string): string => values.reduce((t, v) => t.split(v).join(MASK), s);
  const walk = (v: unknown, parentKey: string): unknown => {
    if (typeof v === 'string') {
      if (parentKey === 'Env') {
        const eq = v.indexOf('=');
        if (eq > 0 && keys.has(v.slice(0, eq))) return `${v.slice(0, eq)}=${MASK}`;
      }
      return maskText(v);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, parentKey));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[maskText(k)] = walk(x, k);
      return out;
    }
    return v;
  };
  return walk(raw, '');
}
