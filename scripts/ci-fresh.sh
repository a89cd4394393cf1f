#!/usr/bin/env bash
# ci-fresh.sh: run `.ci/run` the way CI does on a fresh machine, without disturbing this one.
#
# A green run on a developer machine can hide a missing set-up step, because its engine already
# has the images (the base image node:24-bookworm-slim included). This script clones HEAD into a
# temp dir and runs `bash .ci/run` there with CI=true against a private dockerd whose data root is
# empty: no images, no networks but its own, with the machine's environment less what a session or a
# test runner set (NODE_OPTIONS, npm_*), as CI runs it. The private engine has a bridge of its own (never
# the host's docker0) and no iptables rules; the shared engine and its networks are left alone.
# Limit: where the host's FORWARD policy is DROP with bridge-nf-call-iptables on (the shared engine
# sets that), traffic between two containers of the private engine is dropped, so the docker-shared
# tests (test/deploy/image.test.ts from the on-demand start on, test/files/docker-shared.test.ts)
# fail here and only here; CI's own engine is the machine's one and has its rules.
#
# Usage: bash scripts/ci-fresh.sh [--keep]     (--keep leaves the temp dir for a look afterwards)
# Prints the run's output, then one line: `ci-fresh: exit N in S s (log: FILE)`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1
[ "$(id -u)" = 0 ] || { echo "ci-fresh: needs root (a private dockerd and a bridge)" >&2; exit 1; }
command -v dockerd >/dev/null || { echo "ci-fresh: no dockerd (bash scripts/engine-up.sh installs it)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/cif.XXXXXX)
BR="cif$(printf '%04x' $((RANDOM % 65536)))"
NET="10.$((180 + RANDOM % 20)).$((RANDOM % 250)).1/24"
SOCK=$WORK/d.sock
DPID=""

cleanup() {
  if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
    for c in $(docker -H "unix://$SOCK" ps -aq 2>/dev/null); do docker -H "unix://$SOCK" rm -f "$c" >/dev/null 2>&1 || true; done
    kill "$DPID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$DPID" 2>/dev/null || true
  fi
  ip link del "$BR" 2>/dev/null || true
  if [ "$KEEP" = 0 ]; then
    # Overlay mounts of a killed engine may linger; unmount before removing.
    grep -o "$WORK/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$WORK" 2>/dev/null || true
  fi
}
trap cleanup EXIT

git clone -q "$ROOT" "$WORK/repo"
ip link add name "$BR" type bridge
ip addr add "$NET" dev "$BR"
ip link set "$BR" up

env -u NODE_OPTIONS dockerd --data-root "$WORK/data" --exec-root "$WORK/exec" --pidfile "$WORK/d.pid" \
  -H "unix://$SOCK" --bridge="$BR" --iptables=false --ip6tables=false --ip-masq=false \
  >"$WORK/dockerd.log" 2>&1 </dev/null &
DPID=$!
for _ in $(seq 1 120); do docker -H "unix://$SOCK" info >/dev/null 2>&1 && break; sleep 0.5; done
docker -H "unix://$SOCK" info >/dev/null 2>&1 || { tail -n 20 "$WORK/dockerd.log" >&2; exit 1; }
echo "ci-fresh: private engine at unix://$SOCK (bridge $BR, $NET), images: $(docker -H "unix://$SOCK" images -q | wc -l)" >&2

LOG=/tmp/ci-fresh-$(date +%Y%m%d-%H%M%S).log
start=$(date +%s)
set +e
# CI keeps the machine's environment (registry CA, proxy settings) but nothing a session or a test
# runner set for itself: NODE_OPTIONS and npm's per-run variables go.
(cd "$WORK/repo" && env -u NODE_OPTIONS -u NODE_PATH $(env | grep -o '^npm_[a-z_]*' | sed 's/^/-u /') \
  CI=true DOCKER_HOST="unix://$SOCK" bash .ci/run </dev/null) 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e
echo "ci-fresh: exit $rc in $(( $(date +%s) - start )) s (log: $LOG)"
exit "$rc"
