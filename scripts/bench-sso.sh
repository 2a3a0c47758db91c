#!/usr/bin/env bash
# make bench, single sign-on part: SAML and OIDC profiles at the Keycloak emulator (moto behind STS).
#   1. the cached-credential path of a SAML and an OIDC profile next to an IAM role profile's
#      (instructions, callgrind; the emulator's request log shows no IdP traffic on a hit);
#   2. a sign-in: IdP round trips and wall time (hyperfine), without cookies (username, password
#      posted) and with the IdP session's cookies from the previous sign-in (nothing asked).
set -euo pipefail
source "$(dirname "$0")/emulator.sh"
BIN="$ROOT/.build/release/aws-runas"
OUT="$ROOT/bench-out"
mkdir -p "$OUT"

start_emulator
start_keycloak
SANDBOX=$(mktemp -d)
trap 'stop_emulator; stop_keycloak; rm -rf "$SANDBOX"' EXIT
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

# OneLogin (its API): SAML and OIDC sign-ins at the OneLogin emulator, in a subshell that stops it.
(
  start_idp_emulator onelogin_emulator.py ONELOGIN
  trap 'stop_idp_emulator ONELOGIN' EXIT
  token=YXdzLXJ1bmFzLWFwaTphd3MtcnVuYXMtYXBpLXNlY3JldA==  # aws-runas-api:aws-runas-api-secret
  cat >>"$SANDBOX/.aws/config" <<INI

[profile onelogin]
saml_auth_url = $ONELOGIN_URL/trust/saml2/launch/424242?token=$token&app_id=424242
saml_provider = onelogin
saml_username = alice
role_arn = arn:aws:iam::123456789012:role/Admin

[profile onelogin-push]
saml_auth_url = $ONELOGIN_URL/trust/saml2/launch/424242?token=$token&app_id=424242
saml_provider = onelogin
saml_username = bob
mfa_type = push
role_arn = arn:aws:iam::123456789012:role/Admin

[profile onelogin-web]
web_identity_auth_url = $ONELOGIN_URL/oidc/2?token=$token
web_identity_provider = onelogin
web_identity_client_id = aws-runas
web_identity_redirect_uri = http://localhost:8080/callback
web_identity_username = alice
role_arn = arn:aws:iam::123456789012:role/Admin
INI
  onelogin_requests() { python3 -c "import json,sys,urllib.request; print(len(json.load(urllib.request.urlopen(sys.argv[1] + '/_emulator/requests'))))" "$ONELOGIN_URL"; }
  signin() { SAML_PASSWORD=$1 WEB_IDENTITY_PASSWORD=$1 "$BIN" -O json "$2" >/dev/null; }

  echo "## Single sign-on with OneLogin (OneLogin emulator, moto)"
  echo
  echo "### IdP round trips per sign-in"
  echo
  rm -f "$AWS_DIR/.aws_runas.cookies" "$AWS_DIR/.aws_assume_role_onelogin" "$AWS_DIR/.aws_assume_role_onelogin-push"
  before=$(onelogin_requests); signin alice-password onelogin; saml=$(($(onelogin_requests) - before))
  before=$(onelogin_requests); signin bob-password onelogin-push; push=$(($(onelogin_requests) - before))
  rm -f "$AWS_DIR/.aws_runas_identity_token.cache" "$AWS_DIR/.aws_assume_role_onelogin-web"
  before=$(onelogin_requests); signin alice-password onelogin-web; cold=$(($(onelogin_requests) - before))
  rm -f "$AWS_DIR/.aws_runas_identity_token.cache" "$AWS_DIR/.aws_assume_role_onelogin-web"
  before=$(onelogin_requests); signin alice-password onelogin-web; warm=$(($(onelogin_requests) - before))
  before=$(onelogin_requests); signin alice-password onelogin-web; hit=$(($(onelogin_requests) - before))
  echo "- onelogin (SAML API, no MFA): $saml requests; with a OneLogin Protect push approved at the first poll: $push"
  echo "- onelogin-web (OIDC): $cold requests without cookies, $warm with the browser session's cookie, $hit on a cache hit"
  echo

  echo "### Wall time per sign-in (hyperfine, 10 runs each)"
  echo
  export SAML_PASSWORD=alice-password WEB_IDENTITY_PASSWORD=alice-password
  hyperfine -N --style basic --warmup 1 --runs 10 \
    --prepare "rm -f $AWS_DIR/.aws_assume_role_onelogin" -n "OneLogin SAML, no MFA" "$BIN -O json onelogin" \
    --prepare "rm -f $AWS_DIR/.aws_runas.cookies $AWS_DIR/.aws_runas_identity_token.cache $AWS_DIR/.aws_assume_role_onelogin-web" \
    -n "OneLogin OIDC, no cookies" "$BIN -O json onelogin-web" \
    --prepare "rm -f $AWS_DIR/.aws_runas_identity_token.cache $AWS_DIR/.aws_assume_role_onelogin-web" \
    -n "OneLogin OIDC, browser session cookie" "$BIN -O json onelogin-web" \
    --export-markdown "$OUT/sso-login-onelogin.md" >/dev/null
  cat "$OUT/sso-login-onelogin.md"
)
