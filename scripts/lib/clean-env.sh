# clean-env.sh (sourced): clean_env CMD... runs CMD from a clean environment. Whatever runs in
# another root filesystem (debootstrap's second stage, chroot) or a container starts from it: the
# caller's environment (a test runner's NODE_OPTIONS=--import=<host path>, NODE_PATH, TMPDIR) names
# paths that do not exist there. Kept: a minimal PATH, HOME, a UTF-8 locale, and the proxy settings
# downloads need. clean_env_list fills the array CLEAN_ENV with the same, for `env -i` by hand.
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
clean_env_list() {
  local v
  CLEAN_ENV=(PATH="$CLEAN_PATH" HOME=/root LANG=C.UTF-8)
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    if [ -n "${!v:-}" ]; then CLEAN_ENV+=("$v=${!v}"); fi
  done
}
clean_env() {
  clean_env_list
  env -i "${CLEAN_ENV[@]}" "$@"
}
