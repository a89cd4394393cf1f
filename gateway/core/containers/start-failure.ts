/**
 * start-failure.ts: what a member learns when an app fails to start or to answer: the last lines
 * the app printed in this run (secrets masked, capped in lines and bytes) and hints at the usual
 * causes (the port, listening on 0.0.0.0, the base URL). The surfaces show it only to callers who
 * may read the container's log, and escape it.
 */
import type { Store } from '../store/index.ts';
import type { Container } from '../types.ts';
import { maskSecrets } from './inspect-mask.ts';
import { publicPrefix } from './spec.ts';

/** FailureDetail is the app's last lines and the hints that go with a failed start. */
export interface FailureDetail {
  log: string[];
  hints: string[];
}

/** FAILURE_LOG_LINES and FAILURE_LOG_BYTES cap the lines shown; FAILURE_LINE_CHARS caps each one. */
export const FAILURE_LOG_LINES = 20;
export const FAILURE_LOG_BYTES = 4096;
export const FAILURE_LINE_CHARS = 300;

/** answerHint is the one-line advice for an app that runs but does not answer. */
export function answerHint(c: Pick<Container, 'containerPort'>): string {
  return `Check that the app listens on port ${c.containerPort} on 0.0.0.0 (all addresses), not on 127.0.0.1 or localhost, where the gateway cannot reach it.`;
}

function hints(c: Container, kind: 'exited' | 'not-answering'): string[] {
  const out = kind === 'exited'
    ? ['The app stopped while starting: its last lines say why. Check the image, the command and the environment.']
    : [];
  out.push(
    `The app must listen on port ${c.containerPort} (the container's port setting).`,
    'It must listen on 0.0.0.0 (all addresses), not on 127.0.0.1 or localhost, or the gateway cannot reach it.',
    `An app that builds its links from a base URL needs its public path, ${publicPrefix(c)}: pass __KIOSC_URL_PREFIX__ as that setting.`,
  );
  return out;
}

/**
 * startFailureDetail collects what `c` printed since `since` (ms since epoch, the start of this run)
 * from its log, newest lines kept, and the hints for `kind` of failure.
 */
export function startFailureDetail(store: Pick<Store, 'logs'>, c: Container, since: number, kind: 'exited' | 'not-answering'): FailureDetail {
  const from = new Date(since).toISOString();
  const lines = store.logs.tail(c.id, 500)
    .filter((e) => e.process === 'Docker' && e.date >= from)
    .slice(-FAILURE_LOG_LINES)
    .map((e) => {
      const text = maskSecrets(e.text, c);
      return text.length > FAILURE_LINE_CHARS ? `${text.slice(0, FAILURE_LINE_CHARS)}…` : text;
    });
  let bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  while (bytes > FAILURE_LOG_BYTES && lines.length) bytes -= Buffer.byteLength(lines.shift()!) + 1;
  return { log: lines, hints: hints(c, kind) };
}
