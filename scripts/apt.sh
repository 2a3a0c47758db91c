# Shared by the ensure-*-deps scripts: quiet, idempotent installs of Debian packages.
# Source it; it defines SUDO, quietly, apt_missing and apt_install.

SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi

# Runs a command with its output hidden unless it fails.
quietly() {
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    echo "${0##*/}: failed: $*" >&2
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

# Prints the packages among the arguments that are not installed.
apt_missing() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
      || echo "$package"
  done
}

# Installs the given packages (after refreshing the package lists).
apt_install() {
  quietly "${SUDO[@]}" apt-get update
  quietly "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "$@"
}
