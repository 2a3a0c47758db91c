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
