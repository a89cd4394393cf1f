/**
 * container-log.ts: writes a container's merged log (store + live bus) in Kiosc's format:
 * [YYYY-MM-DD HH:MM:SS LEVEL user] (Process) text
 */
import type { Store } from '../store/index.ts';
import type { Bus } from '../events.ts';
import type { Container, LogEntry, LogLevel, LogProcess } from '../types.ts';
import type { LogLine } from '../engine/engine.ts';

/** ContainerLog appends lines to one container's log. */
export interface ContainerLog {
  add(c: Pick<Container, 'id' | 'uuid'>, level: LogLevel, user: string, process: LogProcess, text: string, date?: string): void;
  /** addMany appends a burst of lines in one transaction, trimming to the newest `keep` lines when given. */
  addMany(c: Pick<Container, 'id' | 'uuid'>, lines: LogRow[], keep?: number): void;
}

/** LogRow is one line to append. */
export interface LogRow { date: string; level: LogLevel; user: string; process: LogProcess; text: string }

const MAX_TEXT = 8192;
const clip = (text: string) => (text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) + '…' : text);

/** createContainerLog writes through the store and publishes each line on the bus. */
export function createContainerLog(store: Store, bus: Bus): ContainerLog {
  return {
    add(c, level, user, process, text, date) {
      const when = date ?? new Date().toISOString();
      const line = clip(text);
      const id = store.logs.add(c.id, level, user, process, line, when);
      if (bus.listenerCount('log') > 0) bus.emit('log', { id, containerId: c.id, uuid: c.uuid, date: when, level, user, process, text: line });
    },
    addMany(c, lines, keep) {
      const rows = lines.map((l) => ({ ...l, text: clip(l.text) }));
      const ids = store.logs.addMany(c.id, rows, keep);
      if (bus.listenerCount('log') > 0) {
        rows.forEach((r, i) => bus.emit('log', { id: ids[i], containerId: c.id, uuid: c.uuid, ...r }));
      }
    },
  };
}

/**
 * appLogRow is one line an app printed, as its container log keeps it: from the app itself (process
 * Docker, no user: nobody typed it), stdout at INFO and stderr at WARNING, so the level filter can
 * tell the two streams apart.
 */
export function appLogRow(l: LogLine, date: string): LogRow {
  return { date, level: l.stream === 'stderr' ? 'WARNING' : 'INFO', user: '', process: 'Docker', text: l.text.replace(/\r$/, '') };
}

/** formatLogLine renders an entry the way Kiosc shows it (an app's own lines have no user). */
export function formatLogLine(e: Pick<LogEntry, 'date' | 'level' | 'user' | 'process' | 'text'>): string {
  const d = e.date.replace('T', ' ').slice(0, 19);
  return `[${d} ${e.level}${e.user ? ` ${e.user}` : ''}] (${e.process}) ${e.text}`;
}
