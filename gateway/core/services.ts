/**
 * services.ts: the bundle of core services the surfaces (REST API, UI, proxy) receive from the
 * composition root. Surfaces depend on this type, never on how it was built.
 */
import type { Config } from './config.ts';
import type { Engine } from './engine/engine.ts';
import type { Bus } from './events.ts';
import type { Logger } from './log.ts';
import type { Store } from './store/index.ts';
import type { ContainerService } from './containers/service.ts';
import type { Access } from './auth/access.ts';
import type { Authenticator } from './auth/authenticate.ts';
import type { SessionStore } from './auth/sessions.ts';
import type { Registry } from './metrics.ts';
import type { AccessRecorder } from './containers/access-recorder.ts';
import type { LoginService } from './auth/login.ts';
import type { OidcLogin } from './auth/oidc.ts';
import type { SiteMode } from './site-mode.ts';
import type { FileService } from './files/service.ts';
import type { TemplateService } from './templates/service.ts';
import type { ProjectService } from './projects/service.ts';
import type { SodarSync } from './sodar/sync.ts';
import type { ImageHosts } from './image-hosts/service.ts';
import type { Audit } from './audit.ts';
import type { ShareService } from './shares/service.ts';
import type { LiveConnections } from './shares/live.ts';
import type { AppService } from './apps/service.ts';
import type { OneTimeLinks } from './sharing/one-time-links.ts';
import type { Hosts } from './hosts/registry.ts';

/** Health is what /healthz reports. */
export interface Health { engineUp(): boolean; reconnects(): number }

/** Services is everything a surface may use. */
export interface Services {
  config: Config;
  store: Store;
  /** engine is the built-in host's engine; calls about one container go to that container's host (hosts/routed-engine.ts). */
  engine: Engine;
  /** hosts are the container hosts (docs/container-hosts.md). */
  hosts: Hosts;
  bus: Bus;
  logger: Logger;
  containers: ContainerService;
  access: Access;
  auth: Authenticator;
  sessions: SessionStore;
  health: Health;
  /** metrics is the one Prometheus registry; modules add their metrics at build time. */
  metrics: Registry;
  /** accessRecorder holds last-access times in memory (the proxy records, the idle rule reads). */
  accessRecorder: AccessRecorder;
  /** login checks passwords (local and LDAP) under the failed-login throttle. */
  login: LoginService;
  /** oidc is OpenID Connect login, or null when ENABLE_OIDC is off. */
  oidc: OidcLogin | null;
  /** siteMode is the live read-only switch. */
  siteMode: SiteMode;
  files: FileService;
  templates: TemplateService;
  /** projects is the one way to change projects and role assignments. */
  projects: ProjectService;
  /** sodar pulls projects, users and roles from a SODAR source site (TARGET mode; docs/sodar-sync.md). */
  sodar: SodarSync;
  /** imageHosts are the registries and their credentials (docs/image-hosts.md). */
  imageHosts: ImageHosts;
  /** audit is the audit trail (audit.ts): who did what, when. */
  audit: Audit;
  /** shares is session sharing of instances (shares/service.ts); live who is connected to them now (shares/live.ts). */
  shares: ShareService;
  live: LiveConnections;
  /** apps is the app platform: catalogue, grants, per-user instances (docs/apps.md). */
  apps: AppService;
  /** links are invitations to projects and password reset links (docs/invitations.md). */
  links: OneTimeLinks;
}
