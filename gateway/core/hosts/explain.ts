/**
 * explain.ts: turns a failed connection to a container host into a reason an admin can act on —
 * nothing listening, a name not known, the engine's certificate not from the given CA, the client
 * certificate refused, a plain-HTTP engine — keeping the engine's or TLS library's own words.
 */

const CAUSES: Array<[RegExp, 'url' | 'tls', string]> = [
  [/ECONNREFUSED|connection refused/i, 'url', 'nothing listens there (connection refused)'],
  [/ENOENT/i, 'url', 'no such socket'],
  [/EACCES/i, 'url', 'the gateway may not open that socket (permission denied)'],
  [/ENOTFOUND|EAI_AGAIN|getaddrinfo/i, 'url', 'the host name is not known'],
  [/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|did not answer|no answer within/i, 'url', 'the host did not answer in time'],
  [/self[- ]signed|unable to verify|unable to get (local )?issuer|certificate signature failure/i, 'tls', "the engine's certificate is not signed by the given CA"],
  [/altname|does not match certificate|Hostname\/IP does not match/i, 'tls', "the engine's certificate does not name this host (its subjectAltName)"],
  [/certificate has expired|CERT_HAS_EXPIRED/i, 'tls', "the engine's certificate has expired"],
  [/alert (unknown ca|bad certificate|certificate required|certificate unknown|handshake failure)|certificate required|ECONNRESET|socket hang up/i, 'tls', 'the engine refused the client certificate (it was not issued by the CA the engine trusts)'],
  [/wrong version number|EPROTO|packet length too long|http request/i, 'url', 'that port does not speak TLS (an engine without --tlsverify? Portico needs TLS for tcp://)'],
];

/** explainFailure names the likely cause of `err` and the field (url or tls) to fix. */
export function explainFailure(err: unknown, name: string): { reason: string; field: 'url' | 'tls' } {
  const raw = (err as Error)?.message ?? String(err);
  const code = (err as { code?: string })?.code;
  const words = `${code ?? ''} ${raw}`;
  const hit = CAUSES.find(([re]) => re.test(words));
  const detail = raw.replace(/^reach the engine: /, '').slice(0, 300);
  if (!hit) return { reason: `container host ${name}: ${detail}`, field: 'url' };
  return { reason: `${hit[2]} (${detail})`, field: hit[1] };
}
