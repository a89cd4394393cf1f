/**
 * store-crash.test.ts: a process killed with SIGKILL in the middle of writes leaves the database
 * consistent (WAL + transactions), and migrations are tracked by user_version.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createStore } from '../../gateway/core/store/index.ts';
import { MIGRATIONS } from '../../gateway/core/store/migrations.ts';

t.test('SIGKILL mid-write leaves a consistent database', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-crash-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'p.db');
  const s = createStore(file);
  const project = s.projects.create('crash');
  s.close();
  // A writer that inserts containers in transactions of 50, each with a log line per container, forever.
  const storeUrl = new URL('../../gateway/core/store/index.ts', import.meta.url).href;
  const script = `
    import { createStore } from ${JSON.stringify(storeUrl)};
    const s = createStore(${JSON.stringify(file)});
    const p = s.projects.byUuid(${JSON.stringify(project.uuid)});
    let i = 0;
    process.stdout.write('ready\\n');
    for (;;) {
      s.transaction(() => {
        for (let k = 0; k < 50; k++, i++) {
          const c = s.containers.create(p.id, { title: 't' + i, description: '', repository: 'r', tag: '1', containerPort: 80, containerPath: '',
            heartbeatUrl: '', timeout: 60, environment: {}, environmentSecretKeys: [], command: '', maxRetries: 5, inactivityThreshold: 7,
            stripPrefix: true, templateSiteUuid: null, templateProjectUuid: null, dataPath: '' });
          s.logs.add(c.id, 'INFO', 'x', 'Object', 'Created');
        }
      });
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // A writer that dies on its own (a store API change it does not follow) must fail here, not hang.
  const ready = await Promise.race([new Promise<boolean>((resolve) => child.stdout.once('data', () => resolve(true))), exited.then(() => false)]);
  t.ok(ready, 'the writer started');
  await Promise.race([new Promise((r) => setTimeout(r, 400)), exited]);
  t.equal(child.exitCode, null, 'the writer was still writing when killed');
  child.kill('SIGKILL');
  await exited;

  const after = createStore(file);
  t.teardown(() => after.close());
  const integrity = after.db.prepare('PRAGMA integrity_check').get() as { integrity_check: string };
  t.equal(integrity.integrity_check, 'ok', 'integrity_check ok');
  const n = (after.db.prepare('SELECT COUNT(*) AS n FROM containers').get() as { n: number }).n;
  const logs = (after.db.prepare('SELECT COUNT(*) AS n FROM container_logs').get() as { n: number }).n;
  t.ok(n > 0, `${n} containers written before the kill`);
  t.equal(n % 50, 0, 'only whole transactions survived');
  t.equal(logs, n, 'every container has its log line: no half-written transaction');
  t.equal((after.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, MIGRATIONS.length);
  t.equal((after.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
});
