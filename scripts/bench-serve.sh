#!/usr/bin/env bash
# make bench (last step): `serve ecs` under load. Needs a release build (make release) and wrk.
#   1. wrk, 100 connections, 2 threads, 15 s, against GET /credentials (cached role credentials,
#      with the authorization token), then against the management API's GET /profile;
#   2. a burst of 100 simultaneous requests while the role credentials are inside the refresh
#      margin: STS calls counted by the emulator (expected: exactly one AssumeRole).
set -euo pipefail
source "$(dirname "$0")/emulator.sh"
BIN="$ROOT/.build/release/aws-runas"
DURATION=${BENCH_SERVE_DURATION:-15s}

start_emulator
SANDBOX=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  stop_emulator; rm -rf "$SANDBOX"
}
trap cleanup EXIT
write_bench_sandbox "bench-serve-$$"

# start_server: serve ecs on a free port; sets SERVER_PID and URL.
start_server() {
  "$BIN" serve ecs -p 0 bench 2>"$SANDBOX/serve.log" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$SANDBOX/serve.log" | head -1 || true)
    [ -n "$URL" ] && return 0
    sleep 0.05
  done
  cat "$SANDBOX/serve.log" >&2; exit 1
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }

TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
export AWS_CONTAINER_AUTHORIZATION_TOKEN="$TOKEN"
start_server

echo "## serve ecs under load (wrk, 100 connections, 2 threads, $DURATION)"
echo
echo "$ wrk -t2 -c100 -d$DURATION --latency -H 'Authorization: <token>' $URL/credentials"
wrk -t2 -c100 -d"$DURATION" --latency -H "Authorization: $TOKEN" "$URL/credentials" | tee "$SANDBOX/wrk.txt"
echo
echo "$ wrk -t2 -c100 -d$DURATION --latency -H 'Authorization: <token>' $URL/profile"
wrk -t2 -c100 -d"$DURATION" --latency -H "Authorization: $TOKEN" "$URL/profile"
echo
stop_server

echo "## burst of 100 requests while the credentials are inside the refresh margin"
python3 - "$SANDBOX/.aws/.aws_assume_role_bench" <<'PY'
import datetime, json, sys
path = sys.argv[1]
document = json.load(open(path))
soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)
document["Expiration"] = soon.strftime("%Y-%m-%dT%H:%M:%SZ")
json.dump(document, open(path, "w"))
PY
reset_calls
start_server
python3 - "$URL/credentials" "$TOKEN" <<'PY'
import json, sys, threading, urllib.request
url, token, keys, errors = sys.argv[1], sys.argv[2], [], []
barrier = threading.Barrier(100)
def fetch():
    barrier.wait()
    try:
        request = urllib.request.Request(url, headers={"Authorization": token})
        keys.append(json.load(urllib.request.urlopen(request, timeout=30))["AccessKeyId"])
    except Exception as error:
        errors.append(str(error))
threads = [threading.Thread(target=fetch) for _ in range(100)]
for t in threads: t.start()
for t in threads: t.join()
print(f"- {len(keys)} answers, {len(errors)} errors, {len(set(keys))} distinct access key(s)")
PY
echo "- STS calls: $(calls)"
