/**
 * run.ts: runs the tap suite and ends with one line `N passed, N failed` (leaf assertions, counted
 * by tap-parser); tap prints the coverage summary (reported, never fatal). Exit code follows the tests.
 * Usage: node test/run.ts [test files…]
 */
import { spawn } from 'node:child_process';
import { Parser } from 'tap-parser';

const files = process.argv.slice(2);
const tapBin = new URL('../node_modules/.bin/tap', import.meta.url).pathname;
const child = spawn(tapBin, ['run', '--reporter=tap', ...files], { stdio: ['ignore', 'pipe', 'inherit'] });

let passed = 0, failed = 0, skipped = 0;
type Assert = { ok: boolean; skip?: unknown; todo?: unknown };
// Count leaf assertions: the point that follows a subtest only summarises it.
function watch(p: Parser): void {
  let summaryPending = 0;
  p.on('child', (c: Parser) => { summaryPending++; watch(c); });
  p.on('assert', (a: Assert) => {
    if (summaryPending > 0) { summaryPending--; if (!a.ok && !a.skip && !a.todo) failedSubtests++; return; }
    if (a.skip || a.todo) skipped++;
    else if (a.ok) passed++;
    else failed++;
  });
}
let failedSubtests = 0;
const parser = new Parser(() => {});
watch(parser);
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  parser.write(chunk);
});

const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
parser.end();
await new Promise((r) => setImmediate(r));

// A subtest or file that failed without a failing assertion (crash, timeout) still counts as a failure.
if (failed === 0 && (failedSubtests > 0 || code !== 0)) failed = Math.max(1, failedSubtests);
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(code === 0 && failed === 0 ? 0 : 1);
