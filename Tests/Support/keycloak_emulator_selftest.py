#!/usr/bin/env python3
"""Self-test of keycloak_emulator.py with real consumers: a requests session with a cookie jar
plays the browser, signxml and xmlsec1 verify the SAML signatures against the realm certificate, moto
(through sts_emulator.py) takes the assertion in AssumeRoleWithSAML and the id_token in
AssumeRoleWithWebIdentity, and authlib validates the id_token against the JWKS.

Usage: keycloak_emulator_selftest.py --url http://127.0.0.1:<kc port> --sts-url http://127.0.0.1:<moto port>
Prints one line per check and "N passed, N failed"; exits 1 when a check failed.
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import boto3
import pyotp
import requests
from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidSignature

import authlib.deprecate  # noqa: E402,F401  (installs an "always" filter for its warnings)

with warnings.catch_warnings():  # authlib.jose is deprecated in favour of joserfc, which the
    warnings.simplefilter("ignore")  # emulator signs with: validate with the other implementation
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.jose.errors import BadSignatureError, InvalidClaimError, JoseError

REALM = "selftest"
ACCOUNT = "123456789012"
RUN = secrets.token_hex(3)  # moto may be shared: IAM names unique per run
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/keycloak-{RUN}"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/KeycloakAdmin-{RUN}"
READ_ROLE = f"arn:aws:iam::{ACCOUNT}:role/KeycloakReadOnly-{RUN}"
OTP_SECRET = pyotp.random_base32()
REDIRECT_URI = "http://127.0.0.1:9/callback"  # never followed: the client reads the Location
SAML_NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
           "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
           "ds": "http://www.w3.org/2000/09/xmldsig#"}
CONFIG = {"realms": [{
    "name": REALM,
    "users": [
        {"username": "alice", "password": "alice-pw", "email": "alice@example.com",
         "roles": [[ADMIN_ROLE, PROVIDER], [READ_ROLE, PROVIDER]]},
        {"username": "bob", "password": "bob-pw", "email": "bob@example.com",
         "otp_secret": OTP_SECRET, "roles": [[ADMIN_ROLE, PROVIDER]]},
        {"username": "carol", "password": "carol-pw", "otp_code": "424242",
         "roles": [f"{PROVIDER},{READ_ROLE}"]},
        {"username": "dave", "password": "dave-pw", "enabled": False},
    ],
    "saml_clients": [{"url_name": "aws", "relay_state": "https://console.aws.amazon.com/",
                      "session_duration": 7200}],
    "oidc_clients": [{"client_id": "aws-runas", "redirect_uris": ["http://127.0.0.1:9/*"]}],
}, {
    "name": "legacy", "theme": "keycloak", "otp_field": "totp", "legacy_cookies": True,
    "users": [{"username": "bob", "password": "bob-pw", "otp_code": "111111",
               "roles": [[ADMIN_ROLE, PROVIDER]]}],
    "saml_clients": [{"url_name": "aws"}],
}]}


class Forms(HTMLParser):
    """Every <form> with its id, name, action and inputs, plus the page's visible text."""

    def __init__(self, page):
        super().__init__()
        self.forms, self.text, self.ids = [], [], set()
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "form":
            self.forms.append({"id": attrs.get("id"), "name": attrs.get("name"),
                               "action": attrs.get("action"), "inputs": []})
        elif tag == "input" and self.forms:
            self.forms[-1]["inputs"].append(attrs)

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())

    def form(self, form_id):
        return next((f for f in self.forms if f["id"] == form_id), None)

    def says(self, message):
        return message in " ".join(self.text)


def xmlsec1_verifies(xml, certificate, signature_of):
    """xmlsec1 (what pysaml2 verifies with) checks the Signature child of the Response or the
    Assertion with the realm certificate's key."""
    xpath = {"Response": "/*[local-name()='Response']/*[local-name()='Signature']",
             "Assertion": "//*[local-name()='Assertion']/*[local-name()='Signature']"}[signature_of]
    with tempfile.TemporaryDirectory() as folder:
        document, cert = os.path.join(folder, "response.xml"), os.path.join(folder, "cert.pem")
        with open(document, "wb") as file:
            file.write(xml)
        with open(cert, "w") as file:
            file.write(certificate)
        result = subprocess.run(
            ["xmlsec1", "--verify", "--pubkey-cert-pem", cert,
             "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
             "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
             "--node-xpath", xpath, document], capture_output=True, text=True)
    return result.returncode == 0


class SelfTest:
    def __init__(self, url, sts_url):
        self.url = url.rstrip("/")
        self.sts_url = sts_url
        self.passed, self.failed = 0, 0
        self.admin = requests.Session()

    # -- plumbing ---------------------------------------------------------------

    def check(self, name, function):
        try:
            function()
        except Exception:
            self.failed += 1
            print(f"FAIL {name}\n{traceback.format_exc()}", flush=True)
        else:
            self.passed += 1
            print(f"ok   {name}", flush=True)
        finally:
            self.control("POST", "faults", {})

    def control(self, method, path, body=None):
        response = self.admin.request(method, f"{self.url}/_emulator/{path}", json=body)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def realm_url(self, realm=REALM):
        return f"{self.url}/realms/{realm}"

    def saml_url(self, realm=REALM):
        return f"{self.realm_url(realm)}/protocol/saml/clients/aws"

    def aws(self, service, **credentials):
        return boto3.client(service, endpoint_url=self.sts_url, region_name="us-east-1",
                            aws_access_key_id=credentials.get("key", "testing"),
                            aws_secret_access_key=credentials.get("secret", "testing"),
                            aws_session_token=credentials.get("token"))

    @staticmethod
    def submit(browser, form, fields):
        """Posts every non-submit input found plus `fields`, as aws-runas does."""
        data = {i["name"]: i.get("value") or "" for i in form["inputs"]
                if i.get("name") and i.get("type") != "submit"}
        data.update(fields)
        return browser.post(form["action"], data=data, allow_redirects=False)

    def login(self, browser, url, username, password, otp=None):
        page = browser.get(url, allow_redirects=False)
        assert page.status_code == 200, page.status_code
        answer = self.submit(browser, Forms(page.text).form("kc-form-login"),
                             {"username": username, "password": password})
        if otp is not None:
            otp_form = Forms(answer.text).form("kc-otp-login-form")
            assert otp_form, answer.text
            answer = self.submit(browser, otp_form, {"otp": otp})
        return answer

    @staticmethod
    def saml_response(page):
        form = next(f for f in Forms(page.text).forms if f["name"] == "saml-post-binding")
        values = {i["name"]: i.get("value") for i in form["inputs"] if i.get("name")}
        return form, values

    def certificate(self, realm=REALM):
        response = self.admin.get(f"{self.url}/_emulator/certificate", params={"realm": realm})
        assert response.status_code == 200
        return response.text

    # -- SAML -------------------------------------------------------------------

    def saml_login_with_moto(self):
        browser = requests.Session()
        page = self.login(browser, self.saml_url(), "alice", "alice-pw")
        assert page.status_code == 200
        form, values = self.saml_response(page)
        assert form["action"] == "https://signin.aws.amazon.com/saml", form
        assert values["RelayState"] == "https://console.aws.amazon.com/", values
        assert {"KEYCLOAK_IDENTITY", "KEYCLOAK_SESSION"} <= set(browser.cookies.keys())
        xml = base64.b64decode(values["SAMLResponse"])
        # Both signatures (Response, then the Assertion on its own) against the realm certificate,
        # and the signed Assertion is the one the document carries (no signature wrapping).
        document = etree.fromstring(xml)
        response = XMLVerifier().verify(xml, x509_cert=self.certificate(), id_attribute="ID")
        assert response.signed_xml.tag == f"{{{SAML_NS['samlp']}}}Response"
        assertion = document.find("saml:Assertion", SAML_NS)
        verified = XMLVerifier().verify(etree.tostring(assertion), x509_cert=self.certificate(),
                                        id_attribute="ID")
        assert verified.signed_xml.get("ID") == assertion.get("ID")
        assert verified.signed_xml.find("ds:Signature", SAML_NS) is None  # enveloped: removed
        for signature_of in ("Response", "Assertion"):
            assert xmlsec1_verifies(xml, self.certificate(), signature_of), signature_of
        document = etree.fromstring(xml)
        assert document.get("Destination") == "https://signin.aws.amazon.com/saml"
        data = document.find("saml:Assertion/saml:Subject/saml:SubjectConfirmation/"
                             "saml:SubjectConfirmationData", SAML_NS)
        assert data.get("Recipient") == "https://signin.aws.amazon.com/saml"
        audience = document.findtext("saml:Assertion/saml:Conditions/saml:AudienceRestriction/"
                                     "saml:Audience", namespaces=SAML_NS)
        assert audience == "urn:amazon:webservices", audience
        attributes = {}
        for attribute in document.iterfind(".//saml:Attribute", SAML_NS):
            attributes.setdefault(attribute.get("Name"), []).extend(
                v.text for v in attribute.iterfind("saml:AttributeValue", SAML_NS))
        roles = attributes["https://aws.amazon.com/SAML/Attributes/Role"]
        assert roles == [f"{ADMIN_ROLE},{PROVIDER}", f"{READ_ROLE},{PROVIDER}"], roles
        assert attributes["https://aws.amazon.com/SAML/Attributes/RoleSessionName"] == [
            "alice@example.com"]
        assert attributes["https://aws.amazon.com/SAML/Attributes/SessionDuration"] == ["7200"]

        iam = self.aws("iam")
        metadata = browser.get(f"{self.realm_url()}/protocol/saml/descriptor").text
        assert self.certificate().split("-----")[2].replace("\n", "") in metadata
        iam.create_saml_provider(SAMLMetadataDocument=metadata, Name=PROVIDER.split("/")[-1])
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
            "Principal": {"Federated": PROVIDER},
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
        for arn in (ADMIN_ROLE, READ_ROLE):
            iam.create_role(RoleName=arn.split("/")[-1], AssumeRolePolicyDocument=json.dumps(trust))
        answer = self.aws("sts").assume_role_with_saml(
            RoleArn=ADMIN_ROLE, PrincipalArn=PROVIDER, SAMLAssertion=values["SAMLResponse"])
        credentials = answer["Credentials"]
        expected_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/KeycloakAdmin-{RUN}/alice@example.com"
        assert answer["AssumedRoleUser"]["Arn"] == expected_arn, answer["AssumedRoleUser"]
        lifetime = credentials["Expiration"].timestamp() - time.time()
        assert 7000 < lifetime <= 7200, lifetime  # the SessionDuration attribute
        whoami = self.aws("sts", key=credentials["AccessKeyId"],
                          secret=credentials["SecretAccessKey"],
                          token=credentials["SessionToken"]).get_caller_identity()
        assert whoami["Arn"] == expected_arn, whoami

        # A second run with the same cookie jar asks for nothing.
        self.control("POST", "reset", {})
        again = browser.get(self.saml_url(), allow_redirects=False)
        _, values = self.saml_response(again)
        assert values["SAMLResponse"]
        assert self.control("GET", "calls") == {"SamlInit": 1}, self.control("GET", "calls")
        # The IdP session ends: the cookie stops working.
        self.control("POST", "end_sessions", {"kind": "user", "username": "alice"})
        assert Forms(browser.get(self.saml_url()).text).form("kc-form-login")

    def login_page_shape(self):
        browser = requests.Session()
        page = browser.get(self.saml_url(), allow_redirects=False)
        assert page.status_code == 200
        cookies = {c.name: c for c in browser.cookies}
        assert {"AUTH_SESSION_ID", "KC_RESTART"} <= set(cookies), cookies
        assert cookies["KC_RESTART"].path == f"/realms/{REALM}/"
        assert cookies["AUTH_SESSION_ID"].has_nonstandard_attr("HttpOnly")
        forms = Forms(page.text)
        form = forms.form("kc-form-login")
        action = urlsplit(form["action"])
        assert action.path == f"/realms/{REALM}/login-actions/authenticate", form["action"]
        query = parse_qs(action.query)
        assert {"session_code", "execution", "client_id", "tab_id"} <= set(query), query
        assert "&amp;execution=" in page.text  # entity-escaped in the HTML, like Keycloak
        names = {i.get("name"): i for i in form["inputs"]}
        assert names["username"]["id"] == "username" and names["password"]["id"] == "password"
        assert names["credentialId"]["id"] == "id-hidden-input"
        assert names["login"]["id"] == "kc-login" and names["login"]["type"] == "submit"
        head = requests.head(self.saml_url())
        assert "KC_RESTART" in head.cookies, head.headers  # aws-runas's detection
        prefixed = requests.Session().get(f"{self.url}/auth/realms/{REALM}/protocol/saml/clients/aws")
        action = Forms(prefixed.text).form("kc-form-login")["action"]
        assert urlsplit(action).path == f"/auth/realms/{REALM}/login-actions/authenticate", action

    def wrong_password(self):
        browser = requests.Session()
        page = self.login(browser, self.saml_url(), "alice", "not-her-password")
        forms = Forms(page.text)
        assert page.status_code == 200 and forms.form("kc-form-login"), page.text
        assert forms.says("Invalid username or password.") and "input-error" in forms.ids
        username = next(i for i in forms.form("kc-form-login")["inputs"] if i["name"] == "username")
        assert username["value"] == "alice"
        assert "KEYCLOAK_IDENTITY" not in browser.cookies
        # The page's new form works (its session_code is fresh).
        answer = self.submit(browser, forms.form("kc-form-login"),
                             {"username": "alice", "password": "alice-pw"})
        assert self.saml_response(answer)[1]["SAMLResponse"]
        disabled = self.login(requests.Session(), self.saml_url(), "dave", "dave-pw")
        assert Forms(disabled.text).says("Account is disabled, contact your administrator.")

    def otp_flow(self):
        browser = requests.Session()
        page = self.login(browser, self.saml_url(), "bob", "bob-pw")
        forms = Forms(page.text)
        form = forms.form("kc-otp-login-form")
        assert form and any(i.get("name") == "otp" and i.get("id") == "otp" for i in form["inputs"])
        assert "KEYCLOAK_IDENTITY" not in browser.cookies
        wrong = self.submit(browser, form, {"otp": "000000" if pyotp.TOTP(OTP_SECRET).now()
                                            != "000000" else "111111"})
        forms = Forms(wrong.text)
        assert forms.says("Invalid authenticator code.") and "input-error-otp-code" in forms.ids
        code = self.control("GET", f"otp?realm={REALM}&username=bob")["code"]
        assert code == pyotp.TOTP(OTP_SECRET).now()
        done = self.submit(browser, forms.form("kc-otp-login-form"), {"otp": code})
        assert self.saml_response(done)[1]["SAMLResponse"]
        fixed = self.login(requests.Session(), self.saml_url(), "carol", "carol-pw", otp="424242")
        xml = base64.b64decode(self.saml_response(fixed)[1]["SAMLResponse"])
        assert f"{PROVIDER},{READ_ROLE}".encode() in xml  # principal-first order kept

    def single_use_session_code(self):
        browser = requests.Session()
        page = browser.get(self.saml_url())
        form = Forms(page.text).form("kc-form-login")
        first = self.submit(browser, form, {"username": "alice", "password": "alice-pw"})
        assert self.saml_response(first)[1]["SAMLResponse"]
        replay = self.submit(requests.Session(), form, {"username": "alice", "password": "alice-pw"})
        assert Forms(replay.text).says("Cookie not found."), replay.text
        # A login that timed out restarts from KC_RESTART.
        browser = requests.Session()
        form = Forms(browser.get(self.saml_url()).text).form("kc-form-login")
        self.control("POST", "end_sessions", {"kind": "auth"})
        restarted = self.submit(browser, form, {"username": "alice", "password": "alice-pw"})
        forms = Forms(restarted.text)
        assert forms.says("Your login attempt timed out.") and forms.form("kc-form-login")

    def legacy_realm(self):
        browser = requests.Session()
        page = browser.get(self.saml_url("legacy"))
        assert {"AUTH_SESSION_ID_LEGACY", "KC_RESTART_LEGACY"} <= set(browser.cookies.keys())
        answer = self.submit(browser, Forms(page.text).form("kc-form-login"),
                             {"username": "bob", "password": "wrong"})
        assert 'class="alert-error' in answer.text and 'id="input-error"' not in answer.text
        answer = self.submit(browser, Forms(answer.text).form("kc-form-login"),
                             {"username": "bob", "password": "bob-pw"})
        form = Forms(answer.text).form("kc-otp-login-form")
        assert [i["name"] for i in form["inputs"] if i["name"].endswith("otp")] == ["totp"]
        done = self.submit(browser, form, {"totp": "111111"})
        assert self.saml_response(done)[1]["SAMLResponse"]
        assert "KEYCLOAK_IDENTITY_LEGACY" in browser.cookies

    def saml_faults(self):
        def assertion_for(faults, user=("alice", "alice-pw")):
            self.control("POST", "faults", faults)
            page = self.login(requests.Session(), self.saml_url(), *user)
            return self.saml_response(page)[1]["SAMLResponse"]

        expired = etree.fromstring(base64.b64decode(assertion_for({"expired_assertion": True})))
        not_after = expired.find(".//saml:Conditions", SAML_NS).get("NotOnOrAfter")
        assert time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) > not_after, not_after
        foreign = base64.b64decode(assertion_for({"saml_signing_key": "foreign"}))
        assertion = etree.tostring(etree.fromstring(foreign).find("saml:Assertion", SAML_NS))
        for signed in (foreign, assertion):
            try:
                XMLVerifier().verify(signed, x509_cert=self.certificate(), id_attribute="ID")
            except InvalidSignature:
                pass
            else:
                raise AssertionError("an assertion signed by a foreign key verified")
        for signature_of in ("Response", "Assertion"):
            assert not xmlsec1_verifies(foreign, self.certificate(), signature_of), signature_of
        unsigned = base64.b64decode(assertion_for({"unsigned_assertion": True}))
        assert etree.fromstring(unsigned).find(".//ds:Signature", SAML_NS) is None
        other = base64.b64decode(assertion_for({"saml_roles": [[READ_ROLE, PROVIDER]]}))
        assert ADMIN_ROLE.encode() not in other and READ_ROLE.encode() in other
        self.control("POST", "faults", {"malformed_login_page": True})
        page = requests.get(self.saml_url())
        assert page.status_code == 200 and not Forms(page.text).forms, page.text
        self.control("POST", "faults", {"delay_seconds": 1.5, "delay_routes": ["SamlInit"]})
        started = time.monotonic()
        requests.get(self.saml_url())
        assert time.monotonic() - started >= 1.5

    # -- OIDC -------------------------------------------------------------------

    def oidc_authorize(self, browser, *, password="alice-pw", **extra):
        verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        params = {"response_type": "code", "client_id": "aws-runas", "redirect_uri": REDIRECT_URI,
                  "scope": "openid", "state": secrets.token_urlsafe(16),
                  "nonce": secrets.token_urlsafe(16), "code_challenge": challenge,
                  "code_challenge_method": "S256"}
        params.update(extra)
        discovery = browser.get(f"{self.realm_url()}/.well-known/openid-configuration").json()
        answer = browser.get(discovery["authorization_endpoint"], params=params,
                             allow_redirects=False)
        if answer.status_code == 200:
            answer = self.submit(browser, Forms(answer.text).form("kc-form-login"),
                                 {"username": "alice", "password": password})
        assert answer.status_code == 302, (answer.status_code, answer.text)
        location = answer.headers["Location"]
        assert location.startswith(REDIRECT_URI + "?"), location
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        return discovery, params, verifier, query

    def exchange(self, discovery, code, verifier):
        return requests.post(discovery["token_endpoint"], data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "client_id": "aws-runas", "code_verifier": verifier})

    def validate(self, discovery, params, id_token):
        jwks = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"]).json())
        claims = JsonWebToken(["RS256"]).decode(id_token, jwks, claims_options={
            "iss": {"essential": True, "value": discovery["issuer"]},
            "aud": {"essential": True, "value": "aws-runas"},
            "nonce": {"essential": True, "value": params["nonce"]},
            "exp": {"essential": True}})
        claims.validate()
        return claims

    def oidc_code_flow(self):
        browser = requests.Session()
        discovery, params, verifier, query = self.oidc_authorize(browser)
        assert discovery["issuer"] == self.realm_url()
        assert "S256" in discovery["code_challenge_methods_supported"]
        assert query["state"] == params["state"] and query["iss"] == discovery["issuer"], query
        assert query["session_state"] and query["code"]
        tokens = self.exchange(discovery, query["code"], verifier)
        assert tokens.status_code == 200, tokens.text
        assert tokens.headers["Cache-Control"] == "no-store"
        body = tokens.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 300, body
        claims = self.validate(discovery, params, body["id_token"])
        assert claims["preferred_username"] == "alice" and claims["azp"] == "aws-runas"
        header = json.loads(base64.urlsafe_b64decode(body["id_token"].split(".")[0] + "=="))
        assert header["alg"] == "RS256" and header["kid"]
        info = requests.get(discovery["userinfo_endpoint"],
                            headers={"Authorization": f"Bearer {body['access_token']}"}).json()
        assert info["email"] == "alice@example.com", info
        # Codes are single-use.
        reused = self.exchange(discovery, query["code"], verifier)
        assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
        # moto takes the id_token.
        role = self.aws("iam").create_role(RoleName=f"KeycloakWeb-{RUN}", AssumeRolePolicyDocument="{}")
        answer = self.aws("sts").assume_role_with_web_identity(
            RoleArn=role["Role"]["Arn"], RoleSessionName="alice", WebIdentityToken=body["id_token"])
        assert answer["Credentials"]["AccessKeyId"]
        # With the IdP session: a redirect at once; prompt=none too.
        self.control("POST", "reset", {})
        _, _, _, again = self.oidc_authorize(browser, prompt="none")
        assert again["code"] and self.control("GET", "calls") == {"Discovery": 1, "OidcAuth": 1}
        _, _, _, anonymous = self.oidc_authorize(requests.Session(), prompt="none")
        assert anonymous["error"] == "login_required", anonymous

    def oidc_errors(self):
        discovery, _, _, query = self.oidc_authorize(requests.Session())
        mismatch = self.exchange(discovery, query["code"], "x" * 43)
        assert mismatch.json() == {"error": "invalid_grant",
                                   "error_description": "PKCE verification failed: Code mismatch"}
        _, _, _, query = self.oidc_authorize(requests.Session())
        missing = self.exchange(discovery, query["code"], "")
        assert missing.json()["error_description"] == "PKCE code verifier not specified"
        _, _, verifier, query = self.oidc_authorize(requests.Session(), scope="profile")
        no_openid = self.exchange(discovery, query["code"], verifier).json()
        assert "id_token" not in no_openid and no_openid["access_token"], no_openid
        _, _, _, plain = self.oidc_authorize(requests.Session(), code_challenge_method="plain")
        assert plain["error"] == "invalid_request", plain
        bad_redirect = requests.get(discovery["authorization_endpoint"], allow_redirects=False,
                                    params={"response_type": "code", "client_id": "aws-runas",
                                            "redirect_uri": "https://evil.example/cb"})
        assert bad_redirect.status_code == 400 and "Location" not in bad_redirect.headers
        unknown = requests.post(discovery["token_endpoint"], data={
            "grant_type": "authorization_code", "code": "x", "client_id": "nobody"})
        assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
        wrong = requests.Session()
        page = wrong.get(discovery["authorization_endpoint"], params={
            "response_type": "code", "client_id": "aws-runas", "redirect_uri": REDIRECT_URI,
            "code_challenge": "x" * 43, "code_challenge_method": "S256"})
        answer = self.submit(wrong, Forms(page.text).form("kc-form-login"),
                             {"username": "alice", "password": "nope"})
        assert answer.status_code == 200 and Forms(answer.text).says("Invalid username or password.")

    def oidc_faults(self):
        self.control("POST", "faults", {"wrong_state": True})
        _, params, _, query = self.oidc_authorize(requests.Session())
        assert query["state"] != params["state"]

        def token_with(faults):
            self.control("POST", "faults", faults)
            discovery, params, verifier, query = self.oidc_authorize(requests.Session())
            return discovery, params, self.exchange(discovery, query["code"], verifier).json()

        for faults, error in (({"wrong_nonce": True}, InvalidClaimError),
                              ({"id_token_audience": "someone-else"}, InvalidClaimError),
                              ({"id_token_issuer": "https://elsewhere.example"}, InvalidClaimError),
                              ({"id_token_key": "foreign"}, BadSignatureError),
                              ({"id_token_expired": True}, JoseError)):
            discovery, params, body = token_with(faults)
            try:
                self.validate(discovery, params, body["id_token"])
            except error:
                pass
            else:
                raise AssertionError(f"{faults}: the id_token validated")


def run(test_class, config, names, description):
    """The command line of a self-test: --url (the emulator) and --sts-url (moto); resets and
    configures the emulator, runs the named checks, prints the tally and exits 1 when one failed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--url", required=True, help="the emulator")
    parser.add_argument("--sts-url", required=True, help="moto / sts_emulator.py")
    args = parser.parse_args()
    test = test_class(args.url, args.sts_url)
    test.control("POST", "reset", {"everything": True})
    test.control("POST", "config", config)
    for name in names:
        test.check(name, getattr(test, name))
    print(f"{test.passed} passed, {test.failed} failed", flush=True)
    sys.exit(1 if test.failed else 0)


def main():
    run(SelfTest, CONFIG, ("login_page_shape", "saml_login_with_moto", "wrong_password", "otp_flow",
                           "single_use_session_code", "legacy_realm", "saml_faults",
                           "oidc_code_flow", "oidc_errors", "oidc_faults"),
        __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
