/**
 * drf-date.ts: dates as Django REST framework writes them for Kiosc: ISO 8601 in the configured
 * time zone (Kiosc's TIME_ZONE) with microseconds and the zone's offset, e.g.
 * 2026-12-01T23:01:02.123000+01:00. As Python's isoformat, a whole second has no fraction, and DRF
 * writes a zero offset as Z.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** drfDate renders a stored ISO timestamp (or null) as DRF's DateTimeField does in `timeZone`. */
export function drfDate(iso: string | null, timeZone: string): string | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wallMs = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const whole = Math.floor(ms / 1000) * 1000;
  const offsetMin = Math.round((wallMs - whole) / 60_000);
  const micro = (ms - whole) * 1000;
  const year = parts.year < 0 ? `-${pad(-parts.year, 4)}` : pad(parts.year, 4);
  const local = `${year}-${pad(parts.month)}-${pad(parts.day)}T${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}${micro ? '.' + pad(micro, 6) : ''}`;
  if (offsetMin === 0) return `${local}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
