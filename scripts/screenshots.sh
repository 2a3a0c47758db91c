#!/usr/bin/env bash
# make screenshots: drives aws-runas-tui in tmux against the emulator, captures each screen with
# its colours and renders PNGs into screenshots/ (list, filter, whoami, diagnose, MFA modal, SAML
# sign-in at the Keycloak emulator: password modal and signed in, help).
set -euo pipefail
source "$(dirname "$0")/emulator.sh"
source "$(dirname "$0")/demo-sandbox.sh"
COLUMNS=${SHOT_COLUMNS:-120}
ROWS=${SHOT_ROWS:-32}
OUT="$ROOT/screenshots"

need_apt=()
command -v tmux >/dev/null || need_apt+=(tmux)
/usr/bin/python3 -c 'import PIL' 2>/dev/null || need_apt+=(python3-pil)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi
(cd "$ROOT" && swift build --product aws-runas >/dev/null && swift build --product aws-runas-tui >/dev/null)

SOCKET="aws-runas-shots-$$"
WORK=$(mktemp -d)
start_emulator
start_keycloak
cleanup() {
  tmux -L "$SOCKET" kill-server 2>/dev/null || true
  stop_emulator
  stop_keycloak
  rm -rf "${SANDBOX:-}" "$WORK"
}
trap cleanup EXIT
make_demo_sandbox
mkdir -p "$OUT"

tmux -L "$SOCKET" new-session -d -s shots -x "$COLUMNS" -y "$ROWS" \
  "env TERM=xterm-256color LANG=C.UTF-8 SHELL=/bin/sh $ROOT/.build/debug/aws-runas-tui"
tmux -L "$SOCKET" set-option -t shots window-size manual >/dev/null

# wait_for TEXT: polls the pane (50 ms) until TEXT shows, for at most 15 s.
wait_for() {
  local deadline=$((SECONDS + 15))
  until tmux -L "$SOCKET" capture-pane -p -t shots | grep -qF -- "$1"; do
    [ $SECONDS -lt $deadline ] || { echo "timed out waiting for: $1" >&2; tmux -L "$SOCKET" capture-pane -p -t shots >&2; exit 1; }
    sleep 0.05
  done
}
keys() { tmux -L "$SOCKET" send-keys -t shots "$@"; }
shot() {
  tmux -L "$SOCKET" capture-pane -e -p -t shots >"$WORK/$1.ansi"
  /usr/bin/python3 "$ROOT/scripts/render-screenshot.py" "$WORK/$1.ansi" "$OUT/$1.png" "$COLUMNS" "$ROWS"
  echo "screenshots/$1.png"
}

# pick NAME: filters to NAME, keeps the first match selected, clears the filter again.
pick() { keys / ; keys -l "$1"; keys Enter; wait_for ": $1 "; keys Escape; wait_for "13 of 13"; }

wait_for "valid "
pick dev
sleep 1.1  # one countdown tick later, the flash line is gone
shot list
keys / ; keys -l prod; wait_for "2 of 13"
shot filter
keys Escape; wait_for "13 of 13"
pick dev
keys w; wait_for "Arn "
shot whoami
keys d; wait_for "[INFO]"
shot diagnose
pick prod-readonly
keys r; wait_for "MFA token code"
keys -l 123
shot mfa-modal
keys Escape; wait_for "cancelled"
pick keycloak-admin
keys r; wait_for "Password"
keys -l alice-password; wait_for "••••••••••••••"
shot sso-login-modal
keys Enter; keys i; wait_for "signed in"
sleep 1.1  # the flash line goes
shot sso-signed-in
keys '?'; wait_for "close this help"
shot help
keys Escape q
