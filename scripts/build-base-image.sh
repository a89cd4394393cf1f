#!/usr/bin/env bash
# build-base-image.sh: create the base image Portico's Dockerfile names in FROM,
# node:24-bookworm-slim, on an engine that cannot pull it (no registry reachable).
#
# The stand-in follows the official image's layout, so the Dockerfile builds the same on
# either: a slim Debian bookworm (debootstrap --variant=minbase from Debian's mirror, then
# docs, man pages, locales and apt lists removed, as debian:bookworm-slim does), Node 24 at
# /usr/local/bin/node (node_modules/node's binary, symbols stripped), npm at
# /usr/local/lib/node_modules/npm (this machine's npm, for `npm ci` in the build stage),
# and the user node (1000:1000).
#
# Idempotent: the image carries the label portico.base.hash (over the recipe, the node
# binary and the npm version); when it matches, nothing is done. An image of that tag
# that this script did not make (a real one pulled from a registry) is left alone.
#
# Usage: scripts/build-base-image.sh [--force]
# Environment: PORTICO_BASE_IMAGE (tag, default node:24-bookworm-slim),
#              PORTICO_DEBIAN_MIRROR (default http://deb.debian.org/debian),
#              PORTICO_BASE_NODE (default node_modules/node/bin/node).
# Prints one line: TAG STATE ID SIZE. Needs root (debootstrap); installs debootstrap if missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TAG=${PORTICO_BASE_IMAGE:-node:24-bookworm-slim}
MIRROR=${PORTICO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# Bumped when the way the root filesystem is assembled changes.
RECIPE=1

FORCE=0
for arg in "$@"; do
  case $arg in
    --force) FORCE=1 ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-base-image: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

die() { echo "build-base-image: $*" >&2; exit 1; }
log() { echo "build-base-image: $*" >&2; }

# What runs in the new root filesystem (debootstrap, chroot) starts from a clean environment.
# shellcheck source=lib/clean-env.sh
. "$ROOT/scripts/lib/clean-env.sh"
# host_node runs this machine's node binary without the caller's NODE_* settings either.
host_node() { env -u NODE_OPTIONS -u NODE_PATH "$NODE_BIN" "$@"; }

docker info >/dev/null 2>&1 || die "no Docker engine answers (try scripts/engine-up.sh)"

NODE_BIN=$(readlink -f "${PORTICO_BASE_NODE:-$ROOT/node_modules/node/bin/node}")
[ -x "$NODE_BIN" ] || die "node binary not found at $NODE_BIN (npm ci)"
NODE_VERSION=$(host_node -p 'process.versions.node')
[ "${NODE_VERSION%%.*}" = 24 ] || die "$NODE_BIN is Node $NODE_VERSION, not 24"
# The npm on PATH is a link to .../npm/bin/npm-cli.js (`npm root -g` would follow whichever node is first on PATH).
NPM_CLI=$(readlink -f "$(command -v npm)") || die "npm not found on PATH"
NPM_DIR=$(dirname "$(dirname "$NPM_CLI")")
[ -f "$NPM_DIR/package.json" ] || die "npm not found at $NPM_DIR"
NPM_VERSION=$(host_node -p "require('$NPM_DIR/package.json').version")

HASH=$({
  echo "recipe $RECIPE suite $SUITE npm $NPM_VERSION"
  sha256sum < "$NODE_BIN"
  sha256sum < "${BASH_SOURCE[0]}"
} | sha256sum | cut -d' ' -f1)

report() {
  printf '%-24s %-10s %s %s\n' "$TAG" "$1" \
    "$(docker image inspect -f '{{.Id}}' "$TAG" | cut -c8-19)" \
    "$(docker image ls --format '{{.Size}}' "$TAG" | head -n1)"
}

old_id=$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)
if [ -n "$old_id" ]; then
  old_hash=$(docker image inspect -f '{{index .Config.Labels "portico.base.hash"}}' "$TAG")
  if [ -z "$old_hash" ] || [ "$old_hash" = "<no value>" ]; then
    log "$TAG exists and was not made by this script (a real image?); using it as it is"
    report existing
    exit 0
  fi
  if [ "$FORCE" = 0 ] && [ "$old_hash" = "$HASH" ]; then
    report up-to-date
    exit 0
  fi
fi

[ "$(id -u)" = 0 ] || die "debootstrap needs root"
if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends debootstrap >/dev/null
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portico-base.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RFS=$WORK/rootfs

log "debootstrap $SUITE (minbase) from $MIRROR"
if ! clean_env debootstrap --variant=minbase "$SUITE" "$RFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
  tail -n 20 "$WORK/debootstrap.log" >&2
  die "debootstrap failed"
fi

# Slim it the way debian:*-slim is: keep dpkg's bookkeeping, drop what no program reads, and
# tell dpkg to skip the same paths when a derived image installs packages.
cat >"$RFS/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
EOF
cat >"$RFS/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
echo 'APT::Install-Recommends "false";' >"$RFS/etc/apt/apt.conf.d/docker-no-recommends"
find "$RFS/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$RFS/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$RFS"/usr/share/{man,groff,info,lintian,linda}/*
find "$RFS/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
rm -rf "$RFS"/var/cache/apt/* "$RFS"/var/lib/apt/lists/* "$RFS"/var/log/* "$RFS"/tmp/* "$RFS"/var/tmp/*
rm -f "$RFS"/var/cache/debconf/*-old "$RFS"/var/lib/dpkg/*-old
printf '%s\n' "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" \
  "deb http://deb.debian.org/debian-security $SUITE-security main" >"$RFS/etc/apt/sources.list"
: >"$RFS/etc/hostname"
: >"$RFS/etc/resolv.conf"

log "adding Node $NODE_VERSION and npm $NPM_VERSION"
mkdir -p "$RFS/usr/local/bin" "$RFS/usr/local/lib/node_modules"
if command -v strip >/dev/null 2>&1; then
  # The npm package's binary carries debug info (about 18 MB) no one reads in production.
  strip --strip-all -o "$RFS/usr/local/bin/node" "$NODE_BIN"
else
  cp "$NODE_BIN" "$RFS/usr/local/bin/node"
fi
chmod 755 "$RFS/usr/local/bin/node"
cp -R "$NPM_DIR" "$RFS/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$RFS/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$RFS/usr/local/bin/npx"
clean_env chroot "$RFS" /usr/sbin/groupadd --gid 1000 node
clean_env chroot "$RFS" /usr/sbin/useradd --uid 1000 --gid node --shell /bin/bash --create-home node
got=$(clean_env chroot "$RFS" /usr/local/bin/node -p 'process.version') || die "node does not run in the new root filesystem"
[ "$got" = "v$NODE_VERSION" ] || die "node in the root filesystem says $got"
rm -rf "$RFS"/dev/* "$RFS"/proc/* "$RFS"/sys/* "$RFS"/run/*

log "importing as $TAG"
tar -C "$RFS" --numeric-owner -cf - . | docker import \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' \
  --change "LABEL portico.base=stand-in" \
  --change "LABEL portico.base.hash=$HASH" \
  --change "LABEL org.opencontainers.image.description=\"Local stand-in for the official $TAG, made by scripts/build-base-image.sh\"" \
  - "$TAG" >/dev/null

new_id=$(docker image inspect -f '{{.Id}}' "$TAG")
# Drop our own superseded stand-in when nothing else names it.
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ] &&
  [ "$(docker image inspect -f '{{index .Config.Labels "portico.base"}} {{len .RepoTags}}' "$old_id" 2>/dev/null)" = "stand-in 0" ]; then
  docker rmi "$old_id" >/dev/null 2>&1 || true
fi
report built
