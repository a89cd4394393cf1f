/**
 * policy.test.ts: policy keys, Simphony-remote's SOURCE:TARGET:MODE, the PORTICO_APP_* settings and
 * the allowlist check on a real directory tree (symbolic links included).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from '../../gateway/core/config.ts';
import { DEFAULT_POLICY, parsePolicyKey, parseVolumeString, policyKey, resolveVolume } from '../../gateway/core/apps/policy.ts';
import { envVarName } from '../../gateway/core/apps/labels.ts';
import { imageName, instanceDockerName } from '../../gateway/core/apps/instance-spec.ts';
import { unixName } from '../../gateway/core/apps/instances.ts';

t.test('policy keys are canonical and read back', async (t) => {
  const p = { allowHome: true, allowView: false, allowEnv: true, volume: { source: 'data', target: '/data', mode: 'ro' as const } };
  t.equal(policyKey(p), 'home=1;view=0;env=1;volume=data:/data:ro');
  t.same(parsePolicyKey(policyKey(p)), p);
  t.same(parsePolicyKey(policyKey(DEFAULT_POLICY)), DEFAULT_POLICY);
  t.equal(parsePolicyKey('home=2;view=0;env=0;volume='), null);
  t.same(parseVolumeString('/srv/x:/x:rw'), { source: '/srv/x', target: '/x', mode: 'rw' });
  t.throws(() => parseVolumeString('/srv/x:/x'), /SOURCE:TARGET:MODE/);
});

t.test('names: env labels to variables, images and users to Docker names (SRC IMAGE--USER)', async (t) => {
  t.equal(envVarName('x11-width'), 'X11_WIDTH');
  t.equal(imageName('ghcr.io/org/Cell-Viewer:2.1'), 'cell-viewer');
  t.equal(imageName('localhost:5000/httpd'), 'httpd');
  t.equal(instanceDockerName('portico-test/httpd:1', 'Alice@Example.org', '12345678-aaaa-4bbb-8ccc-123456789abc'), 'portico-httpd--alice-example.org-12345678');
  t.equal(unixName('Alice.Smith@example.org'), 'alice_smith');
  t.equal(unixName('42'), 'user');
});

t.test('PORTICO_APP_* settings are checked with precise messages', async (t) => {
  const cfg = loadConfig({ PORTICO_APP_VOLUMES: 'data=/srv/data, refs=/srv/refs:ro', PORTICO_APP_MAX_PER_USER: '2' });
  t.same(cfg.apps.volumes, [{ name: 'data', path: '/srv/data', readOnly: false }, { name: 'refs', path: '/srv/refs', readOnly: true }]);
  t.equal(cfg.apps.perUser, 2);
  t.equal(cfg.apps.homePath, '/workspace');
  t.throws(() => loadConfig({ PORTICO_APP_VOLUMES: 'data=relative/path' }), /PORTICO_APP_VOLUMES must be name=\/absolute\/host\/path/);
  t.throws(() => loadConfig({ PORTICO_APP_VOLUMES: 'data=/a,data=/b' }), /names data twice/);
  t.throws(() => loadConfig({ PORTICO_APP_VOLUMES: 'data=/srv/../etc' }), /PORTICO_APP_VOLUMES/);
  t.throws(() => loadConfig({ PORTICO_APP_HOME_PATH: 'home' }), /PORTICO_APP_HOME_PATH must be an absolute path/);
  t.throws(() => loadConfig({ PORTICO_APP_MAX_SITE: '-1' }), /PORTICO_APP_MAX_SITE must be between/);
});

t.test('resolveVolume: names and paths inside the allowlist pass; outside, symlinks out, rw on ro and files are refused', async (t) => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'portico-policy-')));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, 'ok', 'sub'), { recursive: true });
  fs.mkdirSync(path.join(root, 'okay-not'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ok', 'file'), 'x');
  fs.symlinkSync(path.join(root, 'okay-not'), path.join(root, 'ok', 'out'));
  fs.symlinkSync(path.join(root, 'ok', 'sub'), path.join(root, 'okay-not', 'in'));
  const allow = [{ name: 'ok', path: path.join(root, 'ok'), readOnly: false }, { name: 'ro', path: path.join(root, 'ok', 'sub'), readOnly: true }];
  t.equal(resolveVolume({ source: 'ok', target: '/d', mode: 'rw' }, allow).hostPath, path.join(root, 'ok'));
  t.equal(resolveVolume({ source: path.join(root, 'ok', 'sub'), target: '/d', mode: 'rw' }, allow).entry, 'ok');
  t.equal(resolveVolume({ source: path.join(root, 'okay-not', 'in'), target: '/d', mode: 'ro' }, allow).hostPath, path.join(root, 'ok', 'sub'), 'a link into the allowlist resolves inside it');
  const refused = (source: string, mode: 'ro' | 'rw', re: RegExp, target = '/d') => t.throws(() => resolveVolume({ source, target, mode }, allow), re, source);
  refused(path.join(root, 'okay-not'), 'ro', /outside every directory/);
  refused(path.join(root, 'ok', 'out'), 'ro', /outside every directory/);
  refused(path.join(root, 'ok', '..', 'okay-not'), 'ro', /outside every directory/);
  refused('ro', 'rw', /read-only \(ro\) only/);
  refused(path.join(root, 'ok', 'file'), 'ro', /not a directory/);
  refused(path.join(root, 'nope'), 'ro', /does not exist/);
  refused('ok', 'ro', /TARGET must be an absolute path/, 'relative');
  refused('ok', 'ro', /TARGET/, '/a/../etc');
  t.throws(() => resolveVolume({ source: 'ok', target: '/d', mode: 'ro' }, []), /PORTICO_APP_VOLUMES is empty/);
});
