#!/usr/bin/env bash
# make bench, single sign-on part: SAML and OIDC profiles at the Keycloak emulator (moto behind STS).
#   1. the cached-credential path of a SAML and an OIDC profile next to an IAM role profile's
#      (instructions, callgrind; the emulator's request log shows no IdP traffic on a hit);
#   2. a sign-in: IdP round trips and wall time (hyperfine), without cookies (username, password
#      posted) and with the IdP session's cookies from the previous sign-in (nothing asked);
#   3. the same at the ForgeRock AM emulator (REST journey with callbacks), plus a push sign-in.
set -euo pipefail
source "$(dirname "$0")/emulator.sh"
BIN="$ROOT/.build/release/aws-runas"
OUT="$ROOT/bench-out"
mkdir -p "$OUT"

start_emulator
start_keycloak
start_idp_emulator FORGEROCK forgerock_emulator.py
SANDBOX=$(mktemp -d)
trap 'stop_emulator; stop_keycloak; stop_idp_emulator FORGEROCK; rm -rf "$SANDBOX"' EXIT
write_bench_sandbox "bench-sso-$$"
cat >>"$SANDBOX/.aws/config" <<INI

[profile saml]
saml_auth_url = $KEYCLOAK_URL/realms/demo/protocol/saml/clients/aws
saml_username = alice
role_arn = arn:aws:iam::123456789012:role/Admin

[profile web]
web_identity_auth_url = $KEYCLOAK_URL/realms/demo
web_identity_client_id = aws-runas
web_identity_redirect_uri = http://localhost:8080/callback
web_identity_username = alice
role_arn = arn:aws:iam::123456789012:role/Admin
INI
export SAML_PASSWORD=alice-password WEB_IDENTITY_PASSWORD=alice-password
idp_requests() { python3 -c "import json,sys,urllib.request; print(len(json.load(urllib.request.urlopen(sys.argv[1] + '/_emulator/requests'))))" "$KEYCLOAK_URL"; }
AWS_DIR="$SANDBOX/.aws"

echo "## Single sign-on (Keycloak emulator, moto)"
echo
echo "### IdP round trips per sign-in"
echo
for profile in saml web; do
  cache=.aws_assume_role_$profile
  rm -f "$AWS_DIR/.aws_runas.cookies" "$AWS_DIR/.aws_runas_identity_token.cache" "$AWS_DIR/$cache"
  before=$(idp_requests); "$BIN" -O json "$profile" >/dev/null; cold=$(($(idp_requests) - before))
  rm -f "$AWS_DIR/.aws_runas_identity_token.cache" "$AWS_DIR/$cache"
  before=$(idp_requests); "$BIN" -O json "$profile" >/dev/null; warm=$(($(idp_requests) - before))
  before=$(idp_requests); "$BIN" -O json "$profile" >/dev/null; hit=$(($(idp_requests) - before))
  echo "- $profile: $cold requests without cookies, $warm with the IdP session's cookies, $hit on a cache hit"
done
echo

echo "### Wall time per sign-in (hyperfine, 10 runs each)"
echo
hyperfine -N --style basic --warmup 1 --runs 10 \
  --prepare "rm -f $AWS_DIR/.aws_runas.cookies $AWS_DIR/.aws_assume_role_saml" -n "SAML, no cookies" "$BIN -O json saml" \
  --prepare "rm -f $AWS_DIR/.aws_assume_role_saml" -n "SAML, IdP session cookies" "$BIN -O json saml" \
  --prepare "rm -f $AWS_DIR/.aws_runas.cookies $AWS_DIR/.aws_runas_identity_token.cache $AWS_DIR/.aws_assume_role_web" \
  -n "OIDC, no cookies" "$BIN -O json web" \
  --prepare "rm -f $AWS_DIR/.aws_runas_identity_token.cache $AWS_DIR/.aws_assume_role_web" \
  -n "OIDC, IdP session cookies" "$BIN -O json web" \
  --export-markdown "$OUT/sso-login.md" >/dev/null
cat "$OUT/sso-login.md"
echo

echo "### Cache hit: an SSO profile next to an IAM role profile (instructions, callgrind)"
echo
"$BIN" -O json bench >/dev/null
"$BIN" -O json saml >/dev/null
"$BIN" -O json web >/dev/null
strip --strip-debug -o "$OUT/aws-runas.nodebug" "$BIN"
echo "| profile | instructions | IdP requests |"
echo "|---|---:|---:|"
for profile in bench saml web; do
  before=$(idp_requests)
  instructions=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$OUT/aws-runas.nodebug" -O json "$profile" 2>&1 >/dev/null \
    | sed -n 's/.*Collected : //p')
  echo "| $profile | $instructions | $(($(idp_requests) - before)) |"
done

echo

# ForgeRock: realm alpha of the AM emulator; bob's push is approved at the first poll, 200 ms after
# the push step (the journey's waitTime).
python3 -c "import json,sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + '/_emulator/faults', data=json.dumps({'push_polls': 0, 'push_wait_ms': 200}).encode(), method='POST'))" "$FORGEROCK_URL"
cat >>"$SANDBOX/.aws/config" <<INI

[profile fr-saml]
saml_auth_url = $FORGEROCK_URL/am/json/realms/root/realms/alpha
saml_provider = forgerock
saml_username = alice
role_arn = arn:aws:iam::123456789012:role/Admin

[profile fr-web]
web_identity_auth_url = $FORGEROCK_URL/am/oauth2/realms/root/realms/alpha
web_identity_provider = forgerock
web_identity_client_id = aws-runas
web_identity_redirect_uri = http://localhost:8080/callback
web_identity_username = alice
role_arn = arn:aws:iam::123456789012:role/Admin

[profile fr-push]
saml_auth_url = $FORGEROCK_URL/am/json/realms/root/realms/alpha
saml_provider = forgerock
saml_username = bob
mfa_type = push
role_arn = arn:aws:iam::123456789012:role/Admin
INI
fr_requests() { python3 -c "import json,sys,urllib.request; print(len(json.load(urllib.request.urlopen(sys.argv[1] + '/_emulator/requests'))))" "$FORGEROCK_URL"; }

echo "## Single sign-on (ForgeRock AM emulator, moto)"
echo
echo "### IdP round trips per sign-in"
echo
for profile in fr-saml fr-web fr-push; do
  cache=.aws_assume_role_$profile
  [ "$profile" = fr-push ] && export SAML_PASSWORD=bob-password
  rm -f "$AWS_DIR/.aws_runas.cookies" "$AWS_DIR/.aws_runas_identity_token.cache" "$AWS_DIR/$cache"
  before=$(fr_requests); "$BIN" -O json "$profile" >/dev/null; cold=$(($(fr_requests) - before))
  rm -f "$AWS_DIR/.aws_runas_identity_token.cache" "$AWS_DIR/$cache"
  before=$(fr_requests); "$BIN" -O json "$profile" >/dev/null; warm=$(($(fr_requests) - before))
  before=$(fr_requests); "$BIN" -O json "$profile" >/dev/null; hit=$(($(fr_requests) - before))
  echo "- $profile: $cold requests without cookies, $warm with AM's session cookie, $hit on a cache hit"
done
export SAML_PASSWORD=alice-password
echo

echo "### Wall time per sign-in (hyperfine, 10 runs each)"
echo
hyperfine -N --style basic --warmup 1 --runs 10 \
  --prepare "rm -f $AWS_DIR/.aws_runas.cookies $AWS_DIR/.aws_assume_role_fr-saml" -n "SAML, no cookies" "$BIN -O json fr-saml" \
  --prepare "rm -f $AWS_DIR/.aws_assume_role_fr-saml" -n "SAML, AM session cookie" "$BIN -O json fr-saml" \
  --prepare "rm -f $AWS_DIR/.aws_runas.cookies $AWS_DIR/.aws_runas_identity_token.cache $AWS_DIR/.aws_assume_role_fr-web" \
  -n "OIDC, no cookies" "$BIN -O json fr-web" \
  --prepare "rm -f $AWS_DIR/.aws_runas_identity_token.cache $AWS_DIR/.aws_assume_role_fr-web" \
  -n "OIDC, AM session cookie" "$BIN -O json fr-web" \
  --prepare "rm -f $AWS_DIR/.aws_runas.cookies $AWS_DIR/.aws_assume_role_fr-push" \
  -n "SAML, push approved at the first poll" "env SAML_PASSWORD=bob-password $BIN -O json fr-push" \
  --export-markdown "$OUT/sso-login-forgerock.md" >/dev/null
cat "$OUT/sso-login-forgerock.md"
