/**
 * private-swarm.ts (test helper): a single-node Docker Swarm on a private dockerd of the test's own
 * (private-dockerd.ts), never the shared engine. Before `docker swarm init` its docker_gwbridge
 * network is made on a Linux bridge with a unique short name (`sg-…`) and a free 10.x.y.0/24, so it
 * cannot collide with the shared engine's or another private swarm's; the swarm advertises and
 * listens on the private engine's own bridge address, at a free port. Destroy removes the services,
 * leaves the swarm and removes both bridges.
 */
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { startPrivateDockerd } from './private-dockerd.ts';
import type { PrivateDockerd } from './private-dockerd.ts';

/** PrivateSwarm is a private engine that is a swarm manager; `gwbridge` is its docker_gwbridge Linux bridge. */
export interface PrivateSwarm extends PrivateDockerd {
  readonly gwbridge: string;
  readonly nodeId: string;
  /** init makes the engine a swarm manager (again, after `leave`: a new swarm on the same bridges). */
  init(): void;
  leave(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const p = (srv.address() as net.AddressInfo).port; srv.close(() => resolve(p)); });
  });
}

/** bridgeAddress is the IPv4 address of a host link. */
function bridgeAddress(link: string): string {
  const out = execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', link], { encoding: 'utf8' });
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(out);
  if (!m) throw new Error(`no IPv4 address on ${link}`);
  return m[1];
}

function freeSubnet(): string {
  const used = new Set([...execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).matchAll(/inet (10\.\d+\.\d+)\.\d+\//g)].map((m) => m[1]));
  for (let i = 0; i < 50; i++) {
    const net24 = `10.${100 + randomInt(50)}.${randomInt(250)}`;
    if (!used.has(net24)) return net24;
  }
  throw new Error('no free 10.x.y.0/24 for the swarm\'s docker_gwbridge');
}

/** startPrivateSwarm starts a private engine, loads `images` and makes it a single-node swarm manager (`swarm: false`: a plain engine with the bridge ready). */
export async function startPrivateSwarm(opts: { images: string[]; swarm?: boolean }): Promise<PrivateSwarm> {
  const pd = await startPrivateDockerd({ images: opts.images, network: null });
  const gwbridge = `sg-${randomBytes(4).toString('hex')}`;
  let nodeId = '';
  try {
    const subnet = freeSubnet();
    pd.docker(`network create --driver bridge --subnet ${subnet}.0/24 --gateway ${subnet}.1 -o com.docker.network.bridge.name=${gwbridge} -o com.docker.network.bridge.enable_icc=false -o com.docker.network.bridge.enable_ip_masquerade=false docker_gwbridge`);
  } catch (err) {
    await pd.destroy();
    throw err;
  }
  const addr = bridgeAddress(pd.bridge);
  const port = await freePort();
  const pool = `10.${50 + randomInt(50)}.0.0/16`;
  const init = () => {
    pd.docker(`swarm init --advertise-addr ${addr}:${port} --listen-addr ${addr}:${port} --default-addr-pool ${pool} --default-addr-pool-mask-length 24`);
    nodeId = pd.docker("info --format '{{.Swarm.NodeID}}'").trim();
  };
  const leave = () => { pd.docker('swarm leave --force'); };
  if (opts.swarm !== false) {
    try {
      init();
    } catch (err) {
      await pd.destroy();
      try { execFileSync('ip', ['link', 'del', gwbridge], { stdio: 'ignore' }); } catch { /* gone with the network */ }
      throw err;
    }
  }
  return {
    ...pd,
    running: pd.running,
    gwbridge,
    get nodeId() { return nodeId; },
    init,
    leave,
    async destroy() {
      try {
        const services = pd.docker('service ls -q').trim().split('\n').filter(Boolean);
        if (services.length) pd.docker(`service rm ${services.join(' ')}`);
      } catch { /* not a manager (any more) */ }
      try { leave(); } catch { /* not in a swarm */ }
      // Task containers go with the services; then the bridge network (and its Linux bridge) can go.
      for (let i = 0; i < 50; i++) {
        try { if (!pd.docker('ps -aq').trim()) break; } catch { break; }
        await new Promise((r) => setTimeout(r, 100));
      }
      try { pd.docker('network rm docker_gwbridge'); } catch { /* removed below */ }
      await pd.destroy();
      try { execFileSync('ip', ['link', 'del', gwbridge], { stdio: 'ignore' }); } catch { /* already gone */ }
    },
  };
}
