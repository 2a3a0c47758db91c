#!/usr/bin/env bash
# make bench: the figures in BENCHMARKS.md. Needs a release build (make release) and hyperfine.
#   1. cache hit: `aws-runas -O json <role profile>` vs the AWS CLI v2's `configure export-credentials`
#      for the same role with its own cache warm;
#   2. cold path: STS calls counted by the emulator, wall time of each path;
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

echo "## Cache hit: aws-runas vs AWS CLI v2 $("$AWS_V2" --version 2>&1 | cut -d' ' -f1)"
echo
hyperfine -N --style basic --warmup 20 --runs 300 \
  -n "aws-runas -O json bench" "$BIN -O json bench" \
  --export-json "$OUT/hit-ours.json" >/dev/null
hyperfine -N --style basic --warmup 3 --runs 30 \
  -n "aws configure export-credentials --profile bench" "$AWS_V2 configure export-credentials --profile bench --format process" \
  --export-json "$OUT/hit-v2.json" >/dev/null
python3 - "$OUT/hit-ours.json" "$OUT/hit-v2.json" <<'PY'
import json, sys
ours, theirs = (json.load(open(p))["results"][0] for p in sys.argv[1:])
print("| command | median (ms) | mean ± σ (ms) | min (ms) | runs |")
print("|---|---:|---:|---:|---:|")
for r in (ours, theirs):
    print(f"| `{r['command']}` | {r['median']*1000:.2f} | {r['mean']*1000:.2f} ± {r['stddev']*1000:.2f} | {r['min']*1000:.2f} | {len(r['times'])} |")
print()
print(f"Ratio of medians: **{theirs['median']/ours['median']:.0f}×** faster.")
PY
echo
echo "## Profile resolution (parse + resolve every profile, release build, median of 7)"
echo
"$ROOT/.build/release/runas-bench"
