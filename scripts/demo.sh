#!/usr/bin/env bash
# make demo: a local AWS emulator (moto), a sandbox HOME with a dozen varied profiles, and
# aws-runas-tui on them. Quitting the TUI (q) stops the emulator and removes the sandbox.
set -euo pipefail
source "$(dirname "$0")/emulator.sh"
source "$(dirname "$0")/demo-sandbox.sh"

start_emulator
start_keycloak
trap 'stop_emulator; stop_keycloak; rm -rf "${SANDBOX:-}"' EXIT
make_demo_sandbox

cat <<TXT
Sandbox HOME: $SANDBOX (emulator at $EMULATOR_URL)
In the TUI: j/k move, / filter, r credentials, w whoami, d diagnose, Enter opens a shell under the
role (exit comes back), a serves the profile on the switchboard, ? help, q quits.
prod, prod-readonly, audit and break-glass ask for an MFA code: run \`mfa-code\` in a shell opened
from the TUI on dev (or another terminal with PATH=$SANDBOX/bin:\$PATH) to get one.
keycloak-admin signs in with SAML at a local Keycloak (password: alice-password).
TXT
if [ -t 0 ] && [ -t 1 ]; then
  read -r -p "Press Enter to start aws-runas-tui… " _ || true
  SHELL=${SHELL:-/bin/bash} "$ROOT/.build/debug/aws-runas-tui"
else
  echo "not a terminal: aws-runas-tui needs one (run make demo in a terminal)" >&2
  exit 1
fi
