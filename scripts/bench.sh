#!/usr/bin/env bash
# make bench: the figures in BENCHMARKS.md. Needs a release build (make release), hyperfine and valgrind.
#   1. cold path: STS calls counted by the emulator, wall time of each path;
#   2. start-up, side by side (hyperfine, six rounds of all four): a static Swift `print("hi")`, the cache hit
#      `aws-runas -O json <role profile>`, `--version` and `--help`, with minor page faults and
#      instructions; then the AWS CLI v2's `configure export-credentials` on the same role with its
#      own cache warm;
#   3. profile resolution at 1k/10k/50k profiles (Benchmarks/runas-bench).
set -euo pipefail
source "$(dirname "$0")/emulator.sh"
BIN="$ROOT/.build/release/aws-runas"
AWS_V2=/usr/bin/aws
OUT="$ROOT/bench-out"
mkdir -p "$OUT"

start_emulator
SANDBOX=$(mktemp -d)
trap 'stop_emulator; rm -rf "$SANDBOX"' EXIT
write_bench_sandbox "bench-$$"

echo "## Cold path (STS calls counted by the emulator)"
echo
reset_calls; rm -f "$SANDBOX"/.aws/.aws_*
"$BIN" -O json bench >"$OUT/cold.json"
echo "- cold (no cache): $(calls)"
reset_calls; rm -f "$SANDBOX"/.aws/.aws_assume_role_bench
"$BIN" -O json bench >/dev/null
echo "- session token cached, role not: $(calls)"
reset_calls
"$BIN" -O json bench >/dev/null
echo "- cache hit: $(calls)"
echo
hyperfine -N --style basic --warmup 2 --runs 20 \
  --prepare "rm -f $SANDBOX/.aws/.aws_session_token_default $SANDBOX/.aws/.aws_assume_role_bench" \
  -n "cold: GetSessionToken + AssumeRole" "$BIN -O json bench" \
  --export-markdown "$OUT/cold.md" >/dev/null
hyperfine -N --style basic --warmup 2 --runs 20 --prepare "rm -f $SANDBOX/.aws/.aws_assume_role_bench" \
  -n "AssumeRole with cached session token" "$BIN -O json bench" \
  --export-markdown "$OUT/assume.md" >/dev/null
cat "$OUT/cold.md"; tail -n +3 "$OUT/assume.md"
echo

# The v2 CLI (Debian's 2.9, which ignores AWS_ENDPOINT_URL) gets its assume-role cache warmed the way
# botocore writes it: ~/.aws/cli/cache/<sha1 of the sorted AssumeRole arguments>.json.
mkdir -p "$SANDBOX/.aws/cli/cache"
"$BIN" -O json bench >"$OUT/current.json"
python3 - "$ROLE" "$OUT/current.json" "$SANDBOX/.aws/cli/cache" <<'PY'
import hashlib, json, sys
role, creds_file, cache_dir = sys.argv[1:]
creds = json.load(open(creds_file))
key = hashlib.sha1(json.dumps({"RoleArn": role}, sort_keys=True).encode()).hexdigest()
json.dump({"Credentials": {"AccessKeyId": creds["AccessKeyId"], "SecretAccessKey": creds["SecretAccessKey"],
                           "SessionToken": creds["SessionToken"], "Expiration": creds["Expiration"]},
           "AssumedRoleUser": {"Arn": "arn:aws:sts::123456789012:assumed-role/bench/bench", "AssumedRoleId": "AROA:bench"}},
          open(f"{cache_dir}/{key}.json", "w"))
PY
v2_key=$("$AWS_V2" configure export-credentials --profile bench --format process | json_field AccessKeyId)
ours_key=$("$BIN" -O json bench | json_field AccessKeyId)
[ "$v2_key" = "$ours_key" ] || { echo "AWS CLI v2 did not serve the warmed cache ($v2_key vs $ours_key)" >&2; exit 1; }

echo "## Start-up: cache hit, --version and --help next to a static Swift hello and the AWS CLI v2"
echo
# The floor: a static Swift `print("hi")`, built the way the release binaries are.
swiftc -O -static-stdlib "$ROOT/Benchmarks/hello.swift" -o "$OUT/hello"
HELLO="$OUT/hello"
V2="$AWS_V2 configure export-credentials --profile bench --format process"
# Six rounds of 50 runs each, so a burst of load on the shared cores falls on every command alike.
for round in 1 2 3 4 5 6; do
  hyperfine -N --style none --warmup 10 --runs 50 \
    -n "static Swift hello" "$HELLO" \
    -n "aws-runas -O json bench (cache hit)" "$BIN -O json bench" \
    -n "aws-runas --version" "$BIN --version" \
    -n "aws-runas --help" "$BIN --help" \
    --export-json "$OUT/startup-$round.json" >/dev/null 2>&1
done
hyperfine -N --style basic --warmup 3 --runs 30 \
  -n "aws configure export-credentials --profile bench (AWS CLI v2)" "$V2" \
  --export-json "$OUT/startup-v2.json" >/dev/null
# Minor page faults (median of 21 runs) and instructions (callgrind, deterministic; valgrind cannot
# read the binary's debug information, so it runs a copy without it).
strip --strip-debug -o "$OUT/aws-runas.nodebug" "$BIN"
: >"$OUT/startup-costs.tsv"
measure() { # name, then the command
  local name=$1 faults instructions
  shift
  faults=$(for _ in $(seq 21); do /usr/bin/time -f %R "$@" 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 11p)
  instructions=-
  if [ "$1" != "$AWS_V2" ]; then
    local target=$1
    [ "$target" = "$BIN" ] && target="$OUT/aws-runas.nodebug"
    shift
    instructions=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$target" "$@" 2>&1 >/dev/null \
      | sed -n 's/.*Collected : //p')
  fi
  printf '%s\t%s\t%s\n' "$name" "$faults" "$instructions" >>"$OUT/startup-costs.tsv"
}
measure "static Swift hello" "$HELLO"
measure "aws-runas -O json bench (cache hit)" "$BIN" -O json bench
measure "aws-runas --version" "$BIN" --version
measure "aws-runas --help" "$BIN" --help
measure "aws configure export-credentials --profile bench (AWS CLI v2)" $V2
python3 - "$OUT/startup-v2.json" "$OUT/startup-costs.tsv" "$OUT"/startup-[1-6].json <<'PY'
import json, statistics, sys
rounds = [json.load(open(path))["results"] for path in sys.argv[3:]]
results = []
for index, first in enumerate(rounds[0]):
    times = [t for results_of_round in rounds for t in results_of_round[index]["times"]]
    results.append({"command": first["command"], "times": times, "median": statistics.median(times),
                    "mean": statistics.mean(times), "stddev": statistics.stdev(times), "min": min(times)})
results += json.load(open(sys.argv[1]))["results"]
costs = {name: (faults, instructions) for name, faults, instructions in
         (line.rstrip("\n").split("\t") for line in open(sys.argv[2]))}
hello = results[0]
print("| command | median (ms) | mean ± σ (ms) | min (ms) | median ÷ hello | minor page faults | instructions |")
print("|---|---:|---:|---:|---:|---:|---:|")
for r in results:
    faults, instructions = costs[r["command"]]
    instructions = f"{int(instructions):,}" if instructions.isdigit() else instructions
    print(f"| {r['command']} | {r['median']*1000:.2f} | {r['mean']*1000:.2f} ± {r['stddev']*1000:.2f} "
          f"| {r['min']*1000:.2f} | {r['median']/hello['median']:.2f} | {faults} | {instructions} |")
PY
echo
echo "## Profile resolution (parse + resolve every profile, release build, median of 7)"
echo
"$ROOT/.build/release/runas-bench"
