/**
 * migrations.ts: the numbered schema migrations. Index i brings user_version from i to i+1.
 * Append only: never edit a migration that has shipped.
 */

/** MIGRATIONS is the ordered list of SQL scripts. */
export const MIGRATIONS: readonly string[] = [
  // 1: the first complete schema.
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    is_admin INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'ldap')),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
  );

  CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    expires_at TEXT
  );
  CREATE INDEX api_tokens_user ON api_tokens(user_id);

  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(user_id);

  CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
  );

  CREATE TABLE memberships (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'delegate', 'contributor', 'guest')),
    PRIMARY KEY (project_id, user_id)
  );
  CREATE INDEX memberships_user ON memberships(user_id);

  CREATE TABLE containers (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    repository TEXT NOT NULL,
    tag TEXT NOT NULL,
    container_port INTEGER NOT NULL DEFAULT 80,
    container_path TEXT NOT NULL DEFAULT '',
    heartbeat_url TEXT NOT NULL DEFAULT '',
    timeout INTEGER NOT NULL DEFAULT 60,
    environment TEXT NOT NULL DEFAULT '{}',
    environment_secret_keys TEXT NOT NULL DEFAULT '',
    command TEXT NOT NULL DEFAULT '',
    max_retries INTEGER NOT NULL DEFAULT 5,
    inactivity_threshold REAL NOT NULL DEFAULT 7,
    strip_prefix INTEGER NOT NULL DEFAULT 1,
    template_site_uuid TEXT,
    template_project_uuid TEXT,
    state TEXT NOT NULL DEFAULT 'initial',
    docker_id TEXT,
    docker_name TEXT,
    image_id TEXT,
    container_ip TEXT,
    host_port INTEGER,
    last_action TEXT,
    last_action_retries INTEGER NOT NULL DEFAULT 0,
    last_action_at TEXT,
    state_reason TEXT,
    date_last_docker_log TEXT,
    date_accessed TEXT,
    date_started TEXT,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    UNIQUE (project_id, title)
  );
  CREATE INDEX containers_state ON containers(state);
  CREATE INDEX containers_docker_id ON containers(docker_id);

  CREATE TABLE container_logs (
    id INTEGER PRIMARY KEY,
    container_id INTEGER NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    level TEXT NOT NULL,
    user TEXT NOT NULL,
    process TEXT NOT NULL,
    text TEXT NOT NULL
  );
  CREATE INDEX container_logs_container ON container_logs(container_id, id);

  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    container_id INTEGER NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    user TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX jobs_container ON jobs(container_id, id);

  CREATE TABLE templates (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX templates_project_title ON templates(project_id, title) WHERE project_id IS NOT NULL;
  CREATE UNIQUE INDEX templates_site_title ON templates(title) WHERE project_id IS NULL;

  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, name)
  );

  CREATE TABLE uptime_samples (
    container_id INTEGER NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    state TEXT NOT NULL
  );
  CREATE INDEX uptime_samples_container ON uptime_samples(container_id, at);

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: container lists are paged newest first; these indexes serve that order (per project and
  // site-wide) without sorting every row: 20 ms → 2 ms per page at 10,000 containers (bench/ui.ts).
  `
  CREATE INDEX containers_project_created ON containers(project_id, created_at, id);
  CREATE INDEX containers_created ON containers(created_at, id);
  `,
  // 3: persistence (docs/persistence.md): an optional data volume's mount path, and who stopped a
  // container (a person, or the idle rule), so background requests do not start it again.
  `
  ALTER TABLE containers ADD COLUMN data_path TEXT NOT NULL DEFAULT '';
  ALTER TABLE containers ADD COLUMN stopped_by TEXT;
  ALTER TABLE containers ADD COLUMN stopped_idle INTEGER NOT NULL DEFAULT 0;
  `,
  // 4: a running container whose app did not answer within its timeout keeps why (shown in the UI
  // and the API until its next run).
  `
  ALTER TABLE containers ADD COLUMN readiness_failure TEXT;
  `,
  // 5: an app origin's own sign-in (docs/app-origins.md). Each row hangs off one gateway session
  // and goes with it: logout, expiry, deactivation (which ends the user's sessions) all cascade.
  `
  CREATE TABLE app_sessions (
    id_hash TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL REFERENCES sessions(id_hash) ON DELETE CASCADE,
    container_uuid TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX app_sessions_session ON app_sessions(session_hash);
  `,
  // 6: the Kiosc import (docs/kiosc-import.md): which Portico record each Kiosc row became (by
  // kind and Kiosc's integer id, so old clients' integer template ids resolve), the fingerprint of
  // the row last imported (a second run changes nothing), and API tokens in Knox's digest scheme.
  `
  CREATE TABLE kiosc_id_map (
    kind TEXT NOT NULL,
    kiosc_id INTEGER NOT NULL,
    portico_uuid TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (kind, kiosc_id)
  );
  CREATE INDEX kiosc_id_map_uuid ON kiosc_id_map(portico_uuid);
  ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'portico' CHECK (kind IN ('portico', 'knox'));
  `,
  // 7: projects and people over the API (docs/projects-api.md): a readme, the archive flag, a
  // durable delete intent (the delete finishes after a kill), and a UUID per role assignment
  // (SODAR addresses assignments by UUID); existing assignments get a random version-4 UUID.
  `
  ALTER TABLE projects ADD COLUMN readme TEXT NOT NULL DEFAULT '';
  ALTER TABLE projects ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE projects ADD COLUMN deleting_at TEXT;
  ALTER TABLE memberships ADD COLUMN uuid TEXT;
  UPDATE memberships SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)
    || '-' || substr('89ab', 1 + abs(random() % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
  CREATE UNIQUE INDEX memberships_uuid ON memberships(uuid);
  `,
  // 8: OpenID Connect users (docs/identity.md): the provider's (issuer, subject) pair names the
  // user on every login, whatever the user name claim says later. A user with a row here is an
  // OIDC user (no password login); users.source's CHECK cannot be widened without a table rebuild.
  `
  CREATE TABLE oidc_identities (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (issuer, subject)
  );
  `,
  // 9: SODAR sync (docs/sodar-sync.md): which projects and users a SODAR source site owns here.
  // A synced project's title, description and roles change only through the sync.
  `
  CREATE TABLE sodar_projects (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    source_url TEXT NOT NULL,
    level TEXT NOT NULL,
    synced_at TEXT NOT NULL
  );
  CREATE TABLE sodar_users (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    synced_at TEXT NOT NULL
  );
  `,
  // 10: Kiosc's API (docs/api.md, "Kiosc compatibility"): when the state last changed, the host port
  // a client asked for (kept as posted; used when ports are published), and which of Kiosc's nullable
  // text fields were never given (Kiosc shows null for them). Kiosc's integer ids are in kiosc_id_map (6).
  `
  ALTER TABLE containers ADD COLUMN date_last_status_update TEXT;
  ALTER TABLE containers ADD COLUMN requested_host_port INTEGER;
  ALTER TABLE containers ADD COLUMN unset_fields TEXT NOT NULL DEFAULT '';
  CREATE UNIQUE INDEX containers_requested_host_port ON containers(requested_host_port) WHERE requested_host_port IS NOT NULL;
  `,
  // 11: the app platform (issue 16; docs/apps.md). A catalogue app is an image plus launch settings,
  // read from its labels or defined by a site admin; a grant gives it to a user or to every member of
  // a project under a policy; a per-user instance is an ordinary container row (same lifecycle, proxy,
  // waiting page and log) whose owner_user_id/app_id/policy_key say whose and which choice it is, and
  // which lives in the one hidden project of kind 'apps' (projects.kind; lists show kind 'project').
  // Shares let an instance's owner invite others to view or use it; audit_events is the trail of
  // who did what, when (kept as text, so a deleted user's actions stay readable).
  `
  ALTER TABLE projects ADD COLUMN kind TEXT NOT NULL DEFAULT 'project' CHECK (kind IN ('project', 'apps'));
  CREATE TABLE apps (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL UNIQUE,
    image TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('labels', 'admin')),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    icon BLOB,
    icon_type TEXT,
    settings TEXT NOT NULL DEFAULT '{}',
    overrides TEXT NOT NULL DEFAULT '{}',
    label_problems TEXT NOT NULL DEFAULT '[]',
    public INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    image_id TEXT,
    scanned_at TEXT,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL
  );
  CREATE TABLE app_grants (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
    allow_home INTEGER NOT NULL DEFAULT 0,
    allow_view INTEGER NOT NULL DEFAULT 0,
    volume_source TEXT,
    volume_target TEXT,
    volume_mode TEXT CHECK (volume_mode IS NULL OR volume_mode IN ('ro', 'rw')),
    policy_key TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    CHECK ((user_id IS NULL) != (project_id IS NULL))
  );
  CREATE INDEX app_grants_app ON app_grants(app_id);
  CREATE INDEX app_grants_user ON app_grants(user_id);
  CREATE INDEX app_grants_project ON app_grants(project_id);
  ALTER TABLE containers ADD COLUMN owner_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
  ALTER TABLE containers ADD COLUMN app_id INTEGER REFERENCES apps(id) ON DELETE SET NULL;
  ALTER TABLE containers ADD COLUMN policy_key TEXT;
  ALTER TABLE containers ADD COLUMN public_session TEXT;
  CREATE UNIQUE INDEX containers_instance ON containers(owner_user_id, app_id, policy_key)
    WHERE app_id IS NOT NULL AND owner_user_id IS NOT NULL;
  CREATE INDEX containers_owner ON containers(owner_user_id) WHERE owner_user_id IS NOT NULL;
  CREATE TABLE container_shares (
    container_id INTEGER NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    mode TEXT NOT NULL CHECK (mode IN ('view', 'use')),
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (container_id, user_id)
  );
  CREATE INDEX container_shares_user ON container_shares(user_id);
  CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_user_id INTEGER,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_uuid TEXT NOT NULL DEFAULT '',
    object_title TEXT NOT NULL DEFAULT '',
    project_id INTEGER,
    container_id INTEGER,
    detail TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX audit_events_at ON audit_events(at);
  CREATE INDEX audit_events_container ON audit_events(container_id, at) WHERE container_id IS NOT NULL;
  CREATE INDEX audit_events_project ON audit_events(project_id, at) WHERE project_id IS NOT NULL;
  `,
  // 12: image hosts (docs/image-hosts.md): registries with optional credentials. The password is sealed (AES-256-GCM) and never read back out
  // to a surface; at most one host is the default.
  `
  CREATE TABLE image_hosts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    address TEXT NOT NULL UNIQUE COLLATE NOCASE,
    username TEXT NOT NULL DEFAULT '',
    password_sealed TEXT NOT NULL DEFAULT '',
    ca_cert TEXT NOT NULL DEFAULT '',
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX image_hosts_default ON image_hosts(is_default) WHERE is_default = 1;
  `,
  // 13: whether a grant lets its users set the image's env.* variables at launch.
  `
  ALTER TABLE app_grants ADD COLUMN allow_env INTEGER NOT NULL DEFAULT 0;
  `,
  // 14: invitations to a project (docs/invitations.md) and one-time password reset links. Only a hash of each token is
  // stored; a link works once (used_at) and until expires_at.
  `
  CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    invitee TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('delegate', 'contributor', 'guest')),
    container_uuid TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by INTEGER REFERENCES users(id) ON DELETE SET NULL
  );
  CREATE INDEX invitations_project ON invitations(project_id);
  CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
  );
  `,
  // 15: the uptime index covers the state, so the detail page's 240 bucket counts (running, down, stopped) read the
  // index alone instead of a month of rows (docs/ui.md, the uptime card).
  `
  DROP INDEX uptime_samples_container;
  CREATE INDEX uptime_samples_container ON uptime_samples(container_id, at, state);
  `,
  // 16: container hosts (docs/container-hosts.md): engines Portico drives besides DOCKER_HOST's. The
  // built-in `local` row stands for DOCKER_HOST and is kept in step with it at start-up. A null
  // host_id on a container or template means that local host. The client key is stored like a
  // container's secret environment values: never shown again.
  `
  CREATE TABLE hosts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    url TEXT NOT NULL,
    mode TEXT NOT NULL DEFAULT 'engine' CHECK (mode IN ('engine', 'swarm')),
    tls_ca TEXT,
    tls_cert TEXT,
    tls_key TEXT,
    publish_address TEXT,
    builtin INTEGER NOT NULL DEFAULT 0,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX hosts_one_default ON hosts(is_default) WHERE is_default = 1;
  CREATE UNIQUE INDEX hosts_one_builtin ON hosts(builtin) WHERE builtin = 1;
  ALTER TABLE containers ADD COLUMN host_id INTEGER REFERENCES hosts(id);
  ALTER TABLE templates ADD COLUMN host_id INTEGER REFERENCES hosts(id);
  `,
  // 17: an audit event remembers the owner of the instance it is
  // about, so the owner still reads the trail of an instance that was deleted since (docs/sharing.md).
  `
  ALTER TABLE audit_events ADD COLUMN owner_user_id INTEGER;
  CREATE INDEX audit_events_owner ON audit_events(owner_user_id, at) WHERE owner_user_id IS NOT NULL;
  `,
  // 18: a public app's visitor (docs/apps.md) is marked, not told by a name prefix that a directory
  // or an admin could also give a person: a guest is no person (no user lists, no pickers, no UI or
  // API) and only guests are removed by the public sweep. Existing guests are the rows the app code made.
  `
  ALTER TABLE users ADD COLUMN is_guest INTEGER NOT NULL DEFAULT 0;
  UPDATE users SET is_guest = 1 WHERE username LIKE 'public-%' AND password_hash IS NULL AND is_admin = 0 AND name = 'Public visitor';
  `,
];
