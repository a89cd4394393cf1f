/**
 * docker-remove.test.ts: engine/docker.ts's container removal against the real engine, for each
 * answer the engine gives: a container already gone, a running one without force (the engine's
 * 409 "cannot remove a running container"), and a removal another caller began (the engine's 409
 * "removal … is already in progress", which it answers at once while the container still exists).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createDockerEngine } from '../../gateway/core/engine/docker.ts';
import { PorticoError } from '../../gateway/core/errors.ts';
import { TEST_IMAGE } from '../helpers/gateway.ts';

const engine = createDockerEngine({ host: process.env.DOCKER_HOST ?? null, tlsVerify: false, certPath: null });
const label = `portico.instance=test-docker-remove-${randomBytes(4).toString('hex')}`;
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const run = () => docker('run', '-d', '--label', label, `${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`);

t.teardown(() => {
  const left = docker('ps', '-aq', '--filter', `label=${label}`);
  if (left) docker('rm', '-f', ...left.split('\n'));
});

t.test('a container that is gone (or never was) is removed without an error', async (t) => {
  const id = run();
  await engine.remove(id, true);
  t.equal(await engine.inspect(id), null, 'removed');
  await t.resolves(engine.remove(id, true), 'removing it again succeeds: it is gone, as asked');
  await t.resolves(engine.remove('0'.repeat(64), false), 'so does an id no container ever had');
});

// Regression: the engine's 409 came back as E_ACTION_FAILED (502, "the engine failed"), though the
// engine did what it should: the removal did not fit the container's state.
t.test('a running container without force: a 409 E_INVALID_STATE naming why, and it keeps running', async (t) => {
  const id = run();
  const err = await engine.remove(id, false).then(() => null, (e: unknown) => e);
  t.ok(err instanceof PorticoError, 'a PorticoError');
  t.match(err, { status: 409, code: 'E_INVALID_STATE', message: /cannot remove a running container/ });
  t.equal((await engine.inspect(id))?.state, 'running', 'the container is still running');
  await engine.remove(id, true);
  t.equal(await engine.inspect(id), null, 'with force it goes');
});

// Regression: a removal that met another caller's answered at once, while the container still
// existed; a delete followed by a create of the same name then found it in the way.
t.test('concurrent removals of one container: each returns only once the container is gone', async (t) => {
  for (let round = 1; round <= 3; round++) {
    const id = run();
    const stillThere: number[] = [];
    await Promise.all([0, 1, 2, 3].map(async (i) => {
      await engine.remove(id, true);
      if (await engine.inspect(id)) stillThere.push(i);
    }));
    t.same(stillThere, [], `round ${round}: no removal returned while the container was still there`);
  }
});
