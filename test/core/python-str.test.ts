/**
 * python-str.test.ts: environment values as Kiosc wrote them (docker-py's f'{key}={value}', so
 * Python's str() of the JSON value): a table of cases, and, where python3 is installed, the same
 * code against Python itself on generated values.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { pythonStr } from '../../gateway/core/containers/python-str.ts';
import { buildSpec } from '../../gateway/core/containers/spec.ts';
import type { Container } from '../../gateway/core/types.ts';
import { startGateway, TEST_IMAGE } from '../helpers/gateway.ts';

/** CASES: the value as JSON text, what Kiosc wrote, and why. */
const CASES: Array<[string, string, string]> = [
  ["[\"A\", \"B\"]", "['A', 'B']", "a list"],
  ["true", "True", "true"],
  ["false", "False", "false"],
  ["1", "1", "a whole number"],
  ["-7", "-7", "a negative one"],
  ["1.5", "1.5", "a fraction"],
  ["0.1", "0.1", "the shortest repr"],
  ["0.00001", "1e-05", "below 1e-4: an exponent with two digits"],
  ["-2.5e-7", "-2.5e-07", "a negative small one"],
  ["0.0001", "0.0001", "1e-4 itself: no exponent"],
  ["123456789.125", "123456789.125", "many digits"],
  ["1e16", "10000000000000000", "a whole number written with an exponent: an int, as jsonb keeps it"],
  ["64748980904011710", "64748980904011710", "a large int: the digits as typed"],
  ["{\"k\": null, \"n\": [1, \"x\"]}", "{'k': None, 'n': [1, 'x']}", "an object, None inside"],
  ["[]", "[]", "an empty list"],
  ["{}", "{}", "an empty object"],
  ["[\"it's\"]", "[\"it's\"]", "a string with ' and no \": double quotes"],
  ["[\"say \\\"hi\\\"\"]", "['say \"hi\"']", "a string with \""],
  ["[\"both ' and \\\"\"]", "['both \\' and \"']", "both quotes: ' escaped"],
  ["[\"back\\\\slash\"]", "['back\\\\slash']", "a backslash doubled"],
  ["[\"tab\\tnew\\nline\\rcr\"]", "['tab\\tnew\\nline\\rcr']", "tab, newline, carriage return"],
  ["[\"\\u0000\\u001f\\u007f\"]", "['\\x00\\x1f\\x7f']", "control characters as \\x"],
  ["[\"\\u0080\\u00a0\\u00ad\"]", "['\\x80\\xa0\\xad']", "Latin-1 non-printables as \\x"],
  ["[\"é ü 😀\"]", "['é ü 😀']", "printable non-ASCII kept"],
  ["[\"\\u2028\\u3000\\ufeff\"]", "['\\u2028\\u3000\\ufeff']", "separators and format characters as \\u"],
  ["[\"\\udb40\\udc01\"]", "['\\U000e0001']", "an astral non-printable as \\U"],
  ["[null, true, 0.5]", "[None, True, 0.5]", "mixed"],
  ["{\"nested\": {\"deep\": [false]}}", "{'nested': {'deep': [False]}}", "nested"],
];

t.test('regression: values that are not strings were JSON-encoded (["A","B"], true) where Kiosc wrote Python\'s str()', async (t) => {
  for (const [json, want, why] of CASES) t.equal(pythonStr(JSON.parse(json)), want, `${json}: ${why}`);
  t.equal(pythonStr('plain text'), 'plain text', 'a string as it is');
  t.equal(pythonStr("it's [1]"), "it's [1]", 'a top-level string is not quoted');
  t.equal(pythonStr(null), null, 'null: no value at all');
});

t.test('the container spec: strings substituted, other values as str(), null left unset', async (t) => {
  const c = {
    uuid: '0b5d6a1e-8c1f-4d2e-9a3b-123456789abc', projectUuid: 'p', title: 'T', description: 'D', repository: 'r', tag: '1',
    containerPort: 8080, containerPath: 'app', command: '', dataPath: '',
    environment: { URL: '__KIOSC_URL_PREFIX__', LIST: ['__KIOSC_URL_PREFIX__', 2], FLAG: true, GONE: null, NUM: 2.5 },
  } as unknown as Container;
  const spec = buildSpec(c, { instance: 'i', network: 'n', publishHostPort: null, substitutions: [(s) => s.split('__KIOSC_URL_PREFIX__').join('/containers/proxy/x/app')], log: { maxSize: '1m', maxFiles: 1 }, nofile: null });
  t.same(spec.env.slice(0, 5), ['URL=/containers/proxy/x/app', "LIST=['/containers/proxy/x/app', 2]", 'FLAG=True', 'GONE', 'NUM=2.5'],
    'str() for what is not a string, the bare name for null (the engine leaves it unset), placeholders replaced in every string');
  const quoted = buildSpec({ ...c, environment: { L: ['__KIOSC_URL_PREFIX__'] } } as Container, { instance: 'i', network: 'n', publishHostPort: null, substitutions: [(s) => s.split('__KIOSC_URL_PREFIX__').join("http://f/it's")], log: { maxSize: '1m', maxFiles: 1 }, nofile: null });
  t.equal(quoted.env[0], `L=["http://f/it's"]`, 'what a placeholder becomes inside a list is quoted like any string');
  t.ok(spec.env.includes('CONTAINER_PORT=8080'));
});

t.test('a real app sees the values as a Kiosc app did, and no variable for null', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token } = await gw.user('owner', { project, role: 'owner' });
  const environment = { LIST: ['A', 'B'], FLAG: true, OBJ: { k: null, q: "it's" }, NUM: 0.00001, GONE: null, TEXT: 'plain' };
  const c = await gw.api('POST', `/containers/api/create/${project}`, token, { title: 'env', ...TEST_IMAGE, environment });
  t.equal(c.status, 201);
  t.same(c.body.environment, environment, 'the API keeps the JSON values as they were sent');
  const started = await gw.api('POST', `/containers/api/start/${c.body.sodar_uuid}`, token);
  t.equal(started.body.state, 'running');
  const out = execFileSync('docker', ['exec', started.body.container_id, 'env'], { encoding: 'utf8' });
  const env = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  t.equal(env.LIST, "['A', 'B']");
  t.equal(env.FLAG, 'True');
  t.equal(env.OBJ, `{'k': None, 'q': "it's"}`);
  t.equal(env.NUM, '1e-05');
  t.equal(env.TEXT, 'plain');
  t.notOk('GONE' in env, 'null: the variable is not set at all (it was GONE= before)');
});

function hasPython(): boolean {
  try { execFileSync('python3', ['-c', 'pass'], { stdio: 'ignore' }); return true; } catch { return false; }
}

t.test('differential: the same as Python\'s str() on generated values', { skip: hasPython() ? false : 'python3 is not installed' }, async (t) => {
  // Python makes the values and prints str() of each; floats that are whole numbers are left out,
  // as JSON cannot tell 2.0 from 2 (Kiosc's jsonb kept 2.0, so it wrote '2.0'; see docs/kiosc-compat.md).
  const gen = `
import json, random, sys
random.seed(7)
chars = ["a","'",'"',"\\\\","\\n","\\t","\\x00","\\x7f","\\x85","\\xa0","\\u00e9","\\u00ad","\\u2028","\\u3000","\\ufeff","\\U0001f600","\\U000e0001","\\u0378"," ","\\u200b","\\u0600"]
def s(): return "".join(random.choice(chars) for _ in range(random.randint(0, 6)))
def num():
    if random.random() < 0.4: return random.randint(-10**15, 10**15)
    x = random.uniform(-1, 1) * 10 ** random.randint(-12, 15)
    return x if x != int(x) else 0.5
def val(d=0):
    r = random.random()
    if d > 2 or r < 0.4: return random.choice([s(), num(), True, False, None])
    if r < 0.7: return [val(d + 1) for _ in range(random.randint(0, 3))]
    return {s(): val(d + 1) for _ in range(random.randint(0, 3))}
vals = [v for v in (val() for _ in range(500)) if v is not None and not isinstance(v, str)]
print(json.dumps([[json.dumps(v), str(v)] for v in vals]))
`;
  const pairs = JSON.parse(execFileSync('python3', ['-c', gen], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } })) as Array<[string, string]>;
  t.ok(pairs.length > 200, `${pairs.length} values`);
  const wrong = pairs.filter(([json, py]) => pythonStr(JSON.parse(json)) !== py);
  t.same(wrong.slice(0, 5), [], 'every value written as Python writes it');
});
