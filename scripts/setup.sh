#!/usr/bin/env bash
# setup.sh: everything a fresh machine (Debian, root, Node 20, no Docker engine running) lacks.
#   bash scripts/setup.sh          install npm packages (incl. Node 24) and start a Docker engine
#   bash scripts/setup.sh --test   also install the test peers (busybox, slapd, chromium, nginx, postgresql)
#                                  and build the local test images
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

bash scripts/engine-up.sh

if [ "$want_test" = 1 ]; then
  missing=()
  for pkg in busybox-static slapd ldap-utils chromium nginx postgresql docker-registry openssl; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      log "missing Debian packages (${missing[*]}); install them as root"
      exit 1
    fi
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # The Kiosc import test runs its own private cluster; Debian's default one is not wanted.
    if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
      mkdir -p /etc/postgresql-common
      echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
    fi
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
  bash scripts/build-test-images.sh
fi
log "ready"
