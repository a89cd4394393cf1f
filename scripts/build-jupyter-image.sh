#!/usr/bin/env bash
# build-jupyter-image.sh: build portico-test/jupyter:1, Debian bookworm's own jupyter-notebook
# (6.4, with python3-ipykernel) in a minimal root filesystem, for the app-origin tests
# (test/proxy/app-origin-apps.test.ts: Jupyter with its default settings, no base_url).
# Called by scripts/build-test-images.sh; on its own it does the same.
#
# debootstrap --variant=minbase from Debian's mirror, then apt-get in a chroot with a clean
# environment (nothing of the caller's, NODE_OPTIONS included, reaches the chroot), then
# `docker import`. A few minutes on a fresh machine; idempotent after that: the image carries the
# label portico.test.hash (over this script), and a matching image is left as it is.
#
# Usage: scripts/build-jupyter-image.sh [--force]
# Environment: PORTICO_DEBIAN_MIRROR (default http://deb.debian.org/debian).
# Prints one line: NAME STATE ID SIZE. Needs root (debootstrap, chroot).
set -euo pipefail

NAME=portico-test/jupyter:1
MIRROR=${PORTICO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
FORCE=0
for arg in "$@"; do
  case $arg in
    --force) FORCE=1 ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-jupyter-image: unknown argument: $arg" >&2; exit 2 ;;
  esac
done
die() { echo "build-jupyter-image: $*" >&2; exit 1; }
# shellcheck source=lib/clean-env.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/clean-env.sh"

docker info >/dev/null 2>&1 || die "no Docker engine answers (try scripts/engine-up.sh)"
HASH=$({ echo "suite $SUITE"; sha256sum < "${BASH_SOURCE[0]}"; } | sha256sum | cut -d' ' -f1)

report() {
  printf '%-22s %-10s %s %s\n' "$NAME" "$1" \
    "$(docker image inspect -f '{{.Id}}' "$NAME" | cut -c8-19)" \
    "$(docker image ls --format '{{.Size}}' "$NAME" | head -n1)"
}

old_id=$(docker image inspect -f '{{.Id}}' "$NAME" 2>/dev/null || true)
if [ "$FORCE" = 0 ] && [ -n "$old_id" ] &&
  [ "$(docker image inspect -f '{{index .Config.Labels "portico.test.hash"}}' "$NAME")" = "$HASH" ]; then
  report up-to-date
  exit 0
fi

[ "$(id -u)" = 0 ] || die "debootstrap needs root"
if ! command -v debootstrap >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portico-jupyter.XXXXXX")
RFS=$WORK/rootfs
cleanup() {
  umount "$RFS/proc" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! clean_env debootstrap --variant=minbase "$SUITE" "$RFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
  tail -n 20 "$WORK/debootstrap.log" >&2
  die "debootstrap failed"
fi
# Only what the tests need: no docs, no man pages, no recommends.
cat >"$RFS/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/locale/*
CFG
echo 'APT::Install-Recommends "false";' >"$RFS/etc/apt/apt.conf.d/no-recommends"
mount -t proc proc "$RFS/proc"
# The chroot gets nothing of the caller (NODE_OPTIONS included) but the proxy settings downloads need.
in_root() { clean_env chroot "$RFS" /usr/bin/env DEBIAN_FRONTEND=noninteractive "$@"; }
if ! { in_root apt-get update -q && in_root apt-get install -y -q jupyter-notebook python3-ipykernel; } >"$WORK/apt.log" 2>&1; then
  tail -n 30 "$WORK/apt.log" >&2
  die "apt-get install jupyter-notebook failed"
fi
in_root apt-get clean
umount "$RFS/proc"
rm -rf "$RFS"/var/lib/apt/lists/* "$RFS"/var/cache/apt/*.bin
mkdir -p "$RFS/srv/notebooks"

# Jupyter's own sign-in is off: Portico decides who gets in. Nothing else is set: no base_url.
tar -C "$RFS" -c . | docker import \
  --change 'LABEL portico.test=1' --change "LABEL portico.test.hash=$HASH" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8' \
  --change 'WORKDIR /srv/notebooks' --change 'EXPOSE 80' \
  --change 'CMD ["jupyter", "notebook", "--ip=0.0.0.0", "--port=80", "--allow-root", "--no-browser", "--NotebookApp.token=", "--NotebookApp.password="]' \
  - "$NAME" >/dev/null
new_id=$(docker image inspect -f '{{.Id}}' "$NAME")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ] &&
  [ "$(docker image inspect -f '{{index .Config.Labels "portico.test"}} {{len .RepoTags}}' "$old_id" 2>/dev/null)" = "1 0" ]; then
  docker rmi "$old_id" >/dev/null 2>&1 || true
fi
report built
