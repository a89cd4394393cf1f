/**
 * private-engine.test.ts: the fault tests' private dockerd (test/helpers/private-dockerd.ts) leaves
 * the host's network alone. It used to run with --bridge=none, and a dockerd started so deletes the
 * link named docker0: the shared engine's default bridge, so every later `docker run` on it failed.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startPrivateDockerd } from '../helpers/private-dockerd.ts';

const links = (): Set<string> => new Set(
  execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((n): n is string => !!n),
);

t.test('regression: a private engine deletes no host link (docker0), and the shared default bridge still works', async (t) => {
  const before = links();
  const hadDocker0 = before.has('docker0');
  const pd = await startPrivateDockerd({ images: ['portico-test/httpd:1'], network: `pd-test-${process.pid}` });
  let destroyed = false;
  t.teardown(() => destroyed ? undefined : pd.destroy());
  t.match(pd.bridge, /^pd-[0-9a-f]{8}$/, 'the private engine has a bridge of its own');
  t.ok(links().has(pd.bridge), 'which exists while it runs');
  const option = pd.docker(`network inspect bridge --format '{{index .Options "com.docker.network.bridge.name"}}'`).trim();
  t.equal(option, pd.bridge, "its default network is on that bridge, not the host's docker0");
  t.equal(pd.docker('run --rm portico-test/httpd:1 echo ok').trim(), 'ok', 'a container runs on its default bridge');

  await pd.stop();
  await pd.start();
  t.equal(pd.docker('run --rm portico-test/httpd:1 echo ok').trim(), 'ok', 'and again after a restart of the engine');
  await pd.destroy();
  destroyed = true;

  const after = links();
  // Other tests come and go meanwhile with their veths, networks (br-…) and private engines (pd-…).
  t.same([...before].filter((n) => !after.has(n) && !/^(veth|br-|pd-)/.test(n)), [], 'every host link that existed before still exists');
  t.notOk(after.has(pd.bridge), 'its bridge is removed with it');
  if (hadDocker0) {
    t.ok(after.has('docker0'), 'docker0 is still there');
    t.equal(execFileSync('docker', ['run', '--rm', '--label', 'portico.test=1', 'portico-test/httpd:1', 'echo', 'ok'], { encoding: 'utf8' }).trim(), 'ok',
      'docker run on the shared engine\'s default bridge works after start, stop and destroy of a private engine');
  } else {
    t.comment('this host had no docker0 before the test (an earlier --bridge=none engine deleted it?): the shared default bridge cannot be checked here');
  }
});
