# Shared by demo.sh and bench.sh: start the STS/IAM emulator on a free loopback port and
# create an IAM user in it. Source this file; it defines EMULATOR_URL and stop_emulator.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

start_emulator() {
  local fifo
  EMULATOR_DIR=$(mktemp -d)
  fifo="$EMULATOR_DIR/port"
  mkfifo "$fifo"
  env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
    python3 "$ROOT/Tests/Support/sts_emulator.py" --port 0 >"$fifo" 2>"$EMULATOR_DIR/stderr.log" &
  EMULATOR_PID=$!
  local line
  read -r line <"$fifo"
  EMULATOR_URL="http://127.0.0.1:${line#PORT }"
  export EMULATOR_URL
}

# start_idp NAME: the identity-provider emulator Tests/Support/NAME_emulator.py (keycloak, okta,
# onelogin, entra, forgerock; see each one's .md for its users) on a free port; sets and exports
# <NAME>_URL (KEYCLOAK_URL, OKTA_URL, …). stop_idps stops every one started.
IDP_PIDS=()
IDP_DIRS=()
start_idp() {
  local name=$1 dir fifo line variable
  dir=$(mktemp -d)
  fifo="$dir/port"
  mkfifo "$fifo"
  python3 "$ROOT/Tests/Support/${name}_emulator.py" --port 0 >"$fifo" 2>"$dir/stderr.log" &
  IDP_PIDS+=("$!")
  IDP_DIRS+=("$dir")
  read -r line <"$fifo"
  variable="$(echo "$name" | tr '[:lower:]' '[:upper:]')_URL"
  printf -v "$variable" '%s' "http://127.0.0.1:${line#PORT }"
  export "${variable?}"
}

stop_idps() {
  local pid
  for pid in "${IDP_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "${IDP_DIRS[@]}"
  IDP_PIDS=()
  IDP_DIRS=()
}

# The Keycloak emulator (realm demo, user alice / alice-password): KEYCLOAK_URL.
start_keycloak() { start_idp keycloak; }
stop_keycloak() { stop_idps; }

stop_emulator() {
  if [ -n "${EMULATOR_PID:-}" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; wait "$EMULATOR_PID" 2>/dev/null || true; fi
  rm -rf "${EMULATOR_DIR:-}"
}

# create_user NAME [mfa]: prints the emulator's JSON answer (AccessKeyId, SecretAccessKey, MfaSerial…).
create_user() {
  local mfa=false
  [ "${2:-}" = mfa ] && mfa=true
  python3 - "$EMULATOR_URL" "$1" "$mfa" <<'PY'
import json, sys, urllib.request
url, name, mfa = sys.argv[1], sys.argv[2], sys.argv[3] == "true"
request = urllib.request.Request(url + "/_emulator/user", data=json.dumps({"name": name, "mfa": mfa}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
print(urllib.request.urlopen(request).read().decode())
PY
}

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]] or '')" "$1"; }

# write_bench_sandbox USER: fills $SANDBOX with a HOME whose [default] holds USER's keys (created in
# the emulator) and whose profile `bench` assumes $ROLE, then points this shell at it and the emulator.
ROLE=arn:aws:iam::123456789012:role/bench
write_bench_sandbox() {
  local user
  user=$(create_user "$1")
  mkdir -p "$SANDBOX/.aws"
  cat >"$SANDBOX/.aws/credentials" <<INI
[default]
aws_access_key_id = $(echo "$user" | json_field AccessKeyId)
aws_secret_access_key = $(echo "$user" | json_field SecretAccessKey)
INI
  cat >"$SANDBOX/.aws/config" <<INI
[default]
region = us-east-1

[profile bench]
source_profile = default
role_arn = $ROLE
INI
  export HOME="$SANDBOX" AWS_ENDPOINT_URL="$EMULATOR_URL" AWS_CONFIG_FILE="$SANDBOX/.aws/config" \
    AWS_SHARED_CREDENTIALS_FILE="$SANDBOX/.aws/credentials"
  unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
}

# The emulator's STS call counters: print them (JSON, sorted keys), or reset them.
calls() { python3 -c "import json,sys,urllib.request; print(json.dumps(json.load(urllib.request.urlopen(sys.argv[1] + '/_emulator/calls')), sort_keys=True))" "$EMULATOR_URL"; }
reset_calls() { python3 -c "import sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + '/_emulator/reset', method='POST'))" "$EMULATOR_URL"; }
