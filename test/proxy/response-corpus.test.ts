/**
 * response-corpus.test.ts: the differential test of Portico's upstream client (raw-upstream.ts)
 * against two reference implementations, Node's own client (llhttp) and undici, on the corpus of
 * app answers in test/corpus/response-cases.ts. Each case's bytes come from a raw `net` server;
 * all three clients read them. Portico must refuse what both refuse (an EPROTO or reset error:
 * a 502 with its reason, the socket discarded) and deliver what both deliver, status and body —
 * save the cases marked `lenient` (bare LF line ends), which it accepts on purpose. The table's
 * own `expect` is checked against the references too, so it stays a measurement.
 */
import t from 'tap';
import { RESPONSE_CASES } from '../corpus/response-cases.ts';
import type { Outcome } from './reference-clients.ts';
import { rawApp, viaNode, viaUndici } from './reference-clients.ts';
import { RawPool } from '../../gateway/proxy/raw-upstream.ts';

/** viaPortico reads the answer with the proxy's upstream client. */
function viaPortico(pool: RawPool, method = 'GET'): Promise<Outcome & { code?: string }> {
  return new Promise((resolve) => {
    let status = 0;
    const parts: Buffer[] = [];
    const timer = setTimeout(() => { h.abort(); resolve({ ok: false, error: 'timeout' }); }, 2_000);
    const h = pool.request({ method, path: '/', headers: ['host', 'app'], body: null, client: 'corpus' }, {
      interim() {},
      head(s) { status = s; },
      data(chunk) { parts.push(Buffer.from(chunk)); return 0; },
      end() { clearTimeout(timer); resolve({ ok: true, status, body: Buffer.concat(parts).toString('latin1') }); },
      error(err) { clearTimeout(timer); resolve({ ok: false, error: err.message, code: (err as { code?: string }).code }); },
    });
  });
}

const show = (o: Outcome) => o.ok ? `accepted ${o.status} ${JSON.stringify(o.body)}` : `refused (${o.error})`;

for (const c of RESPONSE_CASES) {
  t.test(c.name, async (t) => {
    const app = await rawApp(c.raw, c.keepOpen);
    t.teardown(app.close);
    const [node, undici] = await Promise.all([viaNode(app.port, c.method), viaUndici(app.port, c.method)]);
    const pool = new RawPool('127.0.0.1', app.port);
    t.teardown(() => pool.close());
    const portico = await viaPortico(pool, c.method);
    const measured = node.ok === undici.ok ? (node.ok ? 'accept' : 'reject') : 'either';
    t.equal(measured, c.lenient !== undefined ? 'reject' : c.expect, `the table says what the references do (node: ${show(node)}; undici: ${show(undici)})`);
    if (measured === 'accept') {
      t.ok(portico.ok, `both accept, so does Portico: ${show(portico)}`);
      t.equal(portico.status, node.status, 'the same status');
      t.equal(portico.body, node.body, 'the same body');
    } else if (measured === 'reject' && c.lenient === undefined) {
      t.notOk(portico.ok, `both refuse, so does Portico: ${show(portico)}`);
      if (!portico.ok) t.ok(portico.code === 'EPROTO' || portico.code === 'ECONNRESET', `a protocol error or a reset (${portico.code}: ${portico.error})`);
      // The socket is discarded: the next request opens a new connection.
      const before = app.connections();
      await viaPortico(pool, c.method);
      t.equal(app.connections(), before + 1, 'the socket of a refused answer is not reused');
    }
    if (c.status !== undefined && (measured === 'accept' || c.lenient !== undefined)) {
      t.ok(portico.ok, `accepted: ${show(portico)}${c.lenient ? ` — ${c.lenient}` : ''}`);
      t.equal(portico.status, c.status);
      t.equal(portico.body, c.body);
    }
  });
}
