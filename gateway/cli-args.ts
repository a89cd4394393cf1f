/**
 * cli-args.ts: the CLI's option reading, shared by every verb's module: `--name VALUE` options and
 * `--flag` switches, each taken out of the argument list so what is left are the positional ones.
 */
import { UsageError } from './project-cli.ts';

/** option takes `name VALUE` out of `args` and returns VALUE (null when absent; a UsageError when the value is missing). */
export function option(args: string[], name: string): string | null {
  const i = args.indexOf(name);
  if (i < 0) return null;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

/** flag takes the switch `name` out of `args` and says whether it was there. */
export function flag(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}
