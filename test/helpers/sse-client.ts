/**
 * sse-client.ts (test helper): reads a server-sent-event stream over a real socket and lets a
 * test wait for the event it expects.
 */

/** SseEvent is one parsed event. */
export interface SseEvent { event: string; data: string; id: string }

/** SseStream is an open stream: the events so far and a way to wait for the next matching one. */
export interface SseStream {
  status: number;
  events: SseEvent[];
  /** next resolves with the first event (from the start of the stream) that matches and was not taken yet. */
  next(match: (e: SseEvent) => boolean, ms?: number, what?: string): Promise<SseEvent>;
  /** ended resolves when the server closes the stream. */
  ended: Promise<void>;
  close(): void;
}

/** openStream GETs `url` and parses the event stream until closed. */
export async function openStream(url: string, headers: Record<string, string>): Promise<SseStream> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: SseEvent[] = [];
  const taken = new Set<SseEvent>();
  const waiter: { wake: (() => void) | null } = { wake: null };
  const ended = (async () => {
    if (!res.body || res.status !== 200) return;
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk as Uint8Array, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: SseEvent = { event: 'message', data: '', id: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) { e.data += line.slice(6); hasData = true; }
            else if (line.startsWith('id: ')) e.id = line.slice(4);
          }
          if (hasData) { events.push(e); waiter.wake?.(); }
        }
      }
    } catch { /* aborted */ }
    waiter.wake?.();
  })();
  return {
    status: res.status,
    events,
    ended,
    async next(match, ms = 10_000, what = 'event') {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = events.find((e) => !taken.has(e) && match(e));
        if (found) { taken.add(found); return found; }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${events.map((e) => e.event).join(', ')}`);
        await Promise.race([new Promise<void>((r) => { waiter.wake = r; }), new Promise((r) => setTimeout(r, 100))]);
      }
    },
    close() { ac.abort(); },
  };
}
