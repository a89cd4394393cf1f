/**
 * ready-made.test.ts: the ready-made site templates (Jupyter, Shiny, Dash, Streamlit): a site admin
 * adds them from the template list, again without duplicates; each carries its port, prefix
 * setting and command, and a container made from one gets its own prefix in them.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startGateway } from '../helpers/gateway.ts';
import { page, post, session } from '../helpers/ui-http.ts';
import { buildSpec, substitutePrefix } from '../../gateway/core/containers/spec.ts';
import { READY_MADE } from '../../gateway/core/templates/ready-made.ts';

t.test('ready-made templates: offered on an empty list, added once (idempotent), site admins only, with the right prefix settings', async (t) => {
  const gw = await startGateway();
  t.teardown(() => gw.close());
  const project = gw.project();
  const { token: admin } = await gw.user('ada', { admin: true });
  const { token: owner } = await gw.user('olga', { project, role: 'owner' });
  const a = await session(gw, admin);
  const o = await session(gw, owner);

  const empty = await page(gw, '/templates', a.cookie);
  t.match(empty.text, /Add ready-made templates<\/button>/, 'offered to the site admin');
  t.match(empty.text, /Jupyter \(JupyterLab\), Shiny \(Shiny Server\), Dash \(Plotly\), Streamlit/);
  t.notMatch((await page(gw, '/templates', o.cookie)).text, /Add ready-made templates/, 'not to others');
  t.equal((await post(gw, '/templates/ready-made', o.cookie, { csrf_token: o.csrf })).status, 403, 'others are refused');
  t.equal((await post(gw, '/templates/ready-made', a.cookie, {})).status, 403, 'CSRF checked');
  t.equal(gw.core.store.templates.site().length, 0);

  const add = await post(gw, '/templates/ready-made', a.cookie, { csrf_token: a.csrf });
  t.equal(add.status, 303);
  t.equal(add.headers.get('location'), '/templates?done=ready-made');
  const site = () => gw.core.store.templates.site();
  t.same(site().map((x) => x.title).sort(), READY_MADE.map((r) => r.title).sort(), 'all four added');
  const after = await page(gw, '/templates?done=ready-made', a.cookie);
  t.notMatch(after.text, /Add ready-made templates<\/button>/, 'no longer offered once all are here');
  t.match(after.text, /Added the ready-made templates/);

  // One removed and one renamed by the admin: adding again brings back the missing titles only.
  const jupyter = site().find((x) => x.title.startsWith('Jupyter'))!;
  gw.core.templates.remove(jupyter);
  const again = await post(gw, '/templates/ready-made', a.cookie, { csrf_token: a.csrf });
  t.equal(again.status, 303);
  t.equal(site().length, 4, 'only the missing one is added back');
  const none = await post(gw, '/templates/ready-made', a.cookie, { csrf_token: a.csrf });
  t.equal(none.headers.get('location'), '/templates?done=ready-made&none=1');
  t.equal(site().length, 4, 'a third time adds nothing');
  t.match((await page(gw, '/templates?done=ready-made&none=1', a.cookie)).text, /all here already/);

  const by = (prefix: string) => site().find((x) => x.title.startsWith(prefix))!.settings;
  t.match(by('Jupyter'), { repository: 'quay.io/jupyter/minimal-notebook', containerPort: 8888, stripPrefix: false, dataPath: '/home/jovyan/work' });
  t.match(by('Shiny'), { repository: 'rocker/shiny', containerPort: 3838, stripPrefix: true });
  t.match(by('Dash'), { repository: 'python', tag: '3.12-slim', containerPort: 8050, stripPrefix: false, environment: { DASH_URL_BASE_PATHNAME: '__KIOSC_URL_PREFIX__' } });
  t.match(by('Streamlit'), { containerPort: 8501, stripPrefix: false });

  // A container from each: the placeholder becomes its own prefix in the command and the environment.
  const p = gw.core.store.projects.byUuid(project)!;
  const spec = (prefix: string) => {
    const tpl = site().find((x) => x.title.startsWith(prefix))!;
    const c = gw.core.store.containers.create(p.id, { ...gw.core.templates.containerInput(tpl, p.id), title: `${prefix} app` });
    return { c, s: buildSpec(c, { instance: 'x', network: 'n', publishHostPort: null, substitutions: [substitutePrefix], log: { maxSize: '1m', maxFiles: 1 }, nofile: null }) };
  };
  const j = spec('Jupyter');
  t.ok(j.s.cmd?.includes(`--ServerApp.base_url=/containers/proxy/${j.c.uuid}/`), `Jupyter: base_url is the prefix (${j.s.cmd?.join(' ')})`);
  t.ok(j.s.cmd?.includes('--IdentityProvider.token='), 'Jupyter: its token is off (Portico admits members only)');
  const d = spec('Dash');
  t.ok(d.s.env.includes(`DASH_URL_BASE_PATHNAME=/containers/proxy/${d.c.uuid}/`), 'Dash: the base path names the container');
  t.same(d.s.cmd?.slice(0, 2), ['sh', '-c']);
  // The script as sh runs it: python gets plain double quotes.
  const code = execFileSync('sh', ['-c', d.s.cmd![2].replace('pip install --no-cache-dir dash && exec python -c', 'printf %s')], { encoding: 'utf8' });
  t.equal(code, 'import dash; from dash import html; app = dash.Dash(__name__); app.layout = html.H1("Hello from Dash"); app.run(host="0.0.0.0", port=8050)', 'Dash: sh hands python the app as written');
  const s = spec('Streamlit');
  t.match(s.s.cmd?.[2], new RegExp(`--server\\.baseUrlPath /containers/proxy/${s.c.uuid}/'?$`), 'Streamlit: baseUrlPath');
  const sh = spec('Shiny');
  t.equal(sh.s.cmd, null, 'Shiny: the image\'s own command');
});
