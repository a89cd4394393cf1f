/**
 * ready-made.ts: site-wide templates for the apps scientists run most: Jupyter, Shiny, Dash and
 * Streamlit. A site admin adds them from the template list ("Add ready-made templates"); the list
 * is not seeded, so an install whose admin removed them does not get them back at the next start.
 * Adding is idempotent: a template whose title is taken is left as it is.
 *
 * Each one serves the app under `/containers/proxy/<uuid>/` and so works with apps on their own
 * origin (the default) and on the gateway's (same-origin): the apps that can take a base path are
 * given `__KIOSC_URL_PREFIX__` (replaced with that path when the container is created) and get the
 * full path (strip_prefix off); Shiny Server, which has no such setting and links relatively, gets
 * the path with the prefix stripped.
 */
import type { ContainerTemplate } from '../types.ts';

/** ReadyMade is one ready-made template as the template API takes it (Kiosc's field names). */
export interface ReadyMade { title: string; input: Record<string, unknown> }

const P = '__KIOSC_URL_PREFIX__';

/**
 * pipApp is a ready-made app on python:3.12-slim that installs `pkg` with pip when the container
 * starts, then runs `run` in its place (exec), serving on `port` under the full path.
 */
function pipApp(title: string, description: string, port: number, pkg: string, run: string, environment: Record<string, string> = {}): ReadyMade {
  return {
    title,
    input: {
      description, repository: 'python', tag: '3.12-slim', container_port: port,
      command: `sh -c 'pip install --no-cache-dir ${pkg} && exec ${run}'`,
      strip_prefix: false, data_path: '', timeout: 300, environment,
    },
  };
}

/** READY_MADE are the ready-made templates, in the order the list shows them. */
export const READY_MADE: readonly ReadyMade[] = [
  {
    title: 'Jupyter (JupyterLab)',
    input: {
      description: 'JupyterLab from the Jupyter Docker Stacks (minimal-notebook). Notebooks in /home/jovyan/work are kept in a data volume. '
        + 'Jupyter\'s own token is off: Portico already lets only members of the project in. For a stack with more libraries, change the repository '
        + '(quay.io/jupyter/scipy-notebook, r-notebook, datascience-notebook).',
      repository: 'quay.io/jupyter/minimal-notebook', tag: 'latest', container_port: 8888,
      command: `start-notebook.py --ServerApp.base_url=${P} --IdentityProvider.token= --ServerApp.password= --ServerApp.allow_remote_access=True --ServerApp.trust_xheaders=True`,
      strip_prefix: false, data_path: '/home/jovyan/work', timeout: 180, environment: {},
    },
  },
  {
    title: 'Shiny (Shiny Server)',
    input: {
      description: 'Shiny Server from the Rocker project, serving the apps in /srv/shiny-server (the image\'s examples). Build your own image FROM rocker/shiny '
        + 'with your app copied there. Shiny links relatively, so it runs behind the stripped prefix with no setting.',
      repository: 'rocker/shiny', tag: 'latest', container_port: 3838, command: '',
      strip_prefix: true, data_path: '', timeout: 120, environment: {},
    },
  },
  pipApp('Dash (Plotly)', 'A Dash app on python:3.12-slim. The command installs Dash and runs a hello-world app; replace it with your image and app. '
    + 'DASH_URL_BASE_PATHNAME (read by dash.Dash()) tells Dash where it is served.',
  8050, 'dash', 'python -c "import dash; from dash import html; app = dash.Dash(__name__); app.layout = html.H1(\\"Hello from Dash\\"); app.run(host=\\"0.0.0.0\\", port=8050)"',
  { DASH_URL_BASE_PATHNAME: P }),
  pipApp('Streamlit', 'Streamlit on python:3.12-slim. The command installs Streamlit and runs its demo (streamlit hello); replace it with '
    + '"streamlit run your_app.py" and the same --server options in your own image.',
  8501, 'streamlit', `streamlit hello --server.port 8501 --server.address 0.0.0.0 --server.headless true --server.baseUrlPath ${P}`),
];

/** addReadyMade creates each ready-made site template whose title is not taken; returns those it added. */
export function addReadyMade(templates: { site(): ContainerTemplate[]; create(projectId: null, input: unknown): ContainerTemplate }): ContainerTemplate[] {
  const taken = new Set(templates.site().map((t) => t.title));
  return READY_MADE.filter((r) => !taken.has(r.title)).map((r) => templates.create(null, { title: r.title, ...r.input }));
}
