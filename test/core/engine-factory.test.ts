/**
 * engine-factory.test.ts: createEngine refuses what it cannot drive with the typed validation error
 * (E_VALIDATION, 400, naming the field), as every other validation does, so an API answer built
 * from it says which field is wrong. No engine is reached: both checks come before any connection.
 */
import t from 'tap';
import { createEngine } from '../../gateway/core/engine/factory.ts';
import { ValidationError } from '../../gateway/core/errors.ts';
import { apiErrorBody } from '../../admin/api/api-route.ts';

t.test('a bad host URL or a tcp:// host without TLS: ValidationError naming the field', async (t) => {
  const refused = (host: Parameters<typeof createEngine>[0]): ValidationError => {
    try { createEngine(host); } catch (err) { return err as ValidationError; }
    throw new Error('createEngine accepted a host it cannot drive');
  };
  const url = refused({ url: 'http://10.0.0.5:2376', mode: 'engine' });
  t.ok(url instanceof ValidationError, 'the typed validation error');
  t.match(url, { code: 'E_VALIDATION', status: 400, fields: { url: /unix:\/\/\/path or tcp:\/\/host:port, not "http:\/\/10\.0\.0\.5:2376"/ } });
  t.equal(url.message, 'url: a container host is unix:///path or tcp://host:port, not "http://10.0.0.5:2376"', 'the message is unchanged');
  t.match(apiErrorBody(url), { code: 'E_VALIDATION', fields: { url: /tcp:\/\/host:port/ }, url: [/tcp:\/\/host:port/] }, 'the API answer names the field');

  const tls = refused({ url: 'tcp://10.0.0.5:2376', tls: null, mode: 'swarm' });
  t.ok(tls instanceof ValidationError);
  t.match(tls, { code: 'E_VALIDATION', status: 400, fields: { tls: /needs a CA certificate, a client certificate and its key/ } });
  t.equal(tls.message, 'tls: a tcp:// host needs a CA certificate, a client certificate and its key (Portico never drives an engine in the clear)');
});
