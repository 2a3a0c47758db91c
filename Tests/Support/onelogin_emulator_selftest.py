#!/usr/bin/env python3
"""Self-test of onelogin_emulator.py with real consumers, on keycloak_emulator_selftest's plumbing:
requests plays the API client and the browser, signxml and xmlsec1 verify the SAML signatures
against the account certificate, moto (through sts_emulator.py) takes the assertion in
AssumeRoleWithSAML and the id_token in AssumeRoleWithWebIdentity, and authlib validates the
id_token against the JWKS.

Usage: onelogin_emulator_selftest.py --url http://127.0.0.1:<port> --sts-url http://127.0.0.1:<moto port>
Prints one line per check and "N passed, N failed"; exits 1 when a check failed.
"""

import base64
import secrets
from urllib.parse import parse_qs, urlsplit

import pyotp
import requests
from lxml import etree
from signxml import XMLVerifier

import keycloak_emulator
import keycloak_emulator_selftest as base
from keycloak_emulator_selftest import SAML_NS, xmlsec1_verifies

ACCOUNT = "123456789012"
RUN = secrets.token_hex(3)  # moto may be shared: IAM names unique per run
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/onelogin-{RUN}"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/OneLoginAdmin-{RUN}"
TOTP = pyotp.random_base32()
CONFIG = {
    "subdomain": "selftest",
    "users": [
        {"username": "alice", "password": "alice-pw", "email": "alice@example.com",
         "roles": [[ADMIN_ROLE, PROVIDER]]},
        {"username": "bob", "password": "bob-pw", "roles": [[ADMIN_ROLE, PROVIDER]],
         "devices": [{"device_id": 1, "device_type": "OneLogin Protect"},
                     {"device_id": 2, "device_type": "Google Authenticator", "secret": TOTP}]},
        {"username": "carol", "password": "carol-pw", "state": "locked"},
    ],
    "apps": [{"app_id": "77"}],
    "api_clients": [{"client_id": "id", "client_secret": "secret"}],
    "oidc_clients": [{"client_id": "aws-runas", "redirect_uris": ["http://127.0.0.1:9/*"]}],
}


class SelfTest(base.SelfTest):
    def api(self, path, body, token=None, status=200):
        headers = {"Authorization": f"bearer:{token or self.token()}"}
        response = requests.post(f"{self.url}{path}", json=body, headers=headers)
        assert response.status_code == status, (path, response.status_code, response.text)
        return response.json()

    def token(self):
        response = requests.post(f"{self.url}/auth/oauth2/v2/token",
                                 json={"grant_type": "client_credentials"}, auth=("id", "secret"))
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def sign_in(self, user, password, status=200, **extra):
        body = {"username_or_email": user, "password": password, "app_id": "77",
                "subdomain": "selftest"}
        return self.api("/api/2/saml_assertion", dict(body, **extra), status=status)

    # -- checks -----------------------------------------------------------------

    def access_token(self):
        token = self.token()
        for auth in ({"headers": {"Authorization": "client_id:id, client_secret:secret"}},
                     {"data": {"grant_type": "client_credentials", "client_id": "id",
                               "client_secret": "secret"}}):
            body = {"json": {"grant_type": "client_credentials"}} if "headers" in auth else {}
            answer = requests.post(f"{self.url}/auth/oauth2/v2/token", **auth, **body).json()
            assert answer["access_token"] == token and answer["token_type"] == "bearer", answer
            assert answer["expires_in"] > 35000 and answer["account_id"]
        wrong = requests.post(f"{self.url}/auth/oauth2/v2/token",
                              json={"grant_type": "client_credentials"}, auth=("id", "nope"))
        assert wrong.status_code == 401 and wrong.json()["status"]["error"] is True, wrong.text
        grant = requests.post(f"{self.url}/auth/oauth2/v2/token", json={"grant_type": "password"},
                              auth=("id", "secret"))
        assert grant.status_code == 400, grant.text
        self.api("/api/2/saml_assertion", {}, token="not-a-token", status=401)

    def saml_assertion_with_moto(self):
        answer = self.sign_in("alice", "alice-pw")
        assert answer["message"] == "Success", answer
        xml = base64.b64decode(answer["data"])
        certificate = self.control_text("certificate")
        document = etree.fromstring(xml)
        verified = XMLVerifier().verify(xml, x509_cert=certificate, id_attribute="ID")
        assert verified.signed_xml.tag == f"{{{SAML_NS['samlp']}}}Response"
        assertion = document.find("saml:Assertion", SAML_NS)
        alone = XMLVerifier().verify(etree.tostring(assertion), x509_cert=certificate,
                                     id_attribute="ID")
        assert alone.signed_xml.get("ID") == assertion.get("ID")
        for signature_of in ("Response", "Assertion"):
            assert xmlsec1_verifies(xml, certificate, signature_of), signature_of
        issuer = document.findtext("saml:Assertion/saml:Issuer", namespaces=SAML_NS)
        assert issuer == "https://app.onelogin.com/saml/metadata/77", issuer
        self.aws("iam").create_role(RoleName=ADMIN_ROLE.split("/")[-1], AssumeRolePolicyDocument="{}")
        assumed = self.aws("sts").assume_role_with_saml(
            RoleArn=ADMIN_ROLE, PrincipalArn=PROVIDER, SAMLAssertion=answer["data"])
        assert assumed["AssumedRoleUser"]["Arn"].endswith("/alice@example.com"), assumed

    def sign_in_errors(self):
        for user, password, extra, status, message in [
            ("alice", "nope", {}, 401, "Invalid user credentials"),
            ("carol", "carol-pw", {}, 401, "locked"),
            ("alice", "alice-pw", {"app_id": "78"}, 404, "App not found"),
            ("alice", "alice-pw", {"subdomain": "other"}, 400, "subdomain"),
            ("alice", "", {}, 400, "password is required"),
        ]:
            answer = self.sign_in(user, password, status=status, **extra)
            assert answer["statusCode"] == status and message in answer["message"], answer

    def code_device(self):
        challenge = self.sign_in("bob", "bob-pw")
        assert challenge["message"] == "MFA is required for this user", challenge
        assert [d["device_type"] for d in challenge["devices"]] == [
            "OneLogin Protect", "Google Authenticator"]
        path = urlsplit(challenge["callback_url"]).path
        assert path == "/api/2/saml_assertion/verify_factor", path
        body = {"app_id": "77", "device_id": 2, "state_token": challenge["state_token"]}
        wrong = self.api(path, dict(body, otp_token="000000"), status=401)
        assert wrong["message"] == "Failed authentication with this factor", wrong
        right = self.api(path, dict(body, otp_token=pyotp.TOTP(TOTP).now()))
        assert right["message"] == "Success" and right["data"], right
        self.api(path, dict(body, otp_token=pyotp.TOTP(TOTP).now()), status=401)  # used up

    def push_device(self):
        def push(result, polls):
            self.control("POST", "faults", {"push_result": result, "push_polls": polls})
            challenge = self.sign_in("bob", "bob-pw")
            body = {"app_id": "77", "device_id": 1, "state_token": challenge["state_token"]}
            answers = []
            for notify in [True] + [False] * polls:
                status = 200 if len(answers) < polls or result == "approve" else 401
                answers.append(self.api("/api/2/saml_assertion/verify_factor",
                                        dict(body, do_not_notify=not notify), status=status))
            return answers

        approved = push("approve", 2)
        assert [a["message"] for a in approved] == [
            "Authentication pending on OL Protect"] * 2 + ["Success"], approved
        assert approved[-1]["data"]
        assert "denied" in push("reject", 1)[-1]["message"]
        assert "expired" in push("timeout", 1)[-1]["message"]

    def oidc_through_the_login_api(self):
        token = self.token()
        signed_in = self.api("/api/1/login/auth", {"username_or_email": "alice",
                                                   "password": "alice-pw",
                                                   "subdomain": "selftest"}, token=token)
        assert signed_in["status"]["type"] == "success", signed_in
        session_token = signed_in["data"][0]["session_token"]
        browser = requests.Session()
        discovery = requests.get(f"{self.url}/oidc/2/.well-known/openid-configuration").json()
        assert discovery["issuer"] == f"{self.url}/oidc/2", discovery
        started = browser.post(f"{self.url}/session_via_api_token",
                               data={"session_token": session_token}, allow_redirects=False)
        assert started.status_code == 200 and "sub_session_onelogin.com" in browser.cookies
        again = requests.post(f"{self.url}/session_via_api_token",
                              data={"session_token": session_token}, allow_redirects=False)
        assert again.status_code == 302, again.status_code  # single use
        verifier = secrets.token_urlsafe(32)
        params = {"client_id": "aws-runas", "response_type": "code", "scope": "openid",
                  "redirect_uri": base.REDIRECT_URI, "state": secrets.token_urlsafe(8),
                  "nonce": secrets.token_urlsafe(8), "code_challenge_method": "S256",
                  "code_challenge": keycloak_emulator.pkce_challenge(verifier)}
        location = browser.get(discovery["authorization_endpoint"], params=params,
                               allow_redirects=False).headers["Location"]
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        assert query["state"] == params["state"], query
        tokens = self.exchange(discovery, query["code"], verifier)
        assert tokens.status_code == 200, tokens.text
        claims = self.validate(discovery, params, tokens.json()["id_token"])
        assert claims["preferred_username"] == "alice", claims
        role = self.aws("iam").create_role(RoleName=f"OneLoginWeb-{RUN}", AssumeRolePolicyDocument="{}")
        answer = self.aws("sts").assume_role_with_web_identity(
            RoleArn=role["Role"]["Arn"], RoleSessionName="alice",
            WebIdentityToken=tokens.json()["id_token"])
        assert answer["Credentials"]["AccessKeyId"]
        anonymous = requests.get(discovery["authorization_endpoint"], params=params,
                                 allow_redirects=False)
        assert anonymous.headers["Location"] == "/login", anonymous.headers
        assert "sub_session_onelogin.com" in anonymous.cookies  # what aws-runas detects

    def unexpected_page(self):
        self.control("POST", "faults", {"unexpected_page_routes": ["SamlAssertion"]})
        page = requests.post(f"{self.url}/api/2/saml_assertion", json={},
                             headers={"Authorization": f"bearer:{self.token()}"})
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "<title>OneLogin - Scheduled Maintenance</title>" in page.text

    def control_text(self, path):
        return self.admin.get(f"{self.url}/_emulator/{path}").text


def main():
    base.run(SelfTest, CONFIG, ("access_token", "saml_assertion_with_moto", "sign_in_errors",
                                "code_device", "push_device", "oidc_through_the_login_api",
                                "unexpected_page"), __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
