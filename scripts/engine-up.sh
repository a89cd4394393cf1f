#!/usr/bin/env bash
# engine-up.sh: make sure a Docker engine answers on this machine.
# Installs Debian's docker.io when no engine binary exists and starts dockerd in the
# background when none answers, then waits for `docker info`. Idempotent.
set -euo pipefail

log() { printf '[engine-up] %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1; then
  log "a Docker engine already answers"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    log "no dockerd found and not root: install Docker (apt-get install docker.io) and start it"
    exit 1
  fi
  log "installing docker.io from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q docker.io >/dev/null
fi

log "starting dockerd in the background (log: /var/log/portico-dockerd.log)"
# setsid detaches dockerd from this shell so it outlives the calling script.
setsid dockerd >/var/log/portico-dockerd.log 2>&1 < /dev/null &
echo $! > /run/portico-dockerd.pid

for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    log "engine ready"
    exit 0
  fi
  sleep 0.5
done
log "dockerd did not answer within 60 s; last lines of its log:"
tail -n 20 /var/log/portico-dockerd.log >&2 || true
exit 1
