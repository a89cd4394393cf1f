/**
 * log.ts: the process logger (text or JSON lines). Known network errors are logged as one line
 * without a stack; only unexpected errors carry a stack.
 */
import { isNetworkError } from './errors.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Logger is the narrow logging interface every module receives. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** createLogger writes to the given stream (stderr by default) at or above `level`. */
export function createLogger(opts: { format: 'text' | 'json'; level: Level; write?: (line: string) => void }): Logger {
  const min = ORDER[opts.level];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const f = fields ? normalise(fields) : undefined;
    if (opts.format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...f }));
    } else {
      const extra = f ? ' ' + Object.entries(f).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') : '';
      write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${extra}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

function normalise(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v instanceof Error) {
      const code = (v as { code?: string }).code;
      out[k] = isNetworkError(v) || (v as { expose?: boolean }).expose ? `${code ?? v.name}: ${v.message}` : (v.stack ?? v.message);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** silentLogger discards everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
