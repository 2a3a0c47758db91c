#!/usr/bin/env bash
# make bench, single sign-on part: SAML and OIDC profiles at each identity-provider emulator (moto
# behind STS).
#   1. the cached-credential path of a SAML and an OIDC profile next to an IAM role profile's
#      (instructions, callgrind; the emulator's request log shows no IdP traffic on a hit);
#   2. a sign-in: IdP round trips and wall time (hyperfine), without cookies (username, password
#      posted) and with the IdP session's cookies from the previous sign-in (nothing asked), at
#      each provider's emulator; at ForgeRock also a push sign-in.
set -euo pipefail
source "$(dirname "$0")/emulator.sh"
BIN="${BIN:-$ROOT/.build/release/aws-runas}"
OUT="$ROOT/bench-out"
mkdir -p "$OUT"

start_emulator
start_idp keycloak
start_idp okta
start_idp onelogin
start_idp entra
start_idp forgerock
SANDBOX=$(mktemp -d)
trap 'stop_emulator; stop_idps; rm -rf "$SANDBOX"' EXIT
write_bench_sandbox "bench-sso-$$"
# The Entra ID emulator's tenant (ENTRA_EMULATOR.md).
ENTRA_TENANT=6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5
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

[profile okta]
saml_auth_url = $OKTA_URL/home/amazon_aws/0oaawsapp/272
saml_provider = okta
saml_username = alice
role_arn = arn:aws:iam::123456789012:role/Admin

[profile okta-web]
web_identity_auth_url = $OKTA_URL/oauth2/default
web_identity_provider = okta
web_identity_client_id = aws-runas
web_identity_redirect_uri = http://localhost:8080/callback
web_identity_username = alice
role_arn = arn:aws:iam::123456789012:role/Admin

[profile entra]
saml_auth_url = $ENTRA_URL/signin/AWS/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d?tenantId=$ENTRA_TENANT
saml_provider = azuread
saml_username = alice@example.com
role_arn = arn:aws:iam::123456789012:role/Admin

[profile entra-web]
web_identity_auth_url = $ENTRA_URL/$ENTRA_TENANT/v2.0
web_identity_provider = azuread
web_identity_client_id = 5b3a0c1e-7f1d-4e2a-9c3b-6a7e2f1d0c9b
web_identity_redirect_uri = http://localhost:8080/callback
web_identity_username = alice@example.com
role_arn = arn:aws:iam::123456789012:role/Admin

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

# OneLogin: the API credential in token= (aws-runas-api:aws-runas-api-secret, ONELOGIN_EMULATOR.md).
[profile onelogin]
saml_auth_url = $ONELOGIN_URL/trust/saml2/launch/424242?token=YXdzLXJ1bmFzLWFwaTphd3MtcnVuYXMtYXBpLXNlY3JldA==&app_id=424242
saml_provider = onelogin
saml_username = alice
role_arn = arn:aws:iam::123456789012:role/Admin

[profile onelogin-web]
web_identity_auth_url = $ONELOGIN_URL/oidc/2?token=YXdzLXJ1bmFzLWFwaTphd3MtcnVuYXMtYXBpLXNlY3JldA==
web_identity_provider = onelogin
web_identity_client_id = aws-runas
web_identity_redirect_uri = http://localhost:8080/callback
web_identity_username = alice
role_arn = arn:aws:iam::123456789012:role/Admin
INI
export SAML_PASSWORD=alice-password WEB_IDENTITY_PASSWORD=alice-password
AWS_DIR="$SANDBOX/.aws"
# idp_requests URL: how many requests the emulator at URL has logged.
idp_requests() { python3 -c "import json,sys,urllib.request; print(len(json.load(urllib.request.urlopen(sys.argv[1] + '/_emulator/requests'))))" "$1"; }

# bench_sign_ins TITLE IDP_URL SAML_PROFILE OIDC_PROFILE: the IdP round trips of a sign-in without
# cookies, with the IdP session's cookies and on a cache hit (the emulator's request log), then the
# wall time of each sign-in (hyperfine).
bench_sign_ins() {
  local title=$1 url=$2 saml=$3 web=$4 profile cold warm hit before
  echo "## Single sign-on: $title emulator, moto"
  echo
  echo "### IdP round trips per sign-in"
  echo
  for profile in "$saml" "$web"; do
    rm -f "$AWS_DIR/.aws_runas.cookies" "$AWS_DIR/.aws_runas_identity_token.cache" "$AWS_DIR/.aws_assume_role_$profile"
    before=$(idp_requests "$url"); "$BIN" -O json "$profile" >/dev/null; cold=$(($(idp_requests "$url") - before))
    rm -f "$AWS_DIR/.aws_runas_identity_token.cache" "$AWS_DIR/.aws_assume_role_$profile"
    before=$(idp_requests "$url"); "$BIN" -O json "$profile" >/dev/null; warm=$(($(idp_requests "$url") - before))
    before=$(idp_requests "$url"); "$BIN" -O json "$profile" >/dev/null; hit=$(($(idp_requests "$url") - before))
    echo "- $profile: $cold requests without cookies, $warm with the IdP session's cookies, $hit on a cache hit"
  done
  echo
  echo "### Wall time per sign-in (hyperfine, 10 runs each)"
  echo
  hyperfine -N --style basic --warmup 1 --runs 10 \
    --prepare "rm -f $AWS_DIR/.aws_runas.cookies $AWS_DIR/.aws_assume_role_$saml" -n "$title SAML, no cookies" "$BIN -O json $saml" \
    --prepare "rm -f $AWS_DIR/.aws_assume_role_$saml" -n "$title SAML, IdP session cookies" "$BIN -O json $saml" \
    --prepare "rm -f $AWS_DIR/.aws_runas.cookies $AWS_DIR/.aws_runas_identity_token.cache $AWS_DIR/.aws_assume_role_$web" \
    -n "$title OIDC, no cookies" "$BIN -O json $web" \
    --prepare "rm -f $AWS_DIR/.aws_runas_identity_token.cache $AWS_DIR/.aws_assume_role_$web" \
    -n "$title OIDC, IdP session cookies" "$BIN -O json $web" \
    --export-markdown "$OUT/sso-login-$saml.md" >/dev/null
  cat "$OUT/sso-login-$saml.md"
  echo
}

bench_sign_ins Keycloak "$KEYCLOAK_URL" saml web
bench_sign_ins Okta "$OKTA_URL" okta okta-web
# OneLogin's SAML goes through its API every time (no IdP session to reuse); its OIDC keeps the
# browser session's cookie.
bench_sign_ins OneLogin "$ONELOGIN_URL" onelogin onelogin-web
# Entra ID: MyApps' User Access URL through the $Config pages, GetCredentialType, KMSI and /saml2;
# OIDC at the tenant's v2 endpoints. With cookies, MyApps' and Entra's sessions answer.
bench_sign_ins "Entra ID" "$ENTRA_URL" entra entra-web
# ForgeRock: realm alpha of the AM emulator (REST journey with callbacks); then bob's push,
# approved at the first poll, 200 ms after the push step (the journey's waitTime).
bench_sign_ins ForgeRock "$FORGEROCK_URL" fr-saml fr-web
python3 -c "import json,sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + '/_emulator/faults', data=json.dumps({'push_polls': 0, 'push_wait_ms': 200}).encode(), method='POST'))" "$FORGEROCK_URL"
rm -f "$AWS_DIR/.aws_runas.cookies" "$AWS_DIR/.aws_assume_role_fr-push"
before=$(idp_requests "$FORGEROCK_URL"); SAML_PASSWORD=bob-password "$BIN" -O json fr-push >/dev/null
echo "- fr-push: $(($(idp_requests "$FORGEROCK_URL") - before)) requests without cookies"
echo
hyperfine -N --style basic --warmup 1 --runs 10 \
  --prepare "rm -f $AWS_DIR/.aws_runas.cookies $AWS_DIR/.aws_assume_role_fr-push" \
  -n "ForgeRock SAML, push approved at the first poll" "env SAML_PASSWORD=bob-password $BIN -O json fr-push" \
  --export-markdown "$OUT/sso-login-fr-push.md" >/dev/null
cat "$OUT/sso-login-fr-push.md"
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
  before=$(idp_requests "$KEYCLOAK_URL")
  instructions=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$OUT/aws-runas.nodebug" -O json "$profile" 2>&1 >/dev/null \
    | sed -n 's/.*Collected : //p')
  echo "| $profile | $instructions | $(($(idp_requests "$KEYCLOAK_URL") - before)) |"
done
