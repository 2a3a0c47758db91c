#!/usr/bin/env bash
# Installs the benchmark tools, only if missing; silent when all is present.
#   hyperfine, wrk, valgrind (instruction counts), GNU time (page faults), and Debian's awscli
#   package: AWS CLI v2 (2.9.19 on bookworm) at /usr/bin/aws. Call it by that full path: a
#   pip-installed v1 `aws` may come first on PATH.
# Meant for root on Debian; uses sudo otherwise. Safe to run repeatedly.
set -euo pipefail

APT_PACKAGES=(hyperfine wrk valgrind time awscli)

source "$(dirname "$0")/apt.sh"

mapfile -t missing < <(apt_missing "${APT_PACKAGES[@]}")
if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
