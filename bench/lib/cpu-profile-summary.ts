/**
 * cpu-profile-summary.ts (bench): reads a V8 .cpuprofile (node --cpu-prof) and prints where the
 * busy time went: self time per function and per source file, as shares of the samples that were
 * not idle, and the V8 pseudo-nodes ((garbage collector), (program): time in native code that has
 * no JavaScript frame, such as libuv and the kernel calls it makes).
 * Usage: node bench/lib/cpu-profile-summary.ts <file.cpuprofile> [top, default 40]
 */
import fs from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const file = process.argv[2];
const top = Number(process.argv[3] ?? 40);
const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));

const short = (url: string) => url.replace(/^file:\/\/.*?\/(gateway|bench|node_modules)\//, '$1/').replace(/^node:/, 'node:');
const fn = new Map<string, number>();
const files = new Map<string, number>();
let idle = 0, total = 0;
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const name = n.callFrame.functionName || '(anonymous)';
  total += us;
  if (name === '(idle)') { idle += us; continue; }
  const key = `${name} ${short(n.callFrame.url)}${n.callFrame.url ? ':' + (n.callFrame.lineNumber + 1) : ''}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const f = n.callFrame.url ? short(n.callFrame.url) : name;
  files.set(f, (files.get(f) ?? 0) + us);
}
const busy = total - idle;
const pct = (us: number) => (100 * us / busy).toFixed(1).padStart(5) + '%';
const lines = [`${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (${(100 * busy / total).toFixed(0)}%)`, '', 'self time by source file (share of busy):'];
for (const [f, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 25)) lines.push(`${pct(us)}  ${f}`);
lines.push('', `self time by function, top ${top}:`);
for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(us)}  ${k}`);
process.stdout.write(lines.join('\n') + '\n');
