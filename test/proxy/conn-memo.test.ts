/**
 * conn-memo.test.ts: the proxy remembers, per client connection, who its last credentials were
 * (gateway/proxy/auth.ts ConnMemo), so a keep-alive connection's next request skips the cache.
 * These requests all go over one raw keep-alive socket, on the listener's fast path, to show the
 * memo never answers for more than the cache would: not for other credentials, not past a
 * withdrawal, and not past the cache's lifetime for a change made by another process.
 */
import net from 'node:net';
import t from 'tap';
import { startGateway } from '../helpers/gateway.ts';
import { createContainer, startContainer } from './helpers.ts';
import { AUTH_TTL_MS } from '../../gateway/proxy/auth.ts';

/** Conn is one keep-alive socket that sends a GET and reads one whole answer (Content-Length or chunked). */
class Conn {
  private readonly s: net.Socket;
  private buf = '';
  private wake: (() => void) | null = null;
  private closed = false;
  constructor(port: number) {
    this.s = net.connect(port, '127.0.0.1');
    this.s.setEncoding('latin1');
    this.s.on('data', (d: string) => { this.buf += d; this.wake?.(); });
    this.s.on('close', () => { this.closed = true; this.wake?.(); });
    this.s.on('error', () => {});
  }

  async get(path: string, headers: string): Promise<number> {
    this.s.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n`);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buf.slice(0, end);
        const status = Number(head.slice(9, 12));
        const len = /\r\ncontent-length: *(\d+)/i.exec(head);
        if (len) {
          const total = end + 4 + Number(len[1]);
          if (this.buf.length >= total) { this.buf = this.buf.slice(total); return status; }
        } else {
          const last = this.buf.indexOf('\r\n0\r\n\r\n', end);
          if (last >= 0) { this.buf = this.buf.slice(last + 7); return status; }
        }
      }
      if (this.closed) throw new Error('the gateway closed the connection');
      await new Promise<void>((r) => { this.wake = r; });
      this.wake = null;
    }
  }

  get isClosed(): boolean { return this.closed; }
  close(): void { this.s.destroy(); }
}

t.test('a connection\'s remembered caller never outlives what the cache would trust', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: owner } = await gw.user('owner', { project, role: 'owner' });
  const uuid = await createContainer(gw, owner, project);
  await startContainer(gw, owner, uuid);
  const path = `/containers/proxy/${uuid}/cgi-bin/echo`;
  const { user: bob, token: bobTok } = await gw.user('bob', { project, role: 'contributor' });
  const { user: carol, token: carolTok } = await gw.user('carol', { project, role: 'contributor' });
  const { token: stranger } = await gw.user('stranger');

  const c = new Conn(gw.port);
  t.teardown(() => c.close());
  t.equal(await c.get(path, `Authorization: token ${bobTok}\r\n`), 200, 'bob: through');
  t.equal(await c.get(path, `Authorization: token ${bobTok}\r\n`), 200, 'bob again on the same connection (from the memo)');
  // Other credentials on the same connection are judged as themselves, never as the remembered caller.
  t.equal(await c.get(path, `Authorization: token ${stranger}\r\n`), 404, 'a non-member on the same connection: 404');
  t.notOk(c.isClosed);

  // A withdrawal made in this process: refused on the very next request of the same connection.
  const c2 = new Conn(gw.port);
  t.teardown(() => c2.close());
  t.equal(await c2.get(path, `Authorization: token ${bobTok}\r\n`), 200, 'bob on a second connection: through');
  t.equal(await c2.get(path, `Authorization: token ${bobTok}\r\n`), 200, 'and remembered');
  gw.core.store.users.deleteToken(bob.id, gw.core.store.users.tokensOf(bob.id)[0].id);
  t.equal(await c2.get(path, `Authorization: token ${bobTok}\r\n`), 401, 'regression guard: after the token is deleted the remembered caller is not used');

  // A change made by another process (the CLI writing the same database: no revision moves here)
  // takes effect within the cache's lifetime, on the same connection too.
  const c3 = new Conn(gw.port);
  t.teardown(() => c3.close());
  t.equal(await c3.get(path, `Authorization: token ${carolTok}\r\n`), 200, 'carol: through');
  gw.core.store.db.prepare('UPDATE users SET active = 0 WHERE id = ?').run(carol.id);
  const t0 = Date.now();
  let status = 200;
  let kept = 0;
  while (status === 200 && Date.now() - t0 < AUTH_TTL_MS + 4_000) {
    status = await c3.get(path, `Authorization: token ${carolTok}\r\n`);
    if (status === 200) kept++;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(status, 401, 'deactivated behind the gateway\'s back: refused once the cache lifetime has passed');
  t.ok(Date.now() - t0 <= AUTH_TTL_MS + 2_000, `within the cache lifetime (${Date.now() - t0} ms, ${kept} requests still let through)`);
});
