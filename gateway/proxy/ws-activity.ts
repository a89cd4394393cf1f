/**
 * ws-activity.ts: counts the data frames a WebSocket client sends, for the idle rule. Browsers answer
 * the app's pings with pongs on their own, so bytes alone would let a forgotten tab keep an app alive;
 * only text, binary and continuation frames (RFC 6455 §5.2, opcodes 0-7) count. The bytes are only
 * looked at, never changed or held: the proxy still pipes them through as they come.
 */

/** ClientFrames follows the frame boundaries of one client-to-app byte stream. */
export class ClientFrames {
  /** dataFrames is how many non-control frames the client has begun so far. */
  dataFrames = 0;
  private skip = 0;
  private head: number[] = [];

  /** push reads one chunk of client bytes. */
  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, n - i);
        this.skip -= k;
        i += k;
        continue;
      }
      const h = this.head;
      h.push(chunk[i++]);
      if (h.length < 2) continue;
      const len7 = h[1] & 0x7f;
      const size = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (h[1] & 0x80 ? 4 : 0);
      if (h.length < size) continue;
      let len = len7;
      if (len7 === 126) len = (h[2] << 8) | h[3];
      else if (len7 === 127) { len = 0; for (let b = 2; b < 10; b++) len = len * 256 + h[b]; }
      if ((h[0] & 0x0f) < 8) this.dataFrames++;
      this.skip = len;
      this.head = [];
    }
  }
}
