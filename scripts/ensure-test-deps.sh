#!/usr/bin/env bash
# Installs what the integration tests need, only if missing; silent when all is present.
#   apt: tmux, libncurses-dev (TUI tests); awscli = AWS CLI v2 at /usr/bin/aws on Debian 12
#        (`aws sso login` interop with Tests/Support/sso_emulator.py; the pip awscli is v1);
#        xmlsec1 (the Keycloak emulator's self-test verifies SAML signatures with it);
#        chromium (the browser provider's tests drive it headless over the DevTools protocol)
#   pip: moto[server], boto3, awscli (Tests/Support/sts_emulator.py and CLI cross-checks);
#        signxml, authlib, pyotp, requests (Tests/Support/keycloak_emulator.py: signed SAML
#        Responses, RS256 id_tokens and TOTP; its self-test checks them with signxml and authlib);
#        cryptography (Tests/Support/password_obfuscation.py, the second implementation of §6.6);
#        websocket-client (Tests/Support/browser_user.py plays the user in Chromium over DevTools)
# Meant for root on Debian; uses sudo otherwise. Safe to run repeatedly.
set -euo pipefail

APT_PACKAGES=(tmux libncurses-dev awscli xmlsec1 chromium)
# The emulator uses moto internals (IAM MFA device model, server app), so moto is pinned.
PIP_PACKAGES=("moto[server]==5.2.1" boto3 awscli signxml authlib pyotp requests cryptography websocket-client)

source "$(dirname "$0")/apt.sh"

python_ready() {
  python3 -c 'import moto.server, boto3, flask, flask_cors, signxml, authlib, joserfc, pyotp, requests, cryptography, websocket' \
    >/dev/null 2>&1 \
    && aws --version >/dev/null 2>&1
}

mapfile -t missing < <(apt_missing "${APT_PACKAGES[@]}")
need_pip=false
if ! python_ready; then
  need_pip=true
  command -v python3 >/dev/null || missing+=(python3)
  python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
fi
if ((${#missing[@]})); then apt_install "${missing[@]}"; fi

if $need_pip; then
  # PIP_BREAK_SYSTEM_PACKAGES: Debian's own python3 refuses pip installs without it (PEP 668).
  quietly env PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    python3 -m pip install --quiet "${PIP_PACKAGES[@]}"
  if command -v pyenv >/dev/null; then pyenv rehash; fi  # new console scripts (aws)
  hash -r
  python_ready || { echo "ensure-test-deps: moto/boto3/awscli/signxml/authlib/pyotp/websocket-client still not usable" >&2; exit 1; }
fi
