/**
 * upload-memory.test.ts: a 50 MiB upload streams to disk with bounded memory. The gateway runs in
 * a child process (so the figures are the gateway's alone). Each upload is measured twice over:
 * naturally (peak RSS, heap and buffers sampled every 5 ms, plus the kernel's VmHWM), and as
 * retained memory (sampled after a forced GC every 20 ms). Natural peaks include network buffers
 * V8 has not collected yet (it waits for ~64 MiB of them), so the tight assertion is on retained
 * memory: buffering the body would hold 50 MiB there.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { createStore } from '../../gateway/core/store/index.ts';
import { hashSecret, newSecret } from '../../gateway/core/auth/tokens.ts';
import { TEST_NETWORK, removeInstanceContainers } from '../helpers/gateway.ts';

const MiB = 1024 * 1024;
const SIZE = 50 * MiB;

type Figures = { rss: number; heapUsed: number; external: number; arrayBuffers: number };

function ask(child: ChildProcess, msg: 'reset' | 'peaks' | 'retained-on' | 'retained-off'): Promise<Figures> {
  return new Promise((resolve) => {
    const on = (m: { kind: string } & Figures) => { if (m.kind === msg) { child.off('message', on); resolve(m); } };
    child.on('message', on);
    child.send(msg);
  });
}

function vmHwm(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** streamUpload sends SIZE bytes from one reused 64 KiB buffer, honouring backpressure; resolves with status and the SHA-256 sent. */
function streamUpload(method: string, url: string, headers: Record<string, string | number>, head: Buffer, tail: Buffer): Promise<{ status: number; body: string; sha256: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const chunk = randomBytes(64 * 1024);
    const req = http.request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sha256: hash.digest('hex') }));
    });
    req.on('error', reject);
    req.write(head);
    let sent = 0;
    const pump = () => {
      while (sent < SIZE) {
        const part = chunk.subarray(0, Math.min(chunk.length, SIZE - sent));
        hash.update(part);
        sent += part.length;
        if (!req.write(part)) { req.once('drain', pump); return; }
      }
      req.end(tail);
    };
    pump();
  });
}

t.test('a 50 MiB upload uses bounded memory', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-mem-'));
  const instance = `t-mem-${randomBytes(3).toString('hex')}`;
  const store = createStore(path.join(dir, 'portico.db'));
  const user = store.users.create({ username: 'mem', passwordHash: null });
  const token = newSecret(32);
  store.users.createToken(user.id, 'test', hashSecret(token), token.slice(0, 6), null);
  const project = store.projects.create('Memory');
  store.projects.setRole(project.id, user.id, 'owner');
  store.close();

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PORTICO_') && v !== undefined) env[k] = v;
  Object.assign(env, {
    PORTICO_DATA_DIR: dir, PORTICO_PORT: '0', PORTICO_INSTANCE: instance, PORTICO_DOCKER_NETWORK: TEST_NETWORK,
    PORTICO_LOG_FORMAT: 'json', PORTICO_LOG_LEVEL: 'info', PORTICO_MAX_UPLOAD_BYTES: String(64 * MiB),
  });
  const child = fork(new URL('./fixtures/gateway-memory-probe.ts', import.meta.url).pathname, [], { env, execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  t.teardown(() => {
    child.kill('SIGTERM');
    removeInstanceContainers(instance);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const base = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stderr!.on('data', (d) => {
      buf += d;
      const m = /"msg":"Portico listening".*?"url":"(http:\/\/[^"]+?)\/?"/.exec(buf);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}): ${buf}`)));
  });

  const boundary = '----mem' + randomBytes(6).toString('hex');
  const put = (name: string) => ({ how: 'raw PUT', method: 'PUT', url: `${base}/containers/api/files/upload/${project.uuid}/${name}`, headers: { 'content-length': SIZE } as Record<string, string | number>, head: Buffer.alloc(0), tail: Buffer.alloc(0) });
  const form = (name: string) => ({
    how: 'multipart POST', method: 'POST', url: `${base}/containers/api/files/upload/${project.uuid}`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' } as Record<string, string | number>,
    head: Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`),
  });
  const mb = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
  let n = 0;
  for (const mode of ['natural', 'retained'] as const) {
    await ask(child, mode === 'retained' ? 'retained-on' : 'retained-off');
    for (const c of [put(`put-${mode}.bin`), form(`form-${mode}.bin`)]) {
      const before = await ask(child, 'reset');
      const hwmBefore = vmHwm(child.pid!);
      const r = await streamUpload(c.method, c.url, { authorization: `token ${token}`, ...c.headers }, c.head, c.tail);
      const peak = await ask(child, 'peaks');
      t.equal(r.status, 201, `${c.how} (${mode}): stored`);
      const stored = JSON.parse(r.body);
      t.equal(stored.size, SIZE, `${c.how}: all 50 MiB`);
      t.equal(stored.sha256, r.sha256, `${c.how}: bytes intact`);
      n++;
      const heap = peak.heapUsed - before.heapUsed;
      const buffers = peak.arrayBuffers - before.arrayBuffers;
      if (mode === 'natural') {
        const rss = peak.rss - before.rss;
        t.comment(`${c.how}, natural: peak RSS ${mb(peak.rss)} (+${mb(rss)} over idle; kernel VmHWM +${mb(Math.max(0, vmHwm(child.pid!) - hwmBefore))}), peak heap ${mb(peak.heapUsed)} (+${mb(heap)}), buffers +${mb(buffers)}`);
        t.ok(rss < 96 * MiB, `${c.how}: natural RSS growth stays under 96 MiB (+${mb(rss)}; garbage buffers included)`);
      } else {
        t.comment(`${c.how}, retained: peak heap ${mb(peak.heapUsed)} (+${mb(heap)}), buffers +${mb(buffers)}`);
        t.ok(heap + buffers < 8 * MiB, `${c.how}: retained heap + buffers grow by less than 8 MiB while 50 MiB pass through (+${mb(heap + buffers)})`);
      }
    }
  }
  t.equal(n, 4);
});
