#!/usr/bin/env bash
# make demo: a local AWS emulator, a sandbox HOME with a few profiles, and aws-runas at work on them.
set -euo pipefail
source "$(dirname "$0")/emulator.sh"
BIN="$ROOT/.build/debug/aws-runas"

start_emulator
SANDBOX=$(mktemp -d)
trap 'stop_emulator; rm -rf "$SANDBOX"' EXIT
user=$(create_user "demo-user" mfa)
mkdir -p "$SANDBOX/.aws"
cat >"$SANDBOX/.aws/credentials" <<INI
[default]
aws_access_key_id = $(echo "$user" | json_field AccessKeyId)
aws_secret_access_key = $(echo "$user" | json_field SecretAccessKey)
INI
serial=$(echo "$user" | json_field MfaSerial)
cat >"$SANDBOX/.aws/config" <<INI
[default]
region = us-east-1

[profile dev]
source_profile = default
role_arn = arn:aws:iam::123456789012:role/developer

[profile prod]
source_profile = default
role_arn = arn:aws:iam::210987654321:role/admin
mfa_serial = $serial
region = eu-west-1

[profile audit]
source_profile = prod
role_arn = arn:aws:iam::333333333333:role/auditor
INI
export HOME="$SANDBOX" AWS_ENDPOINT_URL="$EMULATOR_URL"
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

show() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
totp() { python3 -c "import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1] + '/_emulator/totp?serial=' + sys.argv[2]))['code'])" "$EMULATOR_URL" "$serial"; }

echo "Sandbox HOME: $SANDBOX (emulator at $EMULATOR_URL)"
show "$BIN" -e dev
show "$BIN" -O json dev
show "$BIN" -w dev aws sts get-caller-identity --output table
show "$BIN" -o "$(totp)" prod python3 -c 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'
show "$BIN" audit aws sts get-caller-identity --query Arn --output text
show "$BIN" diagnose prod
show ls -l "$SANDBOX/.aws"
