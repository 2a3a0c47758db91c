#!/usr/bin/env bash
# Installs the benchmark tools, only if missing; silent when all is present.
#   hyperfine, wrk, and Debian's awscli package: AWS CLI v2 (2.9.19 on bookworm) at
#   /usr/bin/aws. Call it by that full path: a pip-installed v1 `aws` may come first on PATH.
# Meant for root on Debian; uses sudo otherwise. Safe to run repeatedly.
set -euo pipefail

APT_PACKAGES=(hyperfine wrk awscli)

SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi

# Runs a command with its output hidden unless it fails.
quietly() {
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    echo "ensure-bench-deps: failed: $*" >&2
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

apt_missing() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
      || echo "$package"
  done
}

mapfile -t missing < <(apt_missing "${APT_PACKAGES[@]}")
if ((${#missing[@]})); then
  quietly "${SUDO[@]}" apt-get update
  quietly "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
fi
