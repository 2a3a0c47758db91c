#!/usr/bin/env python3
"""Loopback ForgeRock AM / PingAM emulator for aws-runas integration tests.

Follows ../shared/spec/identity-providers.md §4 (REST authentication with callbacks, the MFA
journeys, IdP-initiated SAML and the OAuth2/OIDC endpoints), §0, §6.1, §8 and §9, and PingAM's
documentation of /json/authenticate and its callbacks. The signed SAML Responses come from
keycloak_emulator's signing code (imported, not copied); id_tokens are RS256 with the realm's key.

One AM deployment under a context path (default /am). Realm paths are AM's: the top realm is
`realms/root`, a sub-realm R is `realms/root/realms/R`. Every answer carries
`X-ForgeRock-TransactionId` and `Access-Control-Allow-Headers` naming `X-OpenAM-Username`
(aws-runas detects AM by it); HEAD works like GET.

  POST {ctx}/json/realms/root[/realms/R]/authenticate            ("Authenticate")
       Headers Content-Type: application/json, Accept-API-Version: resource=2.0|2.1,
       protocol=1.0. Query authIndexType=service&authIndexValue=<journey> (journeys: Login, the
       default; mfa_oath_authentication and mfa_push_authentication, the services aws-runas's Go
       client names), ForceAuth=true.
       Empty body: starts the journey. With a valid session cookie (and no ForceAuth) -> 200
         {tokenId, successUrl, realm} at once. Zero-page login: X-OpenAM-Username and
         X-OpenAM-Password headers (RFC 2047 =?UTF-8?B?…?= accepted) answer the first step.
       A body without authId -> 400 {code 400, reason "Bad Request", message}.
       A body with an unknown or expired authId -> 401 "Session has timed out".
       Otherwise the body is the last step with its inputs filled, posted back; each step is
         200 {authId (a new JWT per step), template, stage, header, callbacks[...]} with inputs
         numbered IDToken1, IDToken2, ... across the step's callbacks.
       Steps: "credentials": NameCallback "User Name" + PasswordCallback "Password".
         Wrong username or password -> 401 {code 401, reason "Unauthorized", message "Login
         failure"}; an inactive (locked) user -> 401 "User Locked Out." with
         detail.failureUrl, as the Failure node with Login Failure Lockout Mode; with realm
         lockout_after N (and lockout_warn_after W), a user's Wth failure on answers "Warning:
         You will be locked out after K more failure(s).", the Nth makes the user inactive.
       "register" (user mfa_registration): the OATH Registration node's TextOutputCallback,
         a TextOutputCallback of messageType 4 (the QR code script), HiddenValueCallback
         id mfaDeviceRegistration = otpauth://… and ConfirmationCallback ["Next"]; posting it
         back fails (401 Login failure): registration needs the Authenticator app.
       "choice" (several factors, journey Login): ChoiceCallback "Choose a verification method"
         with one choice per factor ("ForgeRock Authenticator (Push)", "ForgeRock Authenticator
         (OATH)"), defaultChoice 0. An index outside the choices -> the same step again.
       "oath": PasswordCallback "Enter verification code" (NameCallback with realm
         oath_callback "NameCallback", as tree nodes) + ConfirmationCallback ["Submit", "Use
         Recovery Code"] (input 0). Wrong code -> 401 "Login failure" (the journey restarts).
       "push": PollingWaitCallback (waitTime in ms from the fault push_wait_ms, message "Waiting
         for response...") + ConfirmationCallback ["Use Emergency Code"] (input 100: not
         chosen). The push waits for `push_polls` posts, then the fault push_result decides:
         approve -> tokenId; reject / timeout -> 401 with the message of the journey's Set
         Failure Details node ("Push notification rejected." / "Push notification expired.").
         Choosing the emergency code fails the journey (not emulated).
       Success -> 200 {tokenId, successUrl, realm} with Set-Cookie iPlanetDirectoryPro=<tokenId>
         and amlbcookie=01 (Path=/, HttpOnly).
  GET  {ctx}/idpssoinit?metaAlias=/R/<alias>&spEntityID=urn:amazon:webservices   ("SamlInit")
  GET  {ctx}/saml2/jsp/idpSSOInit.jsp?metaAlias=…&spEntityID=…                 ("SamlInit")
       top-realm aliases are /<alias>. Unknown alias or SP -> 400 HTML error page. A valid
       session of that realm -> 200 auto-post page (form to the ACS URL, hidden SAMLResponse,
       HTML-escaped base64, RelayState if set); else 302 {ctx}/XUI/?realm=/R&goto=<the request>.
  GET  {ctx}/XUI/                    ("LoginUI") the XUI login shell (HTML, scripts only).
  OIDC, per realm under {ctx}/oauth2/realms/root[/realms/R] (the top realm also as
  {ctx}/oauth2); issuer = that URL ({ctx}/oauth2 for the top realm):
  GET  …/authorize                   ("OidcAuthorize") client_id, response_type=code,
       redirect_uri, scope (openid), state, nonce, code_challenge + S256 (required). Unknown
       client -> 400 JSON invalid_client; redirect_uri not registered -> 400 JSON
       redirect_uri_mismatch (no redirect). Other errors -> 302 redirect_uri?error=&state=.
       Session of the realm (implied consent) -> 302 redirect_uri?code=&iss=&state=&client_id=;
       none -> 302 {ctx}/XUI/?realm=/R&goto=<the request>, or error=login_required with
       prompt=none.
  POST …/access_token                ("OidcToken") grant_type=authorization_code, code,
       redirect_uri, client_id, code_verifier -> {access_token, scope, id_token, token_type
       Bearer, expires_in}; codes single-use, 120 s; errors 400 invalid_grant /
       unsupported_grant_type / invalid_request, 400 invalid_client.
  GET  …/connect/jwk_uri             ("OidcKeys") JWKS;  GET …/.well-known/openid-configuration
  Anything else -> 404 {code 404, reason "Not Found", message}.

Faults (POST /_emulator/faults): delay_seconds + delay_routes (slow answers), push_result
(approve | reject | timeout | wait), push_polls, push_wait_ms, unexpected_page_routes +
unexpected_page_after (answer those routes, after that many normal answers, with an HTML page
no client has seen), extra_callback (a callback type added to the credentials step),
saml_roles, expired_assertion, unsigned_assertion, saml_signing_key.

Control API (JSON, under /_emulator/; see FORGEROCK_EMULATOR.md): config, faults, requests,
calls, reset, sessions, end_sessions, otp, certificate, like keycloak_emulator's.

Usage: forgerock_emulator.py --port 0 [--exit-on-stdin-eof] [--config FILE.json]
Prints one line "PORT <n>" on stdout once listening.
"""

import base64
import copy
import html
import json
import re
import secrets
import uuid
from urllib.parse import quote, urlencode

import pyotp
from werkzeug.wrappers import Response

import keycloak_emulator
import loopback_server

USER_DEFAULTS = {
    "username": None, "password": None, "email": None, "inactive": False, "factors": [],
    "mfa_registration": False, "session_name": None, "roles": [],
}
FACTOR_DEFAULTS = {"type": "oath", "secret": None, "code": None}
SAML_IDP_DEFAULTS = {key: value for key, value in keycloak_emulator.SAML_CLIENT_DEFAULTS.items()
                     if key != "url_name"}
SAML_IDP_DEFAULTS["alias"] = "saml-idp"
OIDC_CLIENT_DEFAULTS = {
    "client_id": "aws-runas", "redirect_uris": ["http://localhost*", "http://127.0.0.1*",
                                                "app:/callback"],
    "code_seconds": 120, "token_seconds": 3600,
}
REALM_DEFAULTS = {
    "name": "alpha", "oath_callback": "PasswordCallback", "lockout_after": 0, "lockout_warn_after": 0,
    "users": [], "saml_idps": [{}], "oidc_clients": [{}],
}
ALPHA_PROVIDER = "arn:aws:iam::123456789012:saml-provider/forgerock"
DEFAULT_CONFIG = {
    "context_path": "/am",
    "realms": [{
        "name": "alpha",
        "users": [
            {"username": "alice", "password": "alice-password", "email": "alice@example.com",
             "roles": [["arn:aws:iam::123456789012:role/Admin", ALPHA_PROVIDER],
                       ["arn:aws:iam::123456789012:role/ReadOnly", ALPHA_PROVIDER]]},
            {"username": "bob", "password": "bob-password", "email": "bob@example.com",
             "factors": [{"type": "push"},
                         {"type": "oath", "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}],
             "roles": [["arn:aws:iam::123456789012:role/Admin", ALPHA_PROVIDER]]},
        ],
    }],
}
FAULT_DEFAULTS = {
    "delay_seconds": 0, "delay_routes": [], "push_result": "approve", "push_polls": 1,
    "push_wait_ms": 1000, "unexpected_page_routes": [], "unexpected_page_after": 0,
    "extra_callback": None,
    "saml_roles": None, "expired_assertion": False, "unsigned_assertion": False,
    "saml_signing_key": "realm",
}
PUSH_RESULTS = ("approve", "reject", "timeout", "wait")
JOURNEYS = ("Login", "mfa_oath_authentication", "mfa_push_authentication")
FACTOR_CHOICES = {"push": "ForgeRock Authenticator (Push)", "oath": "ForgeRock Authenticator (OATH)"}
PUSH_FAILURES = {"reject": "Push notification rejected.", "timeout": "Push notification expired."}
JOURNEY_SECONDS = 300
SESSION_SECONDS = 7200
SESSION_COOKIE = "iPlanetDirectoryPro"
ALLOW_HEADERS = ("X-OpenAM-Username, X-OpenAM-Password, X-OpenAM-Authentication-Level, "
                 "Accept-API-Version, X-Requested-With, Content-Type, X-ForgeRock-TransactionId")

ConfigError = keycloak_emulator.ConfigError
with_defaults = keycloak_emulator.with_defaults
json_response = keycloak_emulator.json_response
now = keycloak_emulator.now


def normalise_config(config):
    if not isinstance(config, dict):
        raise ConfigError("config must be a JSON object")
    unknown = set(config) - {"context_path", "realms"}
    if unknown:
        raise ConfigError(f"config: unknown fields {sorted(unknown)}")
    context = config.get("context_path", "/am")
    if not isinstance(context, str) or not re.fullmatch(r"(/[A-Za-z0-9._-]+)+", context):
        raise ConfigError('config: context_path is like "/am" or "/openam"')
    realms = []
    for index, raw in enumerate(config.get("realms") or []):
        realm = with_defaults(REALM_DEFAULTS, raw, f"realms[{index}]")
        if not re.fullmatch(r"root|[A-Za-z0-9_-]+", realm["name"]):
            raise ConfigError(f"realms[{index}]: name is \"root\" (the top realm) or a sub-realm name")
        if realm["oath_callback"] not in ("PasswordCallback", "NameCallback"):
            raise ConfigError('realm: oath_callback is "PasswordCallback" or "NameCallback"')
        users = []
        for user in realm["users"]:
            user = with_defaults(USER_DEFAULTS, user, "user")
            if not user["username"] or user["password"] is None:
                raise ConfigError("user: username and password are required")
            user["username"] = user["username"].lower()
            user["factors"] = [with_defaults(FACTOR_DEFAULTS, f, "factor") for f in user["factors"]]
            for factor in user["factors"]:
                if factor["type"] not in ("oath", "push"):
                    raise ConfigError('factor: type is "oath" or "push"')
                if factor["type"] == "oath" and not (factor["secret"] or factor["code"]):
                    raise ConfigError("an oath factor needs secret (base32) or code")
            users.append(user)
        realm["users"] = users
        realm["saml_idps"] = [with_defaults(SAML_IDP_DEFAULTS, i, "saml idp") for i in realm["saml_idps"]]
        realm["oidc_clients"] = [with_defaults(OIDC_CLIENT_DEFAULTS, c, "oidc client")
                                 for c in realm["oidc_clients"]]
        realms.append(realm)
    if not realms:
        raise ConfigError('config needs "realms": a non-empty list')
    return {"context_path": context, "realms": realms}


def rfc2047_decoded(value):
    match = re.fullmatch(r"=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=", value or "", re.IGNORECASE)
    if not match:
        return value
    try:
        return base64.b64decode(match.group(1)).decode("utf-8")
    except ValueError:
        return value


def am_error(status, reason, message, detail=None):
    body = {"code": status, "reason": reason, "message": message}
    if detail is not None:
        body["detail"] = detail
    return json_response(status, body)


def login_failure(message="Login failure", lockout=False):
    return am_error(401, "Unauthorized", message, {"failureUrl": ""} if lockout or message != "Login failure"
                    else None)


def html_page(status, title, content):
    page = (f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head>"
            f"<body>{content}</body></html>")
    return Response(page, status=status, content_type="text/html;charset=utf-8")


def output(name, value):
    return {"name": name, "value": value}


class Emulator(keycloak_emulator.Emulator):
    """WSGI application: AM's authenticate, SAML IdP and OAuth2 endpoints, plus /_emulator/.

    From keycloak_emulator's: the WSGI entry point (a ConfigError as 400, an emulator bug as
    500), realm keys, users, delays and the shared control routes."""

    def __init__(self, config=None):
        super().__init__()
        if config is not None:
            self.config = normalise_config(config)

    def reset_everything(self):
        self.config = normalise_config(DEFAULT_CONFIG)
        self.faults = copy.deepcopy(FAULT_DEFAULTS)
        self.journeys = {}            # journey id -> {realm, journey, step, username, ...}
        self.sessions = {}            # tokenId -> {id, username, realm, started, expires}
        self.codes = {}               # authorization code -> grant
        self.failures = {}            # (realm, username) -> failed logins (lockout mode)
        self.route_counts = {}        # route -> answers so far (unexpected_page_after)
        self.requests = []

    # -- routing ----------------------------------------------------------------

    def dispatch(self, request):
        if request.path.startswith("/_emulator/"):
            return self.control(request)
        method = "GET" if request.method == "HEAD" else request.method
        route, handler, realm, rest = self.route(method, request.path)
        self.delay(route)
        if self.unexpected_page_due(route):
            response = html_page(200, "Scheduled maintenance - Example Corp",
                                 "<h1>We'll be back soon</h1><p>Sign-in is down for maintenance."
                                 "</p><script>setTimeout(function(){location.reload()},30000)</script>")
        elif handler is None:
            response = am_error(404, "Not Found", f"Resource '{request.path}' not found")
        else:
            response = handler(request, realm, rest)
        response.headers["X-ForgeRock-TransactionId"] = f"{uuid.uuid4()}-{secrets.randbelow(10**6)}"
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        self.log(route, request, response)
        return response

    def route(self, method, path):
        context = self.config["context_path"]
        if not (path == context or path.startswith(context + "/")):
            return "Unknown", None, None, None
        parts = [p for p in path[len(context):].split("/") if p]
        if method == "GET" and parts in (["idpssoinit"], ["saml2", "jsp", "idpSSOInit.jsp"]):
            return "SamlInit", self.saml_init, None, None
        if method == "GET" and parts[:1] == ["XUI"]:
            return "LoginUI", self.login_ui, None, None
        if parts[:1] in (["json"], ["oauth2"]):
            realm, rest = self.realm_in(parts[1:], top_alias=parts[0] == "oauth2")
            if realm is None:
                return "Unknown", None, None, None
            routes = {
                ("json", "POST", ("authenticate",)): ("Authenticate", self.authenticate),
                ("oauth2", "GET", ("authorize",)): ("OidcAuthorize", self.authorize),
                ("oauth2", "POST", ("access_token",)): ("OidcToken", self.access_token),
                ("oauth2", "GET", ("connect", "jwk_uri")): ("OidcKeys", self.keys_document),
                ("oauth2", "GET", (".well-known", "openid-configuration")): ("Discovery", self.discovery),
            }
            route, handler = routes.get((parts[0], method, tuple(rest)), ("Unknown", None))
            return route, handler, realm, rest
        return "Unknown", None, None, None

    def realm_in(self, parts, top_alias):
        """The realm a `realms/root[/realms/R]` path names and what follows it; the top realm
        also without any `realms/` (`{ctx}/oauth2/authorize`)."""
        names = []
        while len(parts) >= 2 and parts[0] == "realms":
            names.append(parts[1])
            parts = parts[2:]
        if not names and top_alias:
            names = ["root"]
        if not names or names[0] != "root" or len(names) > 2:
            return None, parts
        return self.realm(names[-1]), parts

    def realm(self, name):
        return next((r for r in self.config["realms"] if r["name"] == name), None)

    def unexpected_page_due(self, route):
        routes = self.faults["unexpected_page_routes"] or []
        if route not in routes:
            return False
        with self.lock:
            count = self.route_counts.get(route, 0)
            self.route_counts[route] = count + 1
        return count >= self.faults["unexpected_page_after"]

    def log(self, route, request, response):
        body = request.get_json(silent=True) if request.method == "POST" else None
        fields = sorted(request.form.keys()) if request.method == "POST" and not body else []
        entry = {"route": route, "method": request.method, "path": request.path,
                 "query": {key: request.args.get(key) for key in request.args},
                 "status": response.status_code, "cookies": sorted(request.cookies.keys()),
                 "form": sorted(body.keys()) if isinstance(body, dict) else fields,
                 "callbacks": [c.get("type") for c in body.get("callbacks", [])
                               if isinstance(c, dict)] if isinstance(body, dict) else [],
                 "time": now()}
        with self.lock:
            self.requests.append(entry)

    # -- URLs, sessions ---------------------------------------------------------

    def base(self, request):
        return request.host_url.rstrip("/") + self.config["context_path"]

    def realm_path(self, realm):
        return "/" if realm["name"] == "root" else "/" + realm["name"]

    def realm_segments(self, realm):
        return "realms/root" + ("" if realm["name"] == "root" else f"/realms/{realm['name']}")

    def issuer(self, request, realm):
        if realm["name"] == "root":
            return f"{self.base(request)}/oauth2"
        return f"{self.base(request)}/oauth2/{self.realm_segments(realm)}"

    def session(self, request, realm):
        token = request.cookies.get(SESSION_COOKIE) or ""
        with self.lock:
            session = self.sessions.get(token)
        if (session is None or session["expires"] < now() or session["realm"] != realm["name"]
                or self.find_user(realm, session["username"]) is None):
            return None
        return session

    def login_redirect(self, request, realm):
        response = Response("", status=302)
        response.headers["Location"] = (
            f"{self.config['context_path']}/XUI/?realm={quote(self.realm_path(realm), safe='')}"
            f"&goto={quote(request.url, safe='')}")
        return response

    # -- /json/.../authenticate ----------------------------------------------------

    def authenticate(self, request, realm, _):
        if realm is None:
            return am_error(404, "Not Found", "Realm not found")
        journey = request.args.get("authIndexValue") or "Login"
        if request.args.get("authIndexType") not in (None, "service") or journey not in JOURNEYS:
            return am_error(400, "Bad Request", "No Configuration found")
        raw = request.get_data()
        if not raw.strip():
            session = self.session(request, realm)
            if session is not None and request.args.get("ForceAuth") != "true":
                return self.success_body(realm, session["id"])
            state = self.start(realm, journey)
            if request.headers.get("X-OpenAM-Username") is not None:
                # Zero-page login answers the credentials step from the headers.
                return self.credentials(request, realm, state,
                                        rfc2047_decoded(request.headers.get("X-OpenAM-Username")),
                                        rfc2047_decoded(request.headers.get("X-OpenAM-Password")))
            return self.step(request, state, "credentials")
        try:
            body = json.loads(raw)
        except ValueError:
            return am_error(400, "Bad Request", "Invalid JSON in the request body")
        if not isinstance(body, dict) or not body.get("authId"):
            return am_error(400, "Bad Request", "Invalid authId")
        state = self.live_journey(realm, body["authId"])
        if state is None:
            return login_failure("Session has timed out")
        inputs = {}
        for callback in body.get("callbacks") or []:
            for field in (callback.get("input") or []) if isinstance(callback, dict) else []:
                if isinstance(field, dict) and isinstance(field.get("name"), str):
                    inputs[field["name"]] = field.get("value")
        return self.answer(request, realm, state, inputs)

    def start(self, realm, journey):
        state = {"id": str(uuid.uuid4()), "realm": realm["name"], "journey": journey,
                 "step": None, "username": None, "factor": None, "polls": 0, "sequence": 0,
                 "expires": now() + JOURNEY_SECONDS}
        with self.lock:
            self.journeys[state["id"]] = state
        return state

    def live_journey(self, realm, auth_id):
        claims = keycloak_emulator.verify_jwt(auth_id, self.realm_keys(realm["name"]).hmac)
        if claims is None:
            return None
        with self.lock:
            state = self.journeys.get(claims.get("jti"))
        if (state is None or state["expires"] < now() or state["realm"] != realm["name"]
                or claims.get("seq") != state["sequence"]):
            return None
        return state

    def end_journey(self, state):
        with self.lock:
            self.journeys.pop(state["id"], None)

    def answer(self, request, realm, state, inputs):
        step = state["step"]
        if step == "credentials":
            return self.credentials(request, realm, state, inputs.get("IDToken1"), inputs.get("IDToken2"))
        user = self.find_user(realm, state["username"])
        if user is None:
            self.end_journey(state)
            return login_failure()
        if step == "choice":
            factors = self.journey_factors(user, state)
            index = inputs.get("IDToken1")
            if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(factors):
                return self.step(request, state, "choice")
            return self.factor_step(request, state, factors[index])
        if step == "oath":
            factor = state["factor"]
            if inputs.get("IDToken2", 0) != 0 or not code_matches(factor, inputs.get("IDToken1")):
                self.end_journey(state)
                return login_failure()
            return self.success(realm, state)
        if step == "push":
            if inputs.get("IDToken2", 100) == 0:  # "Use Emergency Code": not emulated
                self.end_journey(state)
                return login_failure()
            with self.lock:
                state["polls"] += 1
                waiting = state["polls"] <= self.faults["push_polls"] or self.faults["push_result"] == "wait"
                result = self.faults["push_result"]
            if waiting:
                return self.step(request, state, "push")
            if result == "approve":
                return self.success(realm, state)
            self.end_journey(state)
            return login_failure(PUSH_FAILURES[result])
        # "register": the device was not registered in the app.
        self.end_journey(state)
        return login_failure()

    def credentials(self, request, realm, state, username, password):
        user = self.find_user(realm, username if isinstance(username, str) else "")
        password = password if isinstance(password, str) else ""
        if user is None or not secrets.compare_digest(user["password"].encode(), password.encode()):
            self.end_journey(state)
            return self.count_failure(realm, user)
        if user["inactive"]:
            self.end_journey(state)
            return login_failure("User Locked Out.", lockout=True)
        state["username"] = user["username"]
        if user["mfa_registration"]:
            return self.step(request, state, "register")
        factors = self.journey_factors(user, state)
        if state["journey"] != "Login" and not factors:
            self.end_journey(state)
            return login_failure()
        if not factors:
            return self.success(realm, state)
        if len(factors) == 1:
            return self.factor_step(request, state, factors[0])
        return self.step(request, state, "choice")

    def count_failure(self, realm, user):
        """The Failure node with the realm's Login Failure Lockout Mode: counts the user's
        failures, warns from `lockout_warn_after` on, and at `lockout_after` makes the user
        inactive."""
        if user is None or not realm["lockout_after"]:
            return login_failure()
        key = (realm["name"], user["username"])
        with self.lock:
            failures = self.failures[key] = self.failures.get(key, 0) + 1
            if failures >= realm["lockout_after"]:
                user["inactive"] = True
        if user["inactive"]:
            return login_failure("User Locked Out.", lockout=True)
        if realm["lockout_warn_after"] and failures >= realm["lockout_warn_after"]:
            return login_failure(f"Warning: You will be locked out after {realm['lockout_after'] - failures} "
                                 "more failure(s).")
        return login_failure()

    def journey_factors(self, user, state):
        wanted = {"mfa_oath_authentication": "oath", "mfa_push_authentication": "push"}.get(state["journey"])
        return [f for f in user["factors"] if wanted in (None, f["type"])]

    def factor_step(self, request, state, factor):
        state["factor"] = factor
        state["polls"] = 0
        return self.step(request, state, factor["type"])

    def step(self, request, state, name):
        """A step's JSON: the callbacks of `name`, inputs numbered across them, a new authId."""
        realm = self.realm(state["realm"])
        with self.lock:
            state["step"] = name
            state["sequence"] += 1
        callbacks = []

        def callback(kind, outputs, inputs=(), **extra):
            body = {"type": kind, "output": list(outputs)}
            if inputs:
                body["input"] = [{"name": f"IDToken{len(callbacks) + 1}{suffix}", "value": value}
                                 for suffix, value in inputs]
            body.update(extra)
            body["_id"] = len(callbacks)
            callbacks.append(body)

        header = "Sign In"
        if name == "credentials":
            callback("NameCallback", [output("prompt", "User Name")], [("", "")])
            callback("PasswordCallback", [output("prompt", "Password")], [("", "")])
            if self.faults["extra_callback"]:
                # A node this client has never met (DeviceProfileCallback, ReCaptchaCallback...).
                callback(self.faults["extra_callback"], [output("message", "Collecting device profile..."),
                                                         output("metadata", True)], [("", "")])
        elif name == "choice":
            user = self.find_user(realm, state["username"])
            choices = [FACTOR_CHOICES[f["type"]] for f in self.journey_factors(user, state)]
            callback("ChoiceCallback", [output("prompt", "Choose a verification method"),
                                        output("choices", choices), output("defaultChoice", 0)],
                     [("", 0)])
        elif name == "oath":
            header = "Verification"
            callback(realm["oath_callback"], [output("prompt", "Enter verification code")], [("", "")])
            callback("ConfirmationCallback", [
                output("prompt", ""), output("messageType", 0),
                output("options", ["Submit", "Use Recovery Code"]), output("optionType", -1),
                output("defaultOption", 0)], [("", 0)])
        elif name == "push":
            header = "Push notification"
            callback("PollingWaitCallback", [output("waitTime", str(self.faults["push_wait_ms"])),
                                             output("message", "Waiting for response...")])
            callback("ConfirmationCallback", [
                output("prompt", ""), output("messageType", 0),
                output("options", ["Use Emergency Code"]), output("optionType", -1),
                output("defaultOption", 0)], [("", 100)])
        elif name == "register":
            header = "Register your device"
            secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
            uri = (f"otpauth://totp/ForgeRock:{state['username']}?secret={secret}"
                   "&issuer=ForgeRock&digits=6&period=30")
            callback("TextOutputCallback", [
                output("message", "Scan the QR code image below with the ForgeRock Authenticator "
                       "app to register your device with your login."), output("messageType", "0")])
            callback("TextOutputCallback", [
                output("message", "window.QRCodeReader.createCode({id: 'callback_0', text: '"
                       + uri + "', version: '20', code: 'L'});"), output("messageType", "4")])
            callback("HiddenValueCallback", [output("value", uri), output("id", "mfaDeviceRegistration")],
                     [("", "mfaDeviceRegistration")])
            callback("ConfirmationCallback", [
                output("prompt", ""), output("messageType", 0), output("options", ["Next"]),
                output("optionType", -1), output("defaultOption", 0)], [("", 0)])
        auth_id = keycloak_emulator.sign_jwt(
            self.realm_keys(realm["name"]).hmac, None,
            {"jti": state["id"], "seq": state["sequence"], "realm": self.realm_path(realm),
             "authIndexValue": state["journey"], "exp": int(state["expires"])}, alg="HS256")
        return json_response(200, {"authId": auth_id, "template": "", "stage": "", "header": header,
                                   "callbacks": callbacks})

    def success(self, realm, state):
        self.end_journey(state)
        token = "AQIC5w" + secrets.token_urlsafe(48) + "*AAJTSQACMDE*"
        started = now()
        with self.lock:
            self.sessions[token] = {"id": token, "username": state["username"], "realm": realm["name"],
                                    "started": started, "expires": started + SESSION_SECONDS}
        response = self.success_body(realm, token)
        response.set_cookie(SESSION_COOKIE, token, path="/", httponly=True)
        response.set_cookie("amlbcookie", "01", path="/", httponly=True)
        return response

    def success_body(self, realm, token):
        return json_response(200, {"tokenId": token,
                                   "successUrl": f"{self.config['context_path']}/console",
                                   "realm": self.realm_path(realm)})

    # -- SAML IdP-initiated SSO -----------------------------------------------------

    def saml_init(self, request, _realm, _rest):
        meta_alias = request.args.get("metaAlias") or ""
        names = [p for p in meta_alias.split("/") if p]
        realm = self.realm("root" if len(names) == 1 else names[0]) if 1 <= len(names) <= 2 else None
        idp = next((i for i in realm["saml_idps"] if i["alias"] == names[-1]), None) if realm else None
        if idp is None:
            return html_page(400, "Error", "<h1>Error</h1><p>Unable to find the hosted identity "
                             "provider for the metaAlias.</p>")
        if request.args.get("spEntityID") != idp["client_id"]:
            return html_page(400, "Error", "<h1>Error</h1><p>The service provider is unknown to "
                             "this identity provider (spEntityID).</p>")
        session = self.session(request, realm)
        if session is None:
            return self.login_redirect(request, realm)
        return AssertionContext(self, request, realm, idp).saml_post_page(idp, session)

    def login_ui(self, request, _realm, _rest):
        return html_page(200, "ForgeRock Access Management",
                         '<div id="wrapper">Loading...</div>'
                         '<script src="main.js"></script>')

    # -- OAuth2 / OIDC --------------------------------------------------------------

    def authorize(self, request, realm, _):
        args = request.args
        client = next((c for c in realm["oidc_clients"] if c["client_id"] == args.get("client_id")), None)
        if client is None:
            return keycloak_emulator.token_error(400, "invalid_client", "Client authentication failed")
        redirect_uri = args.get("redirect_uri", "")
        if not keycloak_emulator.redirect_allowed(client, redirect_uri):
            return keycloak_emulator.token_error(
                400, "redirect_uri_mismatch", "The redirection URI provided does not match a pre-registered value.")
        state = args.get("state")

        def redirect(params):
            response = Response("", status=302)
            response.headers["Location"] = (redirect_uri + ("&" if "?" in redirect_uri else "?")
                                            + urlencode([(k, v) for k, v in params if v is not None]))
            return response

        if args.get("response_type") != "code":
            return redirect([("error", "unsupported_response_type"),
                             ("error_description", "Response type is not supported: "
                              + (args.get("response_type") or "")), ("state", state)])
        if "openid" not in (args.get("scope") or "").split() or args.get("code_challenge_method") != "S256" \
                or not args.get("code_challenge"):
            return redirect([("error", "invalid_request"), ("error_description",
                             "scope openid and PKCE (code_challenge, S256) are required"), ("state", state)])
        session = self.session(request, realm)
        if session is None:
            if args.get("prompt") == "none":
                return redirect([("error", "login_required"),
                                 ("error_description", "The user needs to authenticate"), ("state", state)])
            return self.login_redirect(request, realm)
        code = secrets.token_urlsafe(27)
        with self.lock:
            self.codes[code] = {"client_id": client["client_id"], "redirect_uri": redirect_uri,
                                "challenge": args["code_challenge"], "nonce": args.get("nonce"),
                                "username": session["username"], "realm": realm["name"],
                                "session": session["id"], "scope": args.get("scope") or "",
                                "expires": now() + client["code_seconds"]}
        return redirect([("code", code), ("iss", self.issuer(request, realm)), ("state", state),
                         ("client_id", client["client_id"])])

    def access_token(self, request, realm, _):
        form = request.form
        client = next((c for c in realm["oidc_clients"] if c["client_id"] == form.get("client_id")), None)
        if client is None:
            return keycloak_emulator.token_error(400, "invalid_client", "Client authentication failed")
        if form.get("grant_type") != "authorization_code":
            return keycloak_emulator.token_error(400, "unsupported_grant_type", "Grant type is not supported")
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier") or ""
        if (grant is None or grant["expires"] < now() or grant["client_id"] != client["client_id"]
                or grant["realm"] != realm["name"] or grant["redirect_uri"] != form.get("redirect_uri")):
            return keycloak_emulator.token_error(400, "invalid_grant",
                                                 "The provided access grant is invalid, expired, or revoked.")
        if not secrets.compare_digest(keycloak_emulator.pkce_challenge(verifier), grant["challenge"]):
            return keycloak_emulator.token_error(400, "invalid_grant", "PKCE verifier does not match")
        user = self.find_user(realm, grant["username"])
        keys = self.realm_keys(realm["name"])
        issued = int(now())
        claims = {"at_hash": secrets.token_urlsafe(16), "sub": user["username"],
                  "auditTrackingId": f"{uuid.uuid4()}-{secrets.randbelow(10**6)}",
                  "subname": user["username"], "iss": self.issuer(request, realm),
                  "tokenName": "id_token", "aud": client["client_id"], "azp": client["client_id"],
                  "auth_time": issued, "realm": self.realm_path(realm), "exp": issued + client["token_seconds"],
                  "tokenType": "JWTToken", "iat": issued, "email": user["email"],
                  "org.forgerock.openidconnect.ops": secrets.token_urlsafe(20)}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        access = secrets.token_urlsafe(27)
        response = json_response(200, {"access_token": access, "scope": grant["scope"],
                                       "id_token": keycloak_emulator.sign_jwt(keys.jwk, keys.kid, claims),
                                       "token_type": "Bearer", "expires_in": client["token_seconds"] - 1})
        response.headers["Cache-Control"] = "no-store"
        return response

    def keys_document(self, request, realm, _):
        return json_response(200, {"keys": [self.realm_keys(realm["name"]).public_jwk()]})

    def discovery(self, request, realm, _):
        issuer = self.issuer(request, realm)
        base = f"{self.base(request)}/oauth2/{self.realm_segments(realm)}"
        return json_response(200, {
            "issuer": issuer, "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/access_token", "jwks_uri": f"{base}/connect/jwk_uri",
            "userinfo_endpoint": f"{base}/userinfo",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256", "plain"],
            "scopes_supported": ["openid", "profile", "email"]})

    # -- control API ----------------------------------------------------------------

    def control(self, request):
        path, method = request.path, request.method
        body = keycloak_emulator.control_body(request)
        replaced = keycloak_emulator.replace_config_or_faults(
            self, request, body, normalise_config, FAULT_DEFAULTS, PUSH_RESULTS)
        if replaced is not None:
            with self.lock:
                self.route_counts = {}
            return replaced
        if (method, path) == ("GET", "/_emulator/sessions"):
            with self.lock:
                rows = [{k: s[k] for k in ("username", "realm", "started", "expires")}
                        for s in self.sessions.values()]
            return json_response(200, rows)
        if (method, path) == ("POST", "/_emulator/end_sessions"):
            username = (body.get("username") or "").lower() or None
            with self.lock:
                ended = [k for k, s in self.sessions.items() if username in (None, s["username"])]
                for key in ended:
                    del self.sessions[key]
            return json_response(200, {"ended": len(ended)})
        if (method, path) == ("GET", "/_emulator/otp"):
            realm = self.realm(request.args.get("realm") or "alpha")
            user = self.find_user(realm, request.args.get("username")) if realm else None
            factor = next((f for f in user["factors"] if f["type"] == "oath"), None) if user else None
            if factor is None:
                return json_response(404, {"error": "no such user with an OATH factor"})
            return json_response(200, {"code": factor["code"] or pyotp.TOTP(factor["secret"]).now()})
        if (method, path) == ("GET", "/_emulator/certificate"):
            realm = self.realm(request.args.get("realm") or "alpha")
            if realm is None:
                return json_response(404, {"error": "no such realm"})
            return Response(self.realm_keys(realm["name"]).cert_pem, status=200,
                            content_type="application/x-pem-file")
        # Reading the config and faults, the request log, the counts and reset work as
        # keycloak_emulator's.
        return super().control(request)


class AssertionContext(keycloak_emulator.Context):
    """keycloak_emulator's SAML signing and auto-post page, with the hosted IdP's entity ID."""

    def __init__(self, emulator, request, realm, idp):
        super().__init__(emulator, request, realm, "", [])
        self.idp = idp

    def issuer(self):
        return f"{self.request.host_url.rstrip('/')}{self.emulator.config['context_path']}/saml2/" \
               f"{self.realm['name']}/{self.idp['alias']}"


def code_matches(factor, code):
    if not isinstance(code, str) or not code or factor is None:
        return False
    if factor["code"] and secrets.compare_digest(factor["code"], code):
        return True
    return bool(factor["secret"]) and pyotp.TOTP(factor["secret"]).verify(code, valid_window=1)


def main():
    loopback_server.main("forgerock_emulator", __doc__.splitlines()[0], Emulator, normalise_config,
                         (ConfigError,))


if __name__ == "__main__":
    main()
