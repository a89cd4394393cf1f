/**
 * shell-split.test.ts: commands are split into argv like a POSIX shell does for plain words.
 */
import t from 'tap';
import { shellSplit } from '../../gateway/core/containers/shell-split.ts';

t.same(shellSplit(`cellxgene launch http://x/y.h5ad -p 8050 --host 0.0.0.0`), ['cellxgene', 'launch', 'http://x/y.h5ad', '-p', '8050', '--host', '0.0.0.0']);
t.same(shellSplit(`sh -c 'sleep 1; exec httpd -f'`), ['sh', '-c', 'sleep 1; exec httpd -f']);
t.same(shellSplit(`echo "a \\"b\\" \\$c" d\\ e ''`), ['echo', 'a "b" $c', 'd e', '']);
t.same(shellSplit(`  a\t b\n`), ['a', 'b']);
t.same(shellSplit(`x'y'"z"`), ['xyz'], 'adjacent quoted parts join');
t.same(shellSplit(''), []);
t.throws(() => shellSplit(`'open`), { code: 'E_VALIDATION' });
t.throws(() => shellSplit(`"open`), { code: 'E_VALIDATION' });
t.throws(() => shellSplit(`end\\`), { code: 'E_VALIDATION' });
