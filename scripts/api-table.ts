/**
 * api-table.ts: rewrites the REST API table of docs/api.md from the OpenAPI document
 * (admin/api/openapi/). Usage: node scripts/api-table.ts [--check]; --check only tells whether the
 * table is current (exit 1 when not).
 */
import fs from 'node:fs';
import { buildOpenApi } from '../admin/api/openapi/document.ts';
import { apiTable, replaceTable } from '../admin/api/openapi/table.ts';

const file = new URL('../docs/api.md', import.meta.url);
const before = fs.readFileSync(file, 'utf8');
const after = replaceTable(before, apiTable(buildOpenApi() as Parameters<typeof apiTable>[0]));
if (process.argv.includes('--check')) {
  process.stdout.write(before === after ? 'docs/api.md is current\n' : 'docs/api.md is out of date: run node scripts/api-table.ts\n');
  process.exit(before === after ? 0 : 1);
}
if (before !== after) fs.writeFileSync(file, after);
process.stdout.write(before === after ? 'docs/api.md was current\n' : 'docs/api.md: table rewritten\n');
