# Shared by demo.sh and screenshots.sh: source after emulator.sh and start_emulator (and
# start_keycloak, for a SAML profile signing in at the Keycloak emulator). Creates a sandbox HOME in
# $SANDBOX with a dozen varied profiles against the emulator, warms two caches, and exports HOME,
# AWS_ENDPOINT_URL and PATH (with an `mfa-code` helper) for the TUI.
make_demo_sandbox() {
  SANDBOX=$(mktemp -d)
  local user ci serial
  user=$(create_user "demo-user" mfa)
  ci=$(create_user "ci-bot")
  serial=$(echo "$user" | json_field MfaSerial)
  mkdir -p "$SANDBOX/.aws" "$SANDBOX/bin"
  cat >"$SANDBOX/.aws/credentials" <<INI
[default]
aws_access_key_id = $(echo "$user" | json_field AccessKeyId)
aws_secret_access_key = $(echo "$user" | json_field SecretAccessKey)

[ci]
aws_access_key_id = $(echo "$ci" | json_field AccessKeyId)
aws_secret_access_key = $(echo "$ci" | json_field SecretAccessKey)
INI
  cat >"$SANDBOX/.aws/config" <<INI
[default]
region = us-east-1

[profile dev]
source_profile = ci
role_arn = arn:aws:iam::123456789012:role/developer

[profile staging]
source_profile = ci
role_arn = arn:aws:iam::234567890123:role/deployer
region = us-west-2
credentials_duration = 15m

[profile prod]
source_profile = default
role_arn = arn:aws:iam::210987654321:role/admin
mfa_serial = $serial
region = eu-west-1

[profile prod-readonly]
source_profile = default
role_arn = arn:aws:iam::210987654321:role/readonly
mfa_serial = $serial
region = eu-west-1

[profile audit]
source_profile = prod
role_arn = arn:aws:iam::333333333333:role/auditor
external_id = audit-2024

[profile break-glass]
source_profile = default
role_arn = arn:aws:iam::210987654321:role/break-glass
mfa_serial = $serial
credentials_duration = 8h

[profile data-eu]
source_profile = ci
role_arn = arn:aws:iam::456789012345:role/analyst
region = eu-central-1
role_session_name = demo-analyst

[profile ci]
region = us-east-2

[profile okta-dev]
saml_auth_url = https://example.okta.com/app/amazon_aws/exk1/sso/saml
role_arn = arn:aws:iam::567890123456:role/okta-dev
federated_username = demo

[profile azure-ops]
web_identity_auth_url = https://login.microsoftonline.com/tenant/oauth2/v2.0
web_identity_client_id = 0000-demo
role_arn = arn:aws:iam::678901234567:role/ops

[profile legacy]
source_profile = retired
role_arn = arn:aws:iam::789012345678:role/legacy
INI
  if [ -n "${KEYCLOAK_URL:-}" ]; then
    cat >>"$SANDBOX/.aws/config" <<INI

[profile keycloak-admin]
saml_auth_url = $KEYCLOAK_URL/realms/demo/protocol/saml/clients/aws
saml_username = alice
role_arn = arn:aws:iam::123456789012:role/Admin
region = us-east-1
INI
  fi
  cat >"$SANDBOX/bin/mfa-code" <<SH
#!/bin/sh
# Prints the current MFA code of the demo user's virtual device.
python3 -c "import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1] + '/_emulator/totp?serial=' + sys.argv[2]))['code'])" "$EMULATOR_URL" "$serial"
SH
  chmod +x "$SANDBOX/bin/mfa-code"
  export HOME="$SANDBOX" AWS_ENDPOINT_URL="$EMULATOR_URL" PATH="$SANDBOX/bin:$PATH"
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWSRUNAS_PROFILE
  # Warm two caches so countdowns tick from the first frame.
  "$ROOT/.build/debug/aws-runas" -O json dev >/dev/null
  "$ROOT/.build/debug/aws-runas" -O json staging >/dev/null
}
