#!/usr/bin/env python3
"""Loopback Keycloak identity-provider emulator for aws-runas integration tests.

Follows ../shared/spec/identity-providers.md §3 (Keycloak's browser flow as seen over HTTP),
§6.1/§6.3 (what AWS needs in a SAML Response; authorization code + PKCE) and §8 (real signed
artifacts: SAML Responses signed with signxml, RS256 id_tokens and a JWKS with joserfc).
One HTTP server on 127.0.0.1; paths work with and without the old `/auth` prefix.

Identity provider surface (per realm R, issuer {base}/realms/R):
  GET  /realms/R/protocol/saml/clients/<url_name>     IdP-initiated SAML ("SamlInit")
       valid KEYCLOAK_IDENTITY cookie -> 200 auto-post page (form name="saml-post-binding",
       action = the client's ACS URL, hidden SAMLResponse and RelayState), no questions asked;
       else 200 login page, Set-Cookie AUTH_SESSION_ID=<id>.<node> and KC_RESTART (a JWT),
       both Path=/realms/R/ HttpOnly.
  POST /realms/R/login-actions/authenticate?session_code=&execution=&client_id=&tab_id=&client_data=
       ("LoginActions"; form-encoded, with the cookies). Always 200 HTML except the OIDC success:
       password step: form id kc-form-login, inputs username, password, credentialId (id
         id-hidden-input), submit login (id kc-login). Wrong password -> the login page again,
         username kept, "Invalid username or password." (span id input-error; theme "keycloak":
         div.alert-error / span.kc-feedback-text). Disabled user -> "Account is disabled,
         contact your administrator."
       OTP step (user with otp_secret or otp_code): form id kc-otp-login-form with input otp
         (realm otp_field "totp" = pre-13 themes). Wrong code -> the OTP page again with
         "Invalid authenticator code." (span id input-error-otp-code).
       success: Set-Cookie KEYCLOAK_IDENTITY (JWT, HttpOnly) and KEYCLOAK_SESSION (R/<user
         id>/<session id>), both Path=/realms/R/, session cookies unless the form posted
         rememberMe=on (then Max-Age = sso_session_max_seconds); KC_RESTART expired. SAML ->
         the auto-post page; OIDC -> 302 redirect_uri?state=&session_state=&iss=&code=.
       session_code is single-use: a stale one re-renders the current step. No auth session
       (cookie gone or session ended) with a KC_RESTART cookie -> a fresh login page with "Your
       login attempt timed out. Login will start from the beginning."; without one -> error
       page "Cookie not found. Please make sure cookies are enabled in your browser."
  GET  /realms/R/protocol/saml/descriptor             IdP metadata (entityID, signing cert)
  GET  /realms/R/.well-known/openid-configuration     OIDC discovery ("Discovery")
  GET  /realms/R/protocol/openid-connect/auth         ("OidcAuth") response_type=code, client_id,
       redirect_uri, scope, state, nonce, code_challenge, code_challenge_method=S256 (required
       for clients with pkce_required). Unknown client / redirect_uri -> 400 error page, no
       redirect. Other errors -> 302 redirect_uri?error=..&error_description=..&state=..
       With a session -> 302 with code; without -> 200 login page (then the 302 comes from
       login-actions); prompt=none without a session -> 302 error=login_required.
  POST /realms/R/protocol/openid-connect/token        ("Token") grant_type=authorization_code
       (code, redirect_uri, client_id, code_verifier[, client_secret]) or refresh_token.
       -> {access_token, expires_in, refresh_expires_in, refresh_token, token_type: "Bearer",
       id_token, not-before-policy, session_state, scope}; errors 400 {error,
       error_description}: invalid_grant "Code not valid" (unknown, used or expired code),
       "PKCE verification failed: Code mismatch", "PKCE code verifier not specified",
       "Incorrect redirect_uri"; 401 invalid_client; 400 unsupported_grant_type.
  GET  /realms/R/protocol/openid-connect/certs        JWKS ("Certs")
  GET  /realms/R/protocol/openid-connect/userinfo     Bearer access token ("UserInfo")
  GET  /realms/R/protocol/openid-connect/logout       ends the session, expires cookies ("Logout")
  HEAD works like GET (aws-runas detects Keycloak by the KC_RESTART cookie of a HEAD).

Keys: one RSA-2048 key per realm (kept across config changes for the emulator's life), used
like Keycloak's realm key for both the SAML signature (self-signed certificate CN=<realm>) and
the JWT signature (kid = RFC 7638 thumbprint).

Control API (JSON, under /_emulator/; see KEYCLOAK_EMULATOR.md):
  GET  /_emulator/config          -> the configuration with defaults filled in
  POST /_emulator/config          {"realms": [...]} replaces every realm (see DEFAULT_CONFIG and
                                  the *_DEFAULTS below for each field); -> the effective config.
                                  Sessions survive; realm keys survive (by realm name).
  GET  /_emulator/faults          POST /_emulator/faults {...} replaces the faults ({} clears):
       delay_seconds (0), delay_routes ([] = every IdP route, else route names as logged),
       malformed_login_page (false: the login page comes without its form),
       saml_roles (null: else these role values replace every user's in assertions),
       expired_assertion (false: IssueInstant 10 min ago, NotOnOrAfter 5 min ago),
       unsigned_assertion (false), saml_signing_key ("realm" | "foreign"),
       wrong_state (false: the redirect carries another state), wrong_nonce (false),
       id_token_key ("realm" | "foreign": signed by a key not in the JWKS, same kid),
       id_token_audience (null), id_token_issuer (null), id_token_expired (false)
  GET  /_emulator/requests        -> [{"route", "method", "path", "query", "status",
                                      "cookies": [names sent], "form": [field names], "time"}]
                                  every IdP request in order (never values of form fields)
  GET  /_emulator/calls           -> {"SamlInit": 2, "LoginActions": 3, ...}
  POST /_emulator/reset           {} clears the request log; {"everything": true} also the
                                  faults, sessions, codes and configuration (back to defaults)
  GET  /_emulator/sessions        -> [{"id", "realm", "username", "started", "expires"}]
  POST /_emulator/end_sessions    {"kind": "user" | "auth" | "all", "username": optional}
                                  ends IdP sessions (cookies stop working) and/or login attempts
  GET  /_emulator/otp?realm=R&username=U -> {"code": "123456"} (the current TOTP or fixed code)
  GET  /_emulator/certificate?realm=R    -> the realm's signing certificate (PEM)

Usage: keycloak_emulator.py --port 0 [--exit-on-stdin-eof] [--config FILE.json]
Prints one line "PORT <n>" on stdout once listening.
"""

import base64
import copy
import hashlib
import html
import json
import secrets
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pyotp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from lxml import etree
from signxml import XMLSigner
from werkzeug.wrappers import Request, Response

import loopback_server

AWS_SIGNIN_URL = "https://signin.aws.amazon.com/saml"
AWS_SP_ENTITY_ID = "urn:amazon:webservices"
ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role"
SESSION_NAME_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
SESSION_DURATION_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "xs": "http://www.w3.org/2001/XMLSchema",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
}
NODE = "emulator-node"

MESSAGES = {
    "invalid_user": "Invalid username or password.",
    "invalid_otp": "Invalid authenticator code.",
    "disabled": "Account is disabled, contact your administrator.",
    "timeout": "Your login attempt timed out. Login will start from the beginning.",
    "cookie_not_found": "Cookie not found. Please make sure cookies are enabled in your browser.",
}

USER_DEFAULTS = {
    "username": None, "password": None, "email": None, "first_name": "", "last_name": "",
    "enabled": True, "otp_secret": None, "otp_code": None, "session_name": None, "roles": [],
}
SAML_CLIENT_DEFAULTS = {
    "url_name": "aws", "client_id": AWS_SP_ENTITY_ID, "acs_url": AWS_SIGNIN_URL,
    "relay_state": "", "audience": None, "session_duration": 3600, "assertion_lifetime": 300,
    "single_role_attribute": False, "sign_assertion": True, "sign_response": True,
    "name_id_format": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
}
OIDC_CLIENT_DEFAULTS = {
    "client_id": "aws-runas", "redirect_uris": ["http://localhost*", "http://127.0.0.1*",
                                                "app:/callback"],
    "public": True, "client_secret": None, "pkce_required": True,
    "access_token_seconds": 300, "refresh_token_seconds": 1800, "code_seconds": 60,
}
REALM_DEFAULTS = {
    "name": "demo", "display_name": None, "theme": "keycloak.v2", "otp_field": "otp",
    "remember_me": False, "legacy_cookies": False, "sso_session_max_seconds": 36000,
    "login_timeout_seconds": 1800, "users": [], "saml_clients": [], "oidc_clients": [],
}
DEFAULT_CONFIG = {"realms": [{
    "name": "demo",
    "users": [
        {"username": "alice", "password": "alice-password", "email": "alice@example.com",
         "roles": [["arn:aws:iam::123456789012:role/Admin",
                    "arn:aws:iam::123456789012:saml-provider/keycloak"],
                   ["arn:aws:iam::123456789012:role/ReadOnly",
                    "arn:aws:iam::123456789012:saml-provider/keycloak"]]},
        {"username": "bob", "password": "bob-password", "email": "bob@example.com",
         "otp_secret": "JBSWY3DPEHPK3PXP",
         "roles": [["arn:aws:iam::123456789012:role/Admin",
                    "arn:aws:iam::123456789012:saml-provider/keycloak"]]},
    ],
    "saml_clients": [{"url_name": "aws"}],
    "oidc_clients": [{"client_id": "aws-runas"}],
}]}
FAULT_DEFAULTS = {
    "delay_seconds": 0, "delay_routes": [], "malformed_login_page": False, "saml_roles": None,
    "expired_assertion": False, "unsigned_assertion": False, "saml_signing_key": "realm",
    "wrong_state": False, "wrong_nonce": False, "id_token_key": "realm",
    "id_token_audience": None, "id_token_issuer": None, "id_token_expired": False,
}


class ConfigError(Exception):
    """A control-API request the emulator cannot accept (answered 400)."""


def now():
    return time.time()


def saml_time(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def pkce_challenge(verifier):
    return b64url(hashlib.sha256(verifier.encode()).digest())


def keycloak_code():
    return f"{uuid.uuid4()}.{uuid.uuid4()}.{uuid.uuid4()}"


def with_defaults(defaults, value, what):
    if not isinstance(value, dict):
        raise ConfigError(f"{what} must be a JSON object")
    unknown = sorted(set(value) - set(defaults))
    if unknown:
        raise ConfigError(f"{what}: unknown field(s) {', '.join(unknown)}")
    merged = copy.deepcopy(defaults)
    merged.update(copy.deepcopy(value))
    return merged


def normalise_config(config):
    """Fills defaults in and checks the shape; raises ConfigError naming the bad field."""
    realms = config.get("realms") if isinstance(config, dict) else None
    if not isinstance(realms, list) or not realms:
        raise ConfigError('config needs "realms": a non-empty list')
    result = []
    for index, realm in enumerate(realms):
        realm = with_defaults(REALM_DEFAULTS, realm, f"realms[{index}]")
        name = realm["name"]
        realm["users"] = [with_defaults(USER_DEFAULTS, user, f"realm {name} users[{i}]")
                          for i, user in enumerate(realm["users"])]
        for user in realm["users"]:
            if not user["username"] or user["password"] is None:
                raise ConfigError(f"realm {name}: every user needs username and password")
            user["username"] = user["username"].lower()
            for role in user["roles"]:
                if not (isinstance(role, str) or (isinstance(role, list) and len(role) == 2)):
                    raise ConfigError(f"realm {name} user {user['username']}: a role is "
                                      '"role_arn,principal_arn" or [role_arn, principal_arn]')
        realm["saml_clients"] = [
            with_defaults(SAML_CLIENT_DEFAULTS, client, f"realm {name} saml_clients[{i}]")
            for i, client in enumerate(realm["saml_clients"])]
        realm["oidc_clients"] = [
            with_defaults(OIDC_CLIENT_DEFAULTS, client, f"realm {name} oidc_clients[{i}]")
            for i, client in enumerate(realm["oidc_clients"])]
        if realm["otp_field"] not in ("otp", "totp"):
            raise ConfigError(f'realm {name}: otp_field is "otp" or "totp"')
        if realm["theme"] not in ("keycloak.v2", "keycloak"):
            raise ConfigError(f'realm {name}: theme is "keycloak.v2" or "keycloak"')
        result.append(realm)
    return {"realms": result}


def role_value(role):
    return role if isinstance(role, str) else f"{role[0]},{role[1]}"


class RealmKeys:
    """A realm's RSA key: the SAML signing certificate and the RS256 JWK; plus an HMAC key for
    Keycloak's own cookies (KEYCLOAK_IDENTITY, KC_RESTART)."""

    def __init__(self, realm_name):
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_pem = self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, realm_name)])
        start = datetime.now(timezone.utc) - timedelta(days=1)
        self.certificate = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(self.private_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=3650))
            .sign(self.private_key, hashes.SHA256()))
        self.cert_pem = self.certificate.public_bytes(serialization.Encoding.PEM)
        self.cert_b64 = base64.b64encode(
            self.certificate.public_bytes(serialization.Encoding.DER)).decode()
        self.jwk = RSAKey.import_key(self.key_pem)
        self.kid = self.jwk.thumbprint()
        self.hmac = OctKey.generate_key(512)

    def public_jwk(self):
        public = self.jwk.as_dict(private=False)
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        public.update({"kid": self.kid, "use": "sig", "alg": "RS256", "x5c": [self.cert_b64],
                       "x5t": b64url(hashlib.sha1(der).digest()),
                       "x5t#S256": b64url(hashlib.sha256(der).digest())})
        return public


class Emulator:
    """WSGI application: Keycloak's realm endpoints plus the /_emulator/ control API."""

    def __init__(self, config=None):
        self.lock = threading.Lock()
        self.keys = {}                # realm name -> RealmKeys (kept for the emulator's life)
        self.foreign = None           # a key no realm publishes (faults)
        self.reset_everything()
        if config is not None:
            self.config = normalise_config(config)

    def reset_everything(self):
        self.config = normalise_config(DEFAULT_CONFIG)
        self.faults = copy.deepcopy(FAULT_DEFAULTS)
        self.auth_sessions = {}       # (root id, tab id) -> login in progress
        self.user_sessions = {}       # session id -> signed-in user
        self.codes = {}               # authorization code -> grant
        self.refresh_tokens = {}      # refresh token -> grant
        self.access_tokens = {}       # access token -> claims
        self.requests = []

    # -- helpers --------------------------------------------------------------

    def realm(self, name):
        for realm in self.config["realms"]:
            if realm["name"] == name:
                return realm
        return None

    def realm_keys(self, name):
        with self.lock:
            if name not in self.keys:
                self.keys[name] = RealmKeys(name)
            return self.keys[name]

    def foreign_keys(self):
        with self.lock:
            if self.foreign is None:
                self.foreign = RealmKeys("foreign")
            return self.foreign

    @staticmethod
    def find_user(realm, login):
        login = (login or "").strip().lower()
        for user in realm["users"]:
            if login and (user["username"] == login or (user["email"] or "").lower() == login):
                return user
        return None

    @staticmethod
    def user_id(realm, user):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"keycloak:{realm['name']}:{user['username']}"))

    # -- WSGI entry point -----------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except ConfigError as error:
            response = json_response(400, {"error": str(error)})
        except Exception as error:  # an emulator bug: make it visible to the test
            response = json_response(500, {"error": f"{type(error).__name__}: {error}"})
        return response(environ, start_response)

    def dispatch(self, request):
        path = request.path
        if path.startswith("/_emulator/"):
            return self.control(request)
        prefix = ""
        if path.startswith("/auth/"):
            prefix, path = "/auth", path[len("/auth"):]
        parts = path.strip("/").split("/")
        route, handler = "Unknown", None
        if len(parts) >= 2 and parts[0] == "realms":
            realm = self.realm(parts[1])
            rest = parts[2:]
            method = "GET" if request.method == "HEAD" else request.method
            routes = {
                ("GET", ("protocol", "saml", "descriptor")): ("SamlDescriptor", self.saml_descriptor),
                ("GET", (".well-known", "openid-configuration")): ("Discovery", self.discovery),
                ("GET", ("protocol", "openid-connect", "auth")): ("OidcAuth", self.oidc_auth),
                ("POST", ("protocol", "openid-connect", "token")): ("Token", self.token),
                ("GET", ("protocol", "openid-connect", "certs")): ("Certs", self.certs),
                ("GET", ("protocol", "openid-connect", "userinfo")): ("UserInfo", self.userinfo),
                ("GET", ("protocol", "openid-connect", "logout")): ("Logout", self.logout),
                ("POST", ("login-actions", "authenticate")): ("LoginActions", self.login_actions),
            }
            if method == "GET" and len(rest) == 4 and rest[:3] == ["protocol", "saml", "clients"]:
                route, handler = "SamlInit", self.saml_init
            elif (method, tuple(rest)) in routes:
                route, handler = routes[(method, tuple(rest))]
            if realm is None and handler is not None:
                handler = None
                route = "UnknownRealm"
        self.delay(route)
        if handler is None:
            response = json_response(404, {"error": "Realm does not exist"}
                                     if route == "UnknownRealm" else {"error": "Not found"})
        else:
            context = Context(self, request, realm, prefix, parts[2:])
            response = handler(context)
        self.log(route, request, response)
        return response

    def delay(self, route):
        seconds = self.faults.get("delay_seconds") or 0
        routes = self.faults.get("delay_routes") or []
        if seconds and (not routes or route in routes):
            time.sleep(seconds)

    def log(self, route, request, response):
        form_names = sorted(request.form.keys()) if request.method == "POST" else []
        entry = {"route": route, "method": request.method, "path": request.path,
                 "query": {key: request.args.get(key) for key in request.args},
                 "status": response.status_code, "cookies": sorted(request.cookies.keys()),
                 "form": form_names, "time": now()}
        with self.lock:
            self.requests.append(entry)

    # -- IdP-initiated SAML ---------------------------------------------------

    def saml_init(self, ctx):
        url_name = ctx.rest[3]
        client = next((c for c in ctx.realm["saml_clients"] if c["url_name"] == url_name), None)
        if client is None:
            return ctx.error_page(400, "Client not found.")
        target = {"protocol": "saml", "url_name": url_name, "client_id": client["client_id"]}
        session = ctx.identity_session()
        if session is not None:
            return ctx.saml_post_page(client, session)
        return ctx.start_login(target)

    def saml_descriptor(self, ctx):
        keys = self.realm_keys(ctx.realm["name"])
        issuer = ctx.issuer()
        body = (
            f'<md:EntityDescriptor xmlns:md="{NS["md"]}" xmlns:ds="{NS["ds"]}" '
            f'entityID="{html.escape(issuer)}">'
            f'<md:IDPSSODescriptor WantAuthnRequestsSigned="true" '
            f'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:KeyName>{keys.kid}</ds:KeyName>'
            f'<ds:X509Data><ds:X509Certificate>{keys.cert_b64}</ds:X509Certificate></ds:X509Data>'
            f'</ds:KeyInfo></md:KeyDescriptor>'
            f'<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'
            f'</md:NameIDFormat>'
            f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
            f'Location="{html.escape(issuer)}/protocol/saml"/>'
            f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            f'Location="{html.escape(issuer)}/protocol/saml"/>'
            f'</md:IDPSSODescriptor></md:EntityDescriptor>')
        return Response(body, status=200, content_type="text/xml;charset=utf-8")

    # -- the login flow -------------------------------------------------------

    def login_actions(self, ctx):
        tab_id = ctx.request.args.get("tab_id", "")
        root = ctx.auth_session_root()
        with self.lock:
            login = self.auth_sessions.get((root, tab_id)) if root else None
            if login is not None and login["expires"] < now():
                self.auth_sessions.pop((root, tab_id), None)
                login = None
        if login is None:
            restart = ctx.restart_target()
            if restart is not None:
                return ctx.start_login(restart, message=MESSAGES["timeout"])
            return ctx.error_page(200, MESSAGES["cookie_not_found"])
        if ctx.request.args.get("session_code") != login["session_code"]:
            return ctx.render_step(login)  # stale or replayed form: show the current step
        if login["stage"] == "password":
            return self.password_step(ctx, login)
        return self.otp_step(ctx, login)

    def password_step(self, ctx, login):
        form = ctx.request.form
        user = self.find_user(ctx.realm, form.get("username"))
        login["username_typed"] = form.get("username", "")
        if user is None or not secrets.compare_digest(
                user["password"].encode(), form.get("password", "").encode()):
            return ctx.render_step(login, message=MESSAGES["invalid_user"])
        if not user["enabled"]:
            return ctx.render_step(login, message=MESSAGES["disabled"])
        login["user"] = user["username"]
        login["remember_me"] = form.get("rememberMe") == "on"
        if user["otp_secret"] or user["otp_code"]:
            login["stage"] = "otp"
            login["execution"] = str(uuid.uuid4())
            return ctx.render_step(login)
        return ctx.finish_login(login)

    def otp_step(self, ctx, login):
        user = self.find_user(ctx.realm, login["user"])
        code = (ctx.request.form.get(ctx.realm["otp_field"]) or "").strip()
        if user is None or not otp_matches(user, code):
            return ctx.render_step(login, message=MESSAGES["invalid_otp"])
        return ctx.finish_login(login)

    # -- OIDC -------------------------------------------------------------------

    def discovery(self, ctx):
        issuer = ctx.issuer()
        oidc = f"{issuer}/protocol/openid-connect"
        return json_response(200, {
            "issuer": issuer,
            "authorization_endpoint": f"{oidc}/auth",
            "token_endpoint": f"{oidc}/token",
            "introspection_endpoint": f"{oidc}/token/introspect",
            "userinfo_endpoint": f"{oidc}/userinfo",
            "end_session_endpoint": f"{oidc}/logout",
            "jwks_uri": f"{oidc}/certs",
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": ["openid", "profile", "email"],
            "claims_supported": ["aud", "sub", "iss", "auth_time", "name", "given_name",
                                 "family_name", "preferred_username", "email", "nonce"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "authorization_response_iss_parameter_supported": True,
        })

    def certs(self, ctx):
        return json_response(200, {"keys": [self.realm_keys(ctx.realm["name"]).public_jwk()]})

    def oidc_auth(self, ctx):
        args = ctx.request.args
        client = next((c for c in ctx.realm["oidc_clients"]
                       if c["client_id"] == args.get("client_id")), None)
        if client is None:
            return ctx.error_page(400, "Client not found.")
        redirect_uri = args.get("redirect_uri", "")
        if not redirect_allowed(client, redirect_uri):
            return ctx.error_page(400, "Invalid parameter: redirect_uri")
        state = args.get("state")

        def fail(error, description):
            return ctx.redirect_with(redirect_uri, [("error", error),
                                                    ("error_description", description),
                                                    ("state", state)])

        if args.get("response_type") != "code":
            return fail("unsupported_response_type", "Client is not allowed to initiate browser "
                        "login with given response_type. Standard flow is disabled for the client.")
        challenge, method = args.get("code_challenge"), args.get("code_challenge_method")
        if challenge and method not in ("S256", "plain"):
            return fail("invalid_request", "Invalid parameter: code challenge method is not "
                        "matching the configured one")
        if client["pkce_required"]:
            if not method:
                return fail("invalid_request", "Missing parameter: code_challenge_method")
            if method != "S256":
                return fail("invalid_request", "Invalid parameter: code challenge method is not "
                            "matching the configured one")
            if not challenge:
                return fail("invalid_request", "Missing parameter: code_challenge")
        target = {"protocol": "openid-connect", "client_id": client["client_id"],
                  "redirect_uri": redirect_uri, "state": state, "nonce": args.get("nonce"),
                  "code_challenge": challenge, "code_challenge_method": method,
                  "scope": args.get("scope") or ""}
        session = ctx.identity_session()
        if session is not None:
            return ctx.oidc_redirect(target, session)
        if args.get("prompt") == "none":
            return fail("login_required", "")
        return ctx.start_login(target)

    def token(self, ctx):
        form = ctx.request.form
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = ctx.request.authorization
        if basic is not None and basic.type == "basic":
            client_id, secret = basic.username, basic.password
        client = next((c for c in ctx.realm["oidc_clients"] if c["client_id"] == client_id), None)
        if client is None or (not client["public"] and secret != client["client_secret"]):
            return token_error(401, "invalid_client", "Invalid client or Invalid client credentials")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            with self.lock:
                grant = self.codes.pop(form.get("code", ""), None)
            if grant is None or grant["expires"] < now() or grant["client_id"] != client_id:
                return token_error(400, "invalid_grant", "Code not valid")
            if form.get("redirect_uri") != grant["redirect_uri"]:
                return token_error(400, "invalid_grant", "Incorrect redirect_uri")
            if grant["code_challenge"]:
                verifier = form.get("code_verifier")
                if not verifier:
                    return token_error(400, "invalid_grant", "PKCE code verifier not specified")
                expected = (pkce_challenge(verifier) if grant["code_challenge_method"] == "S256"
                            else verifier)
                if not secrets.compare_digest(expected, grant["code_challenge"]):
                    return token_error(400, "invalid_grant", "PKCE verification failed: Code mismatch")
            with self.lock:
                session = self.user_sessions.get(grant["session_id"])
            if session is None:
                return token_error(400, "invalid_grant", "Session not active")
            return self.issue_tokens(ctx, client, grant, session)
        if grant_type == "refresh_token":
            with self.lock:
                grant = self.refresh_tokens.get(form.get("refresh_token", ""))
                session = self.user_sessions.get(grant["session_id"]) if grant else None
            if grant is None or grant["expires"] < now() or grant["client_id"] != client_id:
                return token_error(400, "invalid_grant", "Invalid refresh token")
            if session is None:
                return token_error(400, "invalid_grant", "Session not active")
            grant = dict(grant, nonce=None)
            return self.issue_tokens(ctx, client, grant, session)
        return token_error(400, "unsupported_grant_type", "Unsupported grant_type")

    def issue_tokens(self, ctx, client, grant, session):
        realm = ctx.realm
        user = self.find_user(realm, session["username"])
        keys = self.realm_keys(realm["name"])
        issued = int(now())
        lifetime = client["access_token_seconds"]
        issuer = ctx.issuer()
        common = {
            "exp": issued + lifetime, "iat": issued, "auth_time": int(session["started"]),
            "iss": issuer, "sub": self.user_id(realm, user), "azp": client["client_id"],
            "session_state": session["id"], "sid": session["id"],
            "preferred_username": user["username"], "email": user["email"],
            "email_verified": bool(user["email"]),
            "name": f"{user['first_name']} {user['last_name']}".strip() or user["username"],
            "given_name": user["first_name"], "family_name": user["last_name"],
        }
        access_claims = dict(common, jti=str(uuid.uuid4()), aud="account", typ="Bearer",
                             scope=grant["scope"])
        access_token = sign_jwt(keys.jwk, keys.kid, access_claims)
        id_claims = dict(common, jti=str(uuid.uuid4()), aud=client["client_id"], typ="ID",
                         at_hash=b64url(hashlib.sha256(access_token.encode()).digest()[:16]))
        if grant.get("nonce"):
            id_claims["nonce"] = grant["nonce"]
        faults = self.faults
        if faults["wrong_nonce"]:
            id_claims["nonce"] = "not-the-nonce-" + secrets.token_hex(4)
        if faults["id_token_audience"]:
            id_claims["aud"] = faults["id_token_audience"]
        if faults["id_token_issuer"]:
            id_claims["iss"] = faults["id_token_issuer"]
        if faults["id_token_expired"]:
            id_claims["iat"], id_claims["exp"] = issued - 2 * lifetime, issued - lifetime
        signer = self.foreign_keys().jwk if faults["id_token_key"] == "foreign" else keys.jwk
        id_token = sign_jwt(signer, keys.kid, id_claims)
        refresh_token = sign_jwt(keys.hmac, None, {
            "exp": issued + client["refresh_token_seconds"], "iat": issued,
            "jti": str(uuid.uuid4()), "iss": issuer, "aud": issuer, "typ": "Refresh",
            "sub": common["sub"], "azp": client["client_id"], "sid": session["id"]}, alg="HS256")
        with self.lock:
            self.access_tokens[access_token] = access_claims
            self.refresh_tokens[refresh_token] = {
                "client_id": client["client_id"], "session_id": session["id"],
                "scope": grant["scope"], "expires": issued + client["refresh_token_seconds"]}
        scope = " ".join(dict.fromkeys(["openid", "email", "profile"]
                                       + (grant["scope"] or "").split()))
        body = {
            "access_token": access_token, "expires_in": lifetime,
            "refresh_expires_in": client["refresh_token_seconds"], "refresh_token": refresh_token,
            "token_type": "Bearer", "id_token": id_token, "not-before-policy": 0,
            "session_state": session["id"], "scope": scope}
        if "openid" not in (grant["scope"] or "").split():
            del body["id_token"]  # like Keycloak: no openid scope, no id_token
            body["scope"] = " ".join(s for s in scope.split() if s != "openid")
        response = json_response(200, body)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        return response

    def userinfo(self, ctx):
        header = ctx.request.headers.get("Authorization", "")
        with self.lock:
            claims = self.access_tokens.get(header[7:]) if header.startswith("Bearer ") else None
        if claims is None or claims["exp"] < now():
            response = json_response(401, {"error": "invalid_token",
                                           "error_description": "Token verification failed"})
            response.headers["WWW-Authenticate"] = 'Bearer realm="%s", error="invalid_token"' % (
                ctx.realm["name"])
            return response
        keep = ("sub", "email_verified", "name", "preferred_username", "given_name",
                "family_name", "email")
        return json_response(200, {key: claims[key] for key in keep if key in claims})

    def logout(self, ctx):
        session = ctx.identity_session()
        if session is not None:
            with self.lock:
                self.user_sessions.pop(session["id"], None)
        response = html_page("Logging out", "<p>You are logged out.</p>")
        ctx.expire_identity_cookies(response)
        redirect = ctx.request.args.get("post_logout_redirect_uri")
        if redirect:
            response = Response(status=302, headers={"Location": redirect})
            ctx.expire_identity_cookies(response)
        return response

    # -- control API ----------------------------------------------------------

    def control(self, request):
        path, method = request.path, request.method
        body = {}
        if method == "POST":
            try:
                body = json.loads(request.get_data() or b"{}")
            except ValueError as error:
                raise ConfigError(f"body is not JSON: {error}")
            if not isinstance(body, dict):
                raise ConfigError("body must be a JSON object")
        if (method, path) == ("GET", "/_emulator/config"):
            return json_response(200, self.config)
        if (method, path) == ("POST", "/_emulator/config"):
            config = normalise_config(body)
            with self.lock:
                self.config = config
            return json_response(200, config)
        if (method, path) == ("GET", "/_emulator/faults"):
            return json_response(200, self.faults)
        if (method, path) == ("POST", "/_emulator/faults"):
            faults = with_defaults(FAULT_DEFAULTS, body, "faults")
            for name in ("saml_signing_key", "id_token_key"):
                if faults[name] not in ("realm", "foreign"):
                    raise ConfigError(f'faults: {name} is "realm" or "foreign"')
            with self.lock:
                self.faults = faults
            return json_response(200, faults)
        if (method, path) == ("GET", "/_emulator/requests"):
            with self.lock:
                return json_response(200, list(self.requests))
        if (method, path) == ("GET", "/_emulator/calls"):
            counts = {}
            with self.lock:
                for entry in self.requests:
                    counts[entry["route"]] = counts.get(entry["route"], 0) + 1
            return json_response(200, counts)
        if (method, path) == ("POST", "/_emulator/reset"):
            with self.lock:
                if body.get("everything"):
                    self.reset_everything()
                else:
                    self.requests = []
            return json_response(200, {})
        if (method, path) == ("GET", "/_emulator/sessions"):
            with self.lock:
                rows = [{"id": s["id"], "realm": s["realm"], "username": s["username"],
                         "started": s["started"], "expires": s["expires"]}
                        for s in self.user_sessions.values()]
            return json_response(200, rows)
        if (method, path) == ("POST", "/_emulator/end_sessions"):
            kind = body.get("kind", "all")
            if kind not in ("user", "auth", "all"):
                raise ConfigError('end_sessions: kind is "user", "auth" or "all"')
            username = (body.get("username") or "").lower() or None
            with self.lock:
                ended = 0
                if kind in ("user", "all"):
                    for key in [k for k, s in self.user_sessions.items()
                                if username in (None, s["username"])]:
                        del self.user_sessions[key]
                        ended += 1
                if kind in ("auth", "all"):
                    for key in [k for k, s in self.auth_sessions.items()
                                if username in (None, s.get("user"))]:
                        del self.auth_sessions[key]
                        ended += 1
            return json_response(200, {"ended": ended})
        if (method, path) == ("GET", "/_emulator/otp"):
            realm = self.realm(request.args.get("realm", ""))
            user = self.find_user(realm, request.args.get("username")) if realm else None
            if user is None or not (user["otp_secret"] or user["otp_code"]):
                return json_response(404, {"error": "no such user with OTP"})
            code = user["otp_code"] or pyotp.TOTP(user["otp_secret"]).now()
            return json_response(200, {"code": code})
        if (method, path) == ("GET", "/_emulator/certificate"):
            name = request.args.get("realm", "")
            if self.realm(name) is None:
                return json_response(404, {"error": f"no realm {name}"})
            return Response(self.realm_keys(name).cert_pem, status=200,
                            content_type="application/x-pem-file")
        return json_response(404, {"error": f"No control route {method} {path}"})


class Context:
    """One IdP request: the realm it addresses, the URL prefix and the response helpers."""

    def __init__(self, emulator, request, realm, prefix, rest):
        self.emulator = emulator
        self.request = request
        self.realm = realm
        self.prefix = prefix
        self.rest = rest

    # -- URLs and cookies -----------------------------------------------------

    def base(self):
        return self.request.host_url.rstrip("/") + self.prefix

    def issuer(self):
        return f"{self.base()}/realms/{self.realm['name']}"

    def cookie_path(self):
        return f"{self.prefix}/realms/{self.realm['name']}/"

    def set_cookie(self, response, name, value, max_age=None, http_only=True):
        names = [name] + ([name + "_LEGACY"] if self.realm["legacy_cookies"] else [])
        for cookie in names:
            response.set_cookie(cookie, value, max_age=max_age, path=self.cookie_path(),
                                httponly=http_only)

    def expire_cookie(self, response, name):
        names = [name] + ([name + "_LEGACY"] if self.realm["legacy_cookies"] else [])
        for cookie in names:
            response.delete_cookie(cookie, path=self.cookie_path(), httponly=True)

    def cookie(self, name):
        return self.request.cookies.get(name) or self.request.cookies.get(name + "_LEGACY")

    def hmac_key(self):
        return self.emulator.realm_keys(self.realm["name"]).hmac

    def identity_session(self):
        """The user session named by a valid KEYCLOAK_IDENTITY cookie, or None."""
        token = self.cookie("KEYCLOAK_IDENTITY")
        claims = verify_jwt(token, self.hmac_key()) if token else None
        if claims is None or claims.get("iss") != self.issuer():
            return None
        with self.emulator.lock:
            session = self.emulator.user_sessions.get(claims.get("sid"))
        if session is None or session["expires"] < now() or session["realm"] != self.realm["name"]:
            return None
        if self.emulator.find_user(self.realm, session["username"]) is None:
            return None
        return session

    def auth_session_root(self):
        value = self.cookie("AUTH_SESSION_ID") or ""
        return value.split(".")[0] or None

    def restart_target(self):
        token = self.cookie("KC_RESTART")
        claims = verify_jwt(token, self.hmac_key()) if token else None
        return claims.get("target") if claims else None

    # -- pages ------------------------------------------------------------------

    def start_login(self, target, message=None):
        root = self.auth_session_root()
        emulator = self.emulator
        with emulator.lock:
            if root is None or not any(key[0] == root for key in emulator.auth_sessions):
                root = str(uuid.uuid4())
            tab_id = b64url(secrets.token_bytes(8))
            login = {"root": root, "tab_id": tab_id, "target": target, "stage": "password",
                     "execution": str(uuid.uuid4()), "session_code": None, "user": None,
                     "username_typed": "", "remember_me": False,
                     "expires": now() + self.realm["login_timeout_seconds"]}
            emulator.auth_sessions[(root, tab_id)] = login
        response = self.render_step(login, message=message)
        self.set_cookie(response, "AUTH_SESSION_ID", f"{root}.{NODE}")
        restart = sign_jwt(self.hmac_key(), None, {
            "cid": target["client_id"], "pty": target["protocol"], "target": target,
            "iat": int(now())}, alg="HS256")
        self.set_cookie(response, "KC_RESTART", restart)
        return response

    def render_step(self, login, message=None):
        login["session_code"] = b64url(secrets.token_bytes(32))
        query = urlencode([
            ("session_code", login["session_code"]), ("execution", login["execution"]),
            ("client_id", login["target"]["client_id"]), ("tab_id", login["tab_id"]),
            ("client_data", b64url(json.dumps({"ru": login["target"].get("redirect_uri"),
                                                "rt": "code", "st": login["target"].get("state")},
                                               separators=(",", ":")).encode()))])
        action = f"{self.issuer()}/login-actions/authenticate?{query}"
        if login["stage"] == "otp":
            return self.otp_page(action, message)
        return self.login_page(action, login["username_typed"], message)

    def page(self, title, content, message=None, field_error_id=None, status=200):
        """Keycloak's template.ftl around `content`; `message` as the theme shows errors."""
        realm_title = html.escape(self.realm["display_name"] or self.realm["name"])
        alert = ""
        if message and (self.realm["theme"] == "keycloak" or field_error_id is None):
            alert = ('<div class="alert-error pf-c-alert pf-m-inline pf-m-danger">'
                     '<div class="pf-c-alert__icon"><span class="fa fa-fw fa-exclamation-circle">'
                     '</span></div><span class="pf-c-alert__title kc-feedback-text">'
                     f'{html.escape(message)}</span></div>')
        body = (
            '<!DOCTYPE html>\n<html class="login-pf">\n<head>\n'
            '    <meta charset="utf-8">\n'
            '    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n'
            '    <meta name="robots" content="noindex, nofollow">\n'
            f'    <title>{html.escape(title)}</title>\n'
            f'    <link href="{self.prefix}/resources/emulator/login/keycloak/css/login.css" '
            'rel="stylesheet" />\n'
            '</head>\n<body class="">\n<div class="login-pf-page">\n'
            f'    <div id="kc-header" class="login-pf-page-header"><div id="kc-header-wrapper" '
            f'class="">{realm_title}</div></div>\n'
            '    <div class="card-pf">\n        <header class="login-pf-header">\n'
            f'            <h1 id="kc-page-title">{html.escape(title)}</h1>\n'
            '        </header>\n        <div id="kc-content">\n'
            f'            <div id="kc-content-wrapper">\n{alert}\n{content}\n'
            '            </div>\n        </div>\n    </div>\n</div>\n</body>\n</html>\n')
        response = Response(body, status=status, content_type="text/html;charset=utf-8")
        response.headers["Cache-Control"] = "no-store, must-revalidate, max-age=0"
        response.headers["Content-Language"] = "en"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    def field_error(self, message, span_id):
        if not message or self.realm["theme"] == "keycloak":
            return ""
        return (f'<span id="{span_id}" class="pf-c-form__helper-text pf-m-error required '
                f'kc-feedback-text" aria-live="polite">{html.escape(message)}</span>')

    def login_page(self, action, username, message):
        realm_title = self.realm["display_name"] or self.realm["name"]
        if self.emulator.faults["malformed_login_page"]:
            broken = ('<!DOCTYPE html><html><head><title>Sign in</title></head><body>'
                      '<div id="kc-content"><div id="kc-form"><p>We are sorry...</p>'
                      '<div class="kc-form-wrapper"')
            return Response(broken, status=200, content_type="text/html;charset=utf-8")
        invalid = ' aria-invalid="true"' if message else ""
        remember = ""
        if self.realm["remember_me"]:
            remember = ('<div class="checkbox"><label><input tabindex="5" id="rememberMe" '
                        'name="rememberMe" type="checkbox"> Remember me</label></div>')
        content = (
            '<div id="kc-form">\n  <div id="kc-form-wrapper">\n'
            f'    <form id="kc-form-login" onsubmit="login.disabled = true; return true;" '
            f'action="{html.escape(action)}" method="post">\n'
            '      <div class="form-group">\n'
            '        <label for="username" class="pf-c-form__label pf-c-form__label-text">'
            'Username or email</label>\n'
            f'        <input tabindex="2" id="username" class="pf-c-form-control" name="username" '
            f'value="{html.escape(username)}" type="text" autofocus autocomplete="username"'
            f'{invalid} />\n'
            f'        {self.field_error(message, "input-error")}\n'
            '      </div>\n      <div class="form-group">\n'
            '        <label for="password" class="pf-c-form__label pf-c-form__label-text">'
            'Password</label>\n'
            '        <input tabindex="3" id="password" class="pf-c-form-control" name="password" '
            f'type="password" autocomplete="current-password"{invalid} />\n'
            '      </div>\n'
            f'      <div class="form-group login-pf-settings">{remember}</div>\n'
            '      <div id="kc-form-buttons" class="form-group">\n'
            '        <input type="hidden" id="id-hidden-input" name="credentialId" />\n'
            '        <input tabindex="7" class="pf-c-button pf-m-primary pf-m-block btn-lg" '
            'name="login" id="kc-login" type="submit" value="Sign In"/>\n'
            '      </div>\n    </form>\n  </div>\n</div>')
        return self.page(f"Sign in to {realm_title}", content, message,
                         field_error_id="input-error")

    def otp_page(self, action, message):
        field = self.realm["otp_field"]
        invalid = ' aria-invalid="true"' if message else ""
        content = (
            f'<form id="kc-otp-login-form" class="pf-c-form" action="{html.escape(action)}" '
            'method="post">\n'
            '  <div class="pf-c-form__group">\n'
            f'    <label for="{field}" class="pf-c-form__label pf-c-form__label-text">'
            'One-time code</label>\n'
            f'    <input id="{field}" name="{field}" autocomplete="off" type="text" '
            f'class="pf-c-form-control" autofocus{invalid} />\n'
            f'    {self.field_error(message, "input-error-otp-code")}\n'
            '  </div>\n'
            '  <div id="kc-form-buttons" class="pf-c-form__group">\n'
            '    <input class="pf-c-button pf-m-primary pf-m-block btn-lg" name="login" '
            'id="kc-login" type="submit" value="Sign In" />\n'
            '  </div>\n</form>')
        realm_title = self.realm["display_name"] or self.realm["name"]
        return self.page(f"Sign in to {realm_title}", content, message,
                         field_error_id="input-error-otp-code")

    def error_page(self, status, message):
        content = (f'<div id="kc-error-message"><p class="instruction">{html.escape(message)}</p>'
                   '</div>')
        return self.page("We are sorry...", content, status=status)

    def redirect_with(self, uri, params):
        separator = "&" if "?" in uri else "?"
        query = urlencode([(key, value) for key, value in params if value is not None])
        return Response(status=302, headers={"Location": f"{uri}{separator}{query}"})

    # -- finishing a login ------------------------------------------------------

    def finish_login(self, login):
        emulator = self.emulator
        user = emulator.find_user(self.realm, login["user"])
        started = now()
        session = {"id": str(uuid.uuid4()), "realm": self.realm["name"],
                   "username": user["username"], "started": started,
                   "expires": started + self.realm["sso_session_max_seconds"]}
        with emulator.lock:
            emulator.user_sessions[session["id"]] = session
            emulator.auth_sessions.pop((login["root"], login["tab_id"]), None)
        target = login["target"]
        if target["protocol"] == "saml":
            client = next((c for c in self.realm["saml_clients"]
                           if c["url_name"] == target["url_name"]), None)
            if client is None:
                response = self.error_page(400, "Client not found.")
            else:
                response = self.saml_post_page(client, session)
        else:
            response = self.oidc_redirect(target, session)
        max_age = self.realm["sso_session_max_seconds"] if login["remember_me"] else None
        identity = sign_jwt(self.hmac_key(), None, {
            "exp": int(session["expires"]), "iat": int(started), "jti": str(uuid.uuid4()),
            "iss": self.issuer(), "sub": emulator.user_id(self.realm, user),
            "typ": "Serialized-ID", "session_state": session["id"], "sid": session["id"],
            "state_checker": b64url(secrets.token_bytes(16))}, alg="HS512")
        self.set_cookie(response, "KEYCLOAK_IDENTITY", identity, max_age=max_age)
        self.set_cookie(response, "KEYCLOAK_SESSION",
                        f"{self.realm['name']}/{emulator.user_id(self.realm, user)}/{session['id']}",
                        max_age=self.realm["sso_session_max_seconds"], http_only=False)
        self.expire_cookie(response, "KC_RESTART")
        return response

    def expire_identity_cookies(self, response):
        for name in ("KEYCLOAK_IDENTITY", "KEYCLOAK_SESSION", "KC_RESTART"):
            self.expire_cookie(response, name)

    def oidc_redirect(self, target, session):
        code = keycloak_code()
        client = next(c for c in self.realm["oidc_clients"] if c["client_id"] == target["client_id"])
        with self.emulator.lock:
            self.emulator.codes[code] = {
                "client_id": target["client_id"], "redirect_uri": target["redirect_uri"],
                "code_challenge": target["code_challenge"],
                "code_challenge_method": target["code_challenge_method"],
                "nonce": target["nonce"], "scope": target["scope"], "session_id": session["id"],
                "expires": now() + client["code_seconds"]}
        state = target["state"]
        if self.emulator.faults["wrong_state"]:
            state = "tampered-" + b64url(secrets.token_bytes(12))
        return self.redirect_with(target["redirect_uri"], [
            ("state", state), ("session_state", session["id"]), ("iss", self.issuer()),
            ("code", code)])

    def saml_post_page(self, client, session):
        response_b64 = self.saml_response(client, session)
        relay = ""
        if client["relay_state"]:
            relay = (f'<input type="hidden" name="RelayState" '
                     f'value="{html.escape(client["relay_state"])}"/>')
        body = (
            '<HTML><HEAD><TITLE>Authorization Form</TITLE></HEAD>'
            '<BODY Onload="javascript:document.forms[0].submit()">'
            f'<FORM name="saml-post-binding" METHOD="POST" ACTION="{html.escape(client["acs_url"])}">'
            f'<INPUT name="SAMLResponse" TYPE="HIDDEN" VALUE="{html.escape(response_b64)}"/>'
            f'{relay}'
            '<NOSCRIPT><P>JavaScript is disabled. We strongly recommend to enable it. Click the '
            'button below to continue.</P><INPUT TYPE="SUBMIT" VALUE="CONTINUE"/></NOSCRIPT>'
            '</FORM></BODY></HTML>')
        response = Response(body, status=200, content_type="text/html;charset=utf-8")
        response.headers["Cache-Control"] = "no-cache, no-store"
        response.headers["Pragma"] = "no-cache"
        return response

    def saml_response(self, client, session):
        """A signed samlp:Response for AWS (§6.1), base64 of the exact signed bytes."""
        emulator, faults = self.emulator, self.emulator.faults
        user = emulator.find_user(self.realm, session["username"])
        issuer = self.issuer()
        issued = now()
        lifetime = client["assertion_lifetime"]
        if faults["expired_assertion"]:
            issued -= 600
            lifetime = 300
        response_id, assertion_id = f"ID_{uuid.uuid4()}", f"ID_{uuid.uuid4()}"
        recipient = client["acs_url"]

        def element(parent, tag, attributes=None, text=None):
            prefix, name = tag.split(":")
            node = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", attributes or {})
            if text is not None:
                node.text = text
            return node

        def placeholder(parent):
            # The "ds" prefix must survive moving the signed Assertion back into the Response:
            # an auto-generated one (ns0) gets renamed by lxml, which breaks the SignedInfo.
            etree.SubElement(parent, f"{{{NS['ds']}}}Signature", {"Id": "placeholder"},
                             nsmap={"ds": NS["ds"]})

        nsmap = {"samlp": NS["samlp"], "saml": NS["saml"]}
        root = etree.Element(f"{{{NS['samlp']}}}Response", {
            "Destination": recipient, "ID": response_id, "IssueInstant": saml_time(issued),
            "Version": "2.0"}, nsmap=nsmap)
        element(root, "saml:Issuer", text=issuer)
        sign_response = client["sign_response"] and not faults["unsigned_assertion"]
        sign_assertion = client["sign_assertion"] and not faults["unsigned_assertion"]
        if sign_response:
            placeholder(root)
        status = element(root, "samlp:Status")
        element(status, "samlp:StatusCode", {"Value": "urn:oasis:names:tc:SAML:2.0:status:Success"})
        assertion = element(root, "saml:Assertion", {
            "ID": assertion_id, "IssueInstant": saml_time(issued), "Version": "2.0"})
        element(assertion, "saml:Issuer", text=issuer)
        if sign_assertion:
            placeholder(assertion)
        subject = element(assertion, "saml:Subject")
        element(subject, "saml:NameID", {"Format": client["name_id_format"]}, user["username"])
        confirmation = element(subject, "saml:SubjectConfirmation",
                               {"Method": "urn:oasis:names:tc:SAML:2.0:cm:bearer"})
        element(confirmation, "saml:SubjectConfirmationData", {
            "NotOnOrAfter": saml_time(issued + lifetime), "Recipient": recipient})
        conditions = element(assertion, "saml:Conditions", {
            "NotBefore": saml_time(issued), "NotOnOrAfter": saml_time(issued + lifetime)})
        restriction = element(conditions, "saml:AudienceRestriction")
        element(restriction, "saml:Audience", text=client["audience"] or client["client_id"])
        authn = element(assertion, "saml:AuthnStatement", {
            "AuthnInstant": saml_time(session["started"]),
            "SessionIndex": f"{session['id']}::{uuid.uuid4()}",
            "SessionNotOnOrAfter": saml_time(session["expires"])})
        context = element(authn, "saml:AuthnContext")
        element(context, "saml:AuthnContextClassRef",
                text="urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified")
        statement = element(assertion, "saml:AttributeStatement")

        def attribute(name, values):
            node = element(statement, "saml:Attribute", {
                "Name": name, "NameFormat": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"})
            for value in values:
                value_node = etree.SubElement(
                    node, f"{{{NS['saml']}}}AttributeValue",
                    {f"{{{NS['xsi']}}}type": "xs:string"},
                    nsmap={"xs": NS["xs"], "xsi": NS["xsi"]})
                value_node.text = value

        roles = faults["saml_roles"] if faults["saml_roles"] is not None else user["roles"]
        values = [role_value(role) for role in roles]
        if client["single_role_attribute"]:
            if values:
                attribute(ROLE_ATTRIBUTE, values)
        else:
            for value in values:  # Keycloak's role list mapper with "Single Role Attribute" off
                attribute(ROLE_ATTRIBUTE, [value])
        attribute(SESSION_NAME_ATTRIBUTE, [user["session_name"] or user["email"] or user["username"]])
        if client["session_duration"]:  # 0 or null: no SessionDuration attribute
            attribute(SESSION_DURATION_ATTRIBUTE, [str(client["session_duration"])])

        keys = (emulator.foreign_keys() if faults["saml_signing_key"] == "foreign"
                else emulator.realm_keys(self.realm["name"]))
        signer = XMLSigner(signature_algorithm="rsa-sha256", digest_algorithm="sha256",
                           c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
        if sign_assertion:
            signed = signer.sign(assertion, key=keys.key_pem, cert=keys.cert_pem.decode(),
                                 reference_uri=assertion_id)
            root.replace(assertion, signed)
        if sign_response:
            root = signer.sign(root, key=keys.key_pem, cert=keys.cert_pem.decode(),
                               reference_uri=response_id)
        return base64.b64encode(etree.tostring(root)).decode()


def otp_matches(user, code):
    if not code:
        return False
    if user["otp_code"] and secrets.compare_digest(user["otp_code"], code):
        return True
    return bool(user["otp_secret"]) and pyotp.TOTP(user["otp_secret"]).verify(code, valid_window=1)


def redirect_allowed(client, uri):
    """Keycloak's valid redirect URIs: exact, or a pattern ending in `*` as a prefix."""
    if not uri:
        return False
    for allowed in client["redirect_uris"]:
        if allowed.endswith("*") and uri.startswith(allowed[:-1]):
            return True
        if allowed == uri:
            return True
    return False


def sign_jwt(key, kid, claims, alg="RS256"):
    header = {"alg": alg, "typ": "JWT"}
    if kid:
        header["kid"] = kid
    return jwt.encode(header, claims, key, algorithms=[alg])


def verify_jwt(token, key):
    try:
        claims = jwt.decode(token, key, algorithms=["HS256", "HS512"]).claims
    except Exception:
        return None
    if claims.get("exp") is not None and claims["exp"] < now():
        return None
    return claims


def json_response(status, value):
    return Response(json.dumps(value), status=status, content_type="application/json")

def control_body(request):
    """The JSON object a control request carries ({} for a GET); anything else is a ConfigError."""
    body = request.get_json(force=True, silent=True) if request.method == "POST" else {}
    if not isinstance(body, dict):
        raise ConfigError("the body must be a JSON object")
    return body


def replace_config_or_faults(emulator, request, body, normalise, fault_defaults, push_results):
    """POST /_emulator/config and POST /_emulator/faults as the push-capable emulators (Okta,
    OneLogin, Entra ID, ForgeRock) take them: checked, then swapped in under the emulator's lock.
    Returns the answer, or None for any other route."""
    route = (request.method, request.path)
    if route == ("POST", "/_emulator/config"):
        config = normalise(body)
        with emulator.lock:
            emulator.config = config
        return json_response(200, config)
    if route == ("POST", "/_emulator/faults"):
        faults = with_defaults(fault_defaults, body, "faults")
        if faults["push_result"] not in push_results:
            allowed = ", ".join(f'"{result}"' for result in push_results)
            raise ConfigError(f"faults: push_result is one of {allowed}")
        if faults["saml_signing_key"] not in ("realm", "foreign"):
            raise ConfigError('faults: saml_signing_key is "realm" or "foreign"')
        with emulator.lock:
            emulator.faults = faults
        return json_response(200, faults)
    return None



def token_error(status, error, description):
    response = json_response(status, {"error": error, "error_description": description})
    response.headers["Cache-Control"] = "no-store"
    return response


def html_page(title, content):
    page = (f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head>"
            f"<body>{content}</body></html>")
    return Response(page, status=200, content_type="text/html;charset=utf-8")


def main():
    loopback_server.main("keycloak_emulator", __doc__.splitlines()[0], Emulator, normalise_config,
                         (ConfigError,))


if __name__ == "__main__":
    main()
