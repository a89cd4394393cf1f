# clean-env.sh (sourced): clean_env CMD... runs CMD from a clean environment. Whatever runs in
# another root filesystem (debootstrap's second stage, chroot) or a container starts from it: the
# caller's environment (a test runner's NODE_OPTIONS=--import=<host path>, NODE_PATH, TMPDIR) names
# paths that do not exist there. Kept: a minimal PATH, HOME, a UTF-8 locale, and the proxy settings
# downloads need.
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
clean_env() {
  local keep=() v
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    if [ -n "${!v:-}" ]; then keep+=("$v=${!v}"); fi
  done
  env -i PATH="$CLEAN_PATH" HOME=/root LANG=C.UTF-8 "${keep[@]+"${keep[@]}"}" "$@"
}
