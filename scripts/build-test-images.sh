#!/usr/bin/env bash
# build-test-images.sh: build the local Docker images Portico's tests run containers of
# (see test/images/README.md). Nothing is pulled: both images are FROM scratch and are
# made of files from this machine.
#
#   portico-test/httpd:1  static busybox + httpd serving test/images/httpd/www
#   portico-test/node:1   Node 24 (node_modules/node) + ws, running a WebSocket echo server
#   portico-test/socketio:1  the socket.io tutorial's chat on portico-test/node:1; express and
#                          socket.io come from the npm registry (pinned versions), at build time
#   portico-test/jupyter:1   Debian's jupyter-notebook (scripts/build-jupyter-image.sh:
#                          debootstrap and apt from Debian's mirror; needs root)
#
# Idempotent and quick when nothing changed: every image carries the label
# portico.test.hash, a sha256 over its build context (paths, modes, file contents).
# When the existing image has the same hash the build is skipped. A rebuilt image's
# predecessor is removed (only when it is labelled portico.test=1 and left untagged).
#
# The first two need nothing from the network; the other two do (npm, Debian's mirror).
#
# Usage: scripts/build-test-images.sh [--force] [--verbose]
#   --force    rebuild even when the hash matches
#   --verbose  stream `docker build` output (otherwise shown only on failure)
# Environment: PORTICO_TEST_BUSYBOX (default /bin/busybox, must be static),
#              PORTICO_TEST_NODE (default node_modules/node/bin/node).
# Prints one line per image: NAME STATE ID SIZE. Exits non-zero on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMAGES=$ROOT/test/images
# Bumped when the way contexts are assembled changes without any input changing.
RECIPE=1

FORCE=0
VERBOSE=0
for arg in "$@"; do
  case $arg in
    --force) FORCE=1 ;;
    --verbose) VERBOSE=1 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-test-images: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

die() { echo "build-test-images: $*" >&2; exit 1; }

# The engine may lack buildx; the classic builder handles these Dockerfiles fine.
export DOCKER_BUILDKIT=0

docker info >/dev/null 2>&1 || die "no Docker engine answers (try scripts/engine-up.sh)"

BUSYBOX=$(readlink -f "${PORTICO_TEST_BUSYBOX:-/bin/busybox}")
NODE_BIN=$(readlink -f "${PORTICO_TEST_NODE:-$ROOT/node_modules/node/bin/node}")
WS_DIR=$(readlink -f "$ROOT/node_modules/ws")
[ -x "$BUSYBOX" ] || die "busybox not found at $BUSYBOX (apt-get install busybox-static)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  die "$BUSYBOX is dynamically linked; a static busybox is needed (busybox-static)"
fi
[ -x "$NODE_BIN" ] || die "node binary not found at $NODE_BIN (npm install)"
[ -f "$WS_DIR/package.json" ] || die "ws package not found at $WS_DIR (npm install)"

TMPDIRS=()
cleanup() {
  local d
  for d in "${TMPDIRS[@]+"${TMPDIRS[@]}"}"; do rm -rf "$d"; done
}
trap cleanup EXIT

# A build context is described by a spec: lines "DEST<TAB>SRC", DEST relative to the
# context root, SRC a file or a directory (copied recursively, symlinks followed).

# spec_hash: sha256 over the context a spec describes (stdin: the spec).
spec_hash() {
  local dest src
  {
    echo "recipe $RECIPE"
    while IFS=$'\t' read -r dest src; do
      if [ -d "$src" ]; then
        (cd "$src" && find -L . -type f | LC_ALL=C sort | while IFS= read -r f; do
          printf '%s %s %s\n' "$dest/${f#./}" "$(stat -L -c %a "$f")" \
            "$(sha256sum < "$f" | cut -d' ' -f1)"
        done)
      elif [ -f "$src" ]; then
        printf '%s %s %s\n' "$dest" "$(stat -L -c %a "$src")" "$(sha256sum < "$src" | cut -d' ' -f1)"
      else
        die "missing build input: $src"
      fi
    done
  } | sha256sum | cut -d' ' -f1
}

# assemble DIR: copy what the spec (stdin) lists into DIR.
assemble() {
  local dir=$1 dest src
  while IFS=$'\t' read -r dest src; do
    mkdir -p "$(dirname "$dir/$dest")"
    if [ -d "$src" ]; then
      cp -RL "$src" "$dir/$dest"
    else
      cp -L "$src" "$dir/$dest"
    fi
  done
}

label_of() { # label_of IMAGE LABEL -> value or empty
  docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true
}

# build NAME SPEC: build image NAME from the context SPEC describes, unless an image of
# that name already carries the same content hash.
build() {
  local name=$1 spec=$2 hash old_id new_id ctx log state
  hash=$(spec_hash <<<"$spec")
  old_id=$(docker image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)
  if [ "$FORCE" = 0 ] && [ -n "$old_id" ] && [ "$(label_of "$name" portico.test.hash)" = "$hash" ]; then
    state=up-to-date
  else
    ctx=$(mktemp -d "${TMPDIR:-/tmp}/portico-test-image.XXXXXX")
    TMPDIRS+=("$ctx")
    assemble "$ctx" <<<"$spec"
    log=$ctx.log
    TMPDIRS+=("$log")
    local cmd=(docker build --force-rm --label portico.test=1 --label "portico.test.hash=$hash"
      -t "$name" "$ctx")
    if [ "$VERBOSE" = 1 ]; then
      "${cmd[@]}" >&2 || die "docker build of $name failed"
    elif ! "${cmd[@]}" >"$log" 2>&1; then
      cat "$log" >&2
      die "docker build of $name failed"
    fi
    rm -rf "$ctx" "$log"
    new_id=$(docker image inspect -f '{{.Id}}' "$name")
    # Drop the superseded image when it is ours and nothing else names it.
    if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ] &&
      [ "$(docker image inspect -f '{{index .Config.Labels "portico.test"}} {{len .RepoTags}}' "$old_id" 2>/dev/null)" = "1 0" ]; then
      docker rmi "$old_id" >/dev/null 2>&1 || true
    fi
    state=built
  fi
  printf '%-22s %-10s %s %s\n' "$name" "$state" \
    "$(docker image inspect -f '{{.Id}}' "$name" | cut -c8-19)" \
    "$(docker image ls --format '{{.Size}}' "$name")"
}

# --- portico-test/httpd:1 ---------------------------------------------------------
httpd_spec=$(printf '%s\t%s\n' \
  Dockerfile "$IMAGES/httpd/Dockerfile" \
  busybox "$BUSYBOX" \
  www "$IMAGES/httpd/www")
build portico-test/httpd:1 "$httpd_spec"

# --- portico-test/node:1 ----------------------------------------------------------
# The shared libraries node needs, each at the path ldd reports (the loader included),
# as regular files (symlinks resolved).
node_libs=$(ldd "$NODE_BIN" | awk '
  $2 == "=>" && $3 ~ /^\// { print $3; next }
  $1 ~ /^\// { print $1 }
  /not found/ { print "NOT-FOUND:" $1 }')
if grep -q '^NOT-FOUND:' <<<"$node_libs"; then
  die "ldd $NODE_BIN: missing libraries: $(grep '^NOT-FOUND:' <<<"$node_libs" | tr '\n' ' ')"
fi
[ -n "$node_libs" ] || die "ldd found no libraries for $NODE_BIN (a static node is not expected)"
node_spec=$(
  printf '%s\t%s\n' \
    Dockerfile "$IMAGES/node/Dockerfile" \
    rootfs/bin/node "$NODE_BIN" \
    rootfs/bin/busybox "$BUSYBOX" \
    rootfs/app/node_modules/ws "$WS_DIR" \
    rootfs/app/ws-echo.mjs "$IMAGES/node/ws-echo.mjs"
  while IFS= read -r lib; do printf '%s\t%s\n' "rootfs$lib" "$lib"; done <<<"$node_libs"
)
build portico-test/node:1 "$node_spec"

# --- portico-test/socketio:1 ------------------------------------------------------
# Hashed over its inputs, the pinned versions and the base image (npm's output is not hashed).
SOCKETIO_PACKAGES="express@4.21.2 socket.io@4.8.1"
sio_name=portico-test/socketio:1
sio_hash=$({
  echo "recipe $RECIPE packages $SOCKETIO_PACKAGES base $(docker image inspect -f '{{.Id}}' portico-test/node:1)"
  cat "$IMAGES/socketio/Dockerfile" "$IMAGES/socketio/index.js" "$IMAGES/socketio/index.html"
} | sha256sum | cut -d' ' -f1)
sio_old=$(docker image inspect -f '{{.Id}}' "$sio_name" 2>/dev/null || true)
if [ "$FORCE" = 0 ] && [ -n "$sio_old" ] && [ "$(label_of "$sio_name" portico.test.hash)" = "$sio_hash" ]; then
  sio_state=up-to-date
else
  ctx=$(mktemp -d "${TMPDIR:-/tmp}/portico-test-image.XXXXXX")
  TMPDIRS+=("$ctx")
  mkdir -p "$ctx/app"
  cp "$IMAGES/socketio/Dockerfile" "$ctx/"
  cp "$IMAGES/socketio/index.js" "$IMAGES/socketio/index.html" "$ctx/app/"
  # The machine's npm settings (registry, proxy, CA) apply; the test runner's NODE_OPTIONS does not.
  # shellcheck disable=SC2086
  if ! env -u NODE_OPTIONS npm install --prefix "$ctx/app" --cache "$ctx/.npm" --no-audit --no-fund --no-save --omit=dev $SOCKETIO_PACKAGES >"$ctx.log" 2>&1; then
    cat "$ctx.log" >&2
    die "npm install of $SOCKETIO_PACKAGES failed (the npm registry must be reachable)"
  fi
  rm -rf "$ctx/.npm" "$ctx.log"
  if ! docker build --force-rm --label portico.test=1 --label "portico.test.hash=$sio_hash" -t "$sio_name" "$ctx" >"$ctx.log" 2>&1; then
    cat "$ctx.log" >&2
    die "docker build of $sio_name failed"
  fi
  rm -f "$ctx.log"
  sio_new=$(docker image inspect -f '{{.Id}}' "$sio_name")
  if [ -n "$sio_old" ] && [ "$sio_old" != "$sio_new" ] &&
    [ "$(docker image inspect -f '{{index .Config.Labels "portico.test"}} {{len .RepoTags}}' "$sio_old" 2>/dev/null)" = "1 0" ]; then
    docker rmi "$sio_old" >/dev/null 2>&1 || true
  fi
  sio_state=built
fi
printf '%-22s %-10s %s %s\n' "$sio_name" "$sio_state" \
  "$(docker image inspect -f '{{.Id}}' "$sio_name" | cut -c8-19)" \
  "$(docker image ls --format '{{.Size}}' "$sio_name")"

# --- portico-test/jupyter:1 -------------------------------------------------------
bash "$ROOT/scripts/build-jupyter-image.sh" $([ "$FORCE" = 1 ] && echo --force)
