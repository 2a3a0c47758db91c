#!/usr/bin/env python3
"""Loopback OneLogin emulator for aws-runas integration tests.

Follows ../shared/spec/identity-providers.md §2 (OneLogin API v2: the client-credentials access
token, the SAML assertion API and verify factor; the v1 login API and session_via_api_token that
aws-runas uses before OIDC; the OIDC endpoints under /oidc/2), §0, §8 and §9. One server plays both
the API host (api.{region}.onelogin.com) and the account's subdomain host, as aws-runas's own
tests do for a URL that is not *.onelogin.com. The signed SAML Responses come from
keycloak_emulator's signing code (imported, not copied): signxml, RSA-SHA256, exclusive c14n,
Response and Assertion signed, issuer https://app.onelogin.com/saml/metadata/<app id> as OneLogin's.

API surface (JSON; errors in v2's {statusCode, name, message} unless noted):
  POST /auth/oauth2/v2/token         ("Token") {"grant_type": "client_credentials"} (JSON or form);
       client auth "Authorization: client_id:<id>, client_secret:<secret>", HTTP Basic, or form
       fields client_id / client_secret. -> {access_token, created_at, expires_in: 36000,
       refresh_token, token_type: "bearer", account_id}; the same token until it expires. Bad
       credentials -> 401 and a wrong grant_type -> 400, both in the v1 shape {status: {error,
       code, type, message}} as OneLogin's token endpoint answers.
  Every other API call needs "Authorization: bearer:<token>" (or "Bearer <token>"): else 401
       {statusCode 401, name "Unauthorized", message "Authentication Failure"}.
  POST /api/2/saml_assertion         ("SamlAssertion") {username_or_email, password, app_id,
       subdomain[, ip_address]}. Missing field -> 400; subdomain not the account's -> 400; unknown
       app -> 404; bad credentials -> 401 "Authentication Failed: Invalid user credentials"; user
       state "locked" -> 401 "Authentication Failed: The account has been locked …"; no devices
       -> 200 {data: <base64 SAMLResponse>, message: "Success"}; devices -> 200 {state_token,
       message: "MFA is required for this user", devices: [{device_id, device_type}],
       callback_url: {base}/api/2/saml_assertion/verify_factor, user}; user state
       "mfa_enrollment_required" -> the same MFA answer with no devices (the emulator's reading:
       OneLogin does not document it).
  POST /api/2/saml_assertion/verify_factor ("VerifyFactor") {app_id, device_id, state_token,
       otp_token?, do_not_notify?}. Unknown or expired state_token -> 401 "Invalid or expired
       state_token"; unknown device -> 400. Code devices (Google Authenticator, YubiKey, and
       OneLogin Protect given an otp_token): right code -> 200 {data, message "Success"}, wrong
       -> 401 "Failed authentication with this factor" (state_token still usable). SMS / Email:
       without otp_token -> 200 {message "Authentication pending on <type>"} (the code is "sent").
       OneLogin Protect without otp_token: the call with do_not_notify false sends the push, it
       and each poll answer 200 {message "Authentication pending on OL Protect"} for `push_polls`
       calls, then the fault `push_result` decides: "approve" -> 200 {data, message "Success"};
       "reject" -> 401 "Push notification denied on OneLogin Protect"; "timeout" -> the
       state_token expires: 401 "Invalid or expired state_token" (the emulator's reading).
  POST /api/1/login/auth             ("LoginAuth", v1 shape) {username_or_email, password,
       subdomain} -> 200 {status {type "success", message "Success"}, data [{status
       "Authenticated", session_token, user, return_to_url, expires_at}]} or {status {message
       "MFA is required for this user"}, data [{state_token, devices, callback_url:
       {base}/api/1/login/verify_factor, user}]}; errors 401 {status {error true, code 401, type
       "Unauthorized", message}} as above.
  POST /api/1/login/verify_factor    ("LoginVerifyFactor", v1 shape) {device_id, state_token,
       otp_token?, do_not_notify?}: as VerifyFactor; pending -> {status {type "pending", message
       "Authentication pending on OL Protect"}, data null}; success -> data [{session_token, …}].
  Session tokens are single use and live 2 minutes; state_tokens 5 minutes.

Subdomain host surface (pages; every page sets sub_session_onelogin.com when the request has
none, the cookie aws-runas detects OneLogin by):
  POST /session_via_api_token        ("SessionViaToken") form session_token: valid -> 200 page and
       Set-Cookie sub_session_onelogin.com=<browser session> (Path=/, HttpOnly); else 302 /login.
  GET  /trust/saml2/launch/<app id>  ("AppLaunch") with a browser session -> 200 auto-post page
       (SAMLResponse HTML-escaped); without -> 302 /login.
  GET  /login                        ("LoginPage") OneLogin's sign-in page (no SAMLResponse).
  OIDC, issuer {base}/oidc/2:
  GET  /oidc/2/auth                  ("OidcAuth") client_id, response_type=code, redirect_uri,
       scope, state (required), nonce, code_challenge + code_challenge_method=S256 (required).
       Unknown client / redirect_uri -> 400 page; other errors -> 302 redirect_uri?error=&state=.
       A browser session -> 302 redirect_uri?code=&state=; none -> 302 /login (prompt=none:
       error=login_required).
  POST /oidc/2/token                 ("OidcToken") authorization_code + PKCE (token endpoint auth
       "None (PKCE)") -> {access_token, expires_in, id_token (RS256, kid, iss, aud = client id,
       sub, nonce, email, preferred_username), token_type "Bearer", scope}; codes single use, 60 s;
       errors 400 invalid_grant / unsupported_grant_type, 401 invalid_client.
  GET  /oidc/2/certs                 ("OidcCerts") JWKS; GET /oidc/2/.well-known/openid-configuration
  Anything else -> 404 page. HEAD works like GET.

Control API (JSON, under /_emulator/; see ONELOGIN_EMULATOR.md): config, faults, requests, calls,
reset, sessions, end_sessions, otp, certificate, like keycloak_emulator's.

Usage: onelogin_emulator.py --port 0 [--exit-on-stdin-eof] [--config FILE.json]
Prints one line "PORT <n>" on stdout once listening.
"""

import base64
import copy
import secrets
from datetime import datetime, timezone
from urllib.parse import urlencode

import pyotp
from werkzeug.wrappers import Response

import keycloak_emulator
import loopback_server
import okta_emulator

ACCOUNT = "emulated"
ACCOUNT_ID = 555555
SESSION_COOKIE = "sub_session_onelogin.com"
USER_DEFAULTS = {
    "username": None, "password": None, "email": None, "first_name": "", "last_name": "",
    "state": "active", "devices": [], "session_name": None, "roles": [],
}
DEVICE_DEFAULTS = {"device_id": None, "device_type": "Google Authenticator", "secret": None,
                   "code": None, "default": False}
APP_DEFAULTS = {key: value for key, value in keycloak_emulator.SAML_CLIENT_DEFAULTS.items()
                if key != "url_name"}
APP_DEFAULTS["app_id"] = "424242"
API_CLIENT_DEFAULTS = {"client_id": "aws-runas-api", "client_secret": "aws-runas-api-secret"}
OIDC_CLIENT_DEFAULTS = {
    "client_id": "aws-runas", "redirect_uris": ["http://localhost*", "http://127.0.0.1*",
                                                "app:/callback"],
    "code_seconds": 60, "token_seconds": 3600,
}
PROVIDER = "arn:aws:iam::123456789012:saml-provider/onelogin"
DEFAULT_CONFIG = {
    # aws-runas sends the first label of the URL's host: "127" for http://127.0.0.1:<port>/….
    "subdomain": "127",
    "users": [
        {"username": "alice", "password": "alice-password", "email": "alice@example.com",
         "roles": [["arn:aws:iam::123456789012:role/Admin", PROVIDER],
                   ["arn:aws:iam::123456789012:role/ReadOnly", PROVIDER]]},
        {"username": "bob", "password": "bob-password", "email": "bob@example.com",
         "devices": [{"device_id": 7001, "device_type": "OneLogin Protect",
                      "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "default": True},
                     {"device_id": 7002, "device_type": "Google Authenticator",
                      "secret": "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"}],
         "roles": [["arn:aws:iam::123456789012:role/Admin", PROVIDER]]},
    ],
    "apps": [{"app_id": "424242"}],
    "api_clients": [{}],
    "oidc_clients": [{}],
}
FAULT_DEFAULTS = {
    "delay_seconds": 0, "delay_routes": [], "push_result": "approve", "push_polls": 1,
    "unexpected_page_routes": [], "saml_roles": None, "expired_assertion": False,
    "unsigned_assertion": False, "saml_signing_key": "realm",
}
PUSH_TYPES = ("OneLogin Protect", "OneLogin Voice")
SENT_CODE_TYPES = ("OneLogin SMS", "OneLogin Email")
USER_STATES = ("active", "locked", "mfa_enrollment_required")
TOKEN_SECONDS = 36000
STATE_SECONDS = 300
SESSION_TOKEN_SECONDS = 120
SESSION_SECONDS = 7200
MESSAGES = {
    "invalid_user": "Authentication Failed: Invalid user credentials",
    "locked": "Authentication Failed: The account has been locked because of too many failed "
              "login attempts. Try again later or contact your administrator.",
    "mfa": "MFA is required for this user",
    "bad_factor": "Failed authentication with this factor",
    "bad_state": "Invalid or expired state_token",
    "denied": "Push notification denied on OneLogin Protect",
}

ConfigError = keycloak_emulator.ConfigError
with_defaults = keycloak_emulator.with_defaults
json_response = keycloak_emulator.json_response
now = keycloak_emulator.now
html_page = okta_emulator.html_page


def iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def normalise_config(config):
    if not isinstance(config, dict):
        raise ConfigError("config must be a JSON object")
    unknown = set(config) - {"subdomain", "users", "apps", "api_clients", "oidc_clients"}
    if unknown:
        raise ConfigError(f"config: unknown fields {sorted(unknown)}")
    users = []
    for raw in config.get("users", []):
        user = with_defaults(USER_DEFAULTS, raw, "user")
        if not user["username"] or user["password"] is None:
            raise ConfigError("user: username and password are required")
        if user["state"] not in USER_STATES:
            raise ConfigError(f"user: state is one of {', '.join(USER_STATES)}")
        user["username"] = user["username"].lower()
        user["id"] = 10000 + len(users)
        devices = []
        for index, device in enumerate(user["devices"]):
            device = with_defaults(DEVICE_DEFAULTS, device, "device")
            device["device_id"] = device["device_id"] or user["id"] * 10 + index
            devices.append(device)
        user["devices"] = devices
        users.append(user)
    return {
        "subdomain": config.get("subdomain", DEFAULT_CONFIG["subdomain"]),
        "users": users,
        "apps": [with_defaults(APP_DEFAULTS, app, "app") for app in config.get("apps", [])],
        "api_clients": [with_defaults(API_CLIENT_DEFAULTS, c, "api client")
                        for c in config.get("api_clients", [{}])],
        "oidc_clients": [with_defaults(OIDC_CLIENT_DEFAULTS, c, "oidc client")
                         for c in config.get("oidc_clients", [{}])],
    }


class Emulator:
    """WSGI application: OneLogin's API and subdomain pages, plus /_emulator/."""

    # What keycloak_emulator's signing and logging code expects of its emulator.
    realm_keys = keycloak_emulator.Emulator.realm_keys
    foreign_keys = keycloak_emulator.Emulator.foreign_keys
    find_user = staticmethod(keycloak_emulator.Emulator.find_user)
    delay = keycloak_emulator.Emulator.delay
    # The WSGI entry point: dispatch(), a ConfigError as 400, an emulator bug as 500.
    __call__ = keycloak_emulator.Emulator.__call__

    # The constructor, the control API, the OIDC codes and the JWKS work as okta_emulator's.
    __init__ = okta_emulator.Emulator.__init__
    control = okta_emulator.Emulator.control
    issue_code = okta_emulator.Emulator.issue_code
    redeem_code = okta_emulator.Emulator.redeem_code
    certs = okta_emulator.Emulator.keys_document
    normalise = staticmethod(normalise_config)
    fault_defaults = FAULT_DEFAULTS
    key_name = ACCOUNT

    def reset_everything(self):
        self.config = normalise_config(DEFAULT_CONFIG)
        self.faults = copy.deepcopy(FAULT_DEFAULTS)
        self.access_tokens = {}       # access token -> {client_id, expires}
        self.transactions = {}        # state_token -> {username, app_id, kind, expires, polls}
        self.session_tokens = {}      # session_token -> {username, expires}
        self.sessions = {}            # browser session id -> {id, username, started, expires}
        self.codes = {}               # authorization code -> grant
        self.requests = []

    ROUTES = {
        ("POST", "auth/oauth2/v2/token"): ("Token", "access_token"),
        ("POST", "api/2/saml_assertion"): ("SamlAssertion", "saml_assertion"),
        ("POST", "api/2/saml_assertion/verify_factor"): ("VerifyFactor", "saml_verify_factor"),
        ("POST", "api/1/login/auth"): ("LoginAuth", "login_auth"),
        ("POST", "api/1/login/verify_factor"): ("LoginVerifyFactor", "login_verify_factor"),
        ("POST", "session_via_api_token"): ("SessionViaToken", "session_via_api_token"),
        ("GET", "login"): ("LoginPage", "login_page"),
        ("GET", "oidc/2/auth"): ("OidcAuth", "authorize"),
        ("POST", "oidc/2/token"): ("OidcToken", "token"),
        ("GET", "oidc/2/certs"): ("OidcCerts", "certs"),
        ("GET", "oidc/2/.well-known/openid-configuration"): ("Discovery", "discovery"),
    }
    # The subdomain's pages, which give every visitor OneLogin's session cookie (not the API).
    PAGE_ROUTES = ("SessionViaToken", "AppLaunch", "LoginPage", "OidcAuth", "Unknown")

    def dispatch(self, request):
        if request.path.startswith("/_emulator/"):
            return self.control(request)
        method = "GET" if request.method == "HEAD" else request.method
        path = request.path.strip("/")
        parts = path.split("/")
        route, handler = self.ROUTES.get((method, path), ("Unknown", None))
        arguments = []
        if method == "GET" and len(parts) == 4 and parts[:3] == ["trust", "saml2", "launch"]:
            route, handler, arguments = "AppLaunch", "app_launch", [parts[3]]
        self.delay(route)
        if route in self.faults["unexpected_page_routes"]:
            response = html_page(200, "OneLogin - Scheduled Maintenance",
                                 "<h1>We'll be back soon</h1><p>OneLogin is down for scheduled "
                                 "maintenance.</p>")
        elif handler is None:
            response = html_page(404, "OneLogin - Page not found", "<h1>Page not found</h1>")
        else:
            response = getattr(self, handler)(request, *arguments)
        if (route in self.PAGE_ROUTES and SESSION_COOKIE not in request.cookies
                and not any(SESSION_COOKIE in value for value in response.headers.getlist("Set-Cookie"))):
            response.set_cookie(SESSION_COOKIE, "anon" + secrets.token_urlsafe(16), path="/",
                                httponly=True)
        self.log(route, request, response)
        return response

    def log(self, route, request, response):
        body = request_body(request) if request.method == "POST" else {}
        entry = {"route": route, "method": request.method, "path": request.path,
                 "query": {key: request.args.get(key) for key in request.args},
                 "status": response.status_code, "cookies": sorted(request.cookies.keys()),
                 "form": sorted(body.keys()), "time": now()}
        if "do_not_notify" in body:
            entry["do_not_notify"] = body["do_not_notify"]
        with self.lock:
            self.requests.append(entry)

    def user_named(self, login):
        return self.find_user(self.config, login)

    # -- the access token -------------------------------------------------------

    def access_token(self, request):
        body = request_body(request)
        client_id, secret = api_client_credentials(request, body)
        client = next((c for c in self.config["api_clients"] if c["client_id"] == client_id), None)
        if client is None or not secrets.compare_digest(client["client_secret"], secret or ""):
            return v1_error(401, "Unauthorized", "Authentication Failure")
        if body.get("grant_type") != "client_credentials":
            return v1_error(400, "bad request", "grant_type is incorrect/absent")
        with self.lock:
            for token, grant in self.access_tokens.items():
                if grant["client_id"] == client_id and grant["expires"] > now():
                    break
            else:
                token = secrets.token_hex(32)
                grant = {"client_id": client_id, "created": now(),
                         "expires": now() + TOKEN_SECONDS, "refresh": secrets.token_hex(32)}
                self.access_tokens[token] = grant
        return json_response(200, {
            "access_token": token, "created_at": iso(grant["created"]),
            "expires_in": int(grant["expires"] - now()), "refresh_token": grant["refresh"],
            "token_type": "bearer", "account_id": ACCOUNT_ID})

    def authorised(self, request):
        header = request.headers.get("Authorization", "").strip()
        for prefix in ("bearer:", "bearer "):
            if header.lower().startswith(prefix):
                token = header[len(prefix):].strip()
                with self.lock:
                    grant = self.access_tokens.get(token)
                return grant is not None and grant["expires"] > now()
        return False

    # -- sign-in (SAML API v2, login API v1) ------------------------------------

    def saml_assertion(self, request):
        if not self.authorised(request):
            return v2_error(401, "Unauthorized", "Authentication Failure")
        body = request_body(request)
        for field in ("username_or_email", "password", "app_id", "subdomain"):
            if not body.get(field):
                return v2_error(400, "Bad Request", f"{field} is required")
        if body["subdomain"] != self.config["subdomain"]:
            return v2_error(400, "Bad Request", "Invalid subdomain")
        app = self.app(body["app_id"])
        if app is None:
            return v2_error(404, "Not Found", "App not found")
        user, failure = self.check_password(body)
        if failure:
            return v2_error(401, "Unauthorized", failure)
        if user["state"] == "active" and not user["devices"]:
            return json_response(200, {"data": self.assertion(request, app, user),
                                       "message": "Success"})
        return json_response(200, dict(
            self.challenge(request, user, "saml", app["app_id"]), message=MESSAGES["mfa"]))

    def login_auth(self, request):
        if not self.authorised(request):
            return v1_error(401, "Unauthorized", "Authentication Failure")
        body = request_body(request)
        for field in ("username_or_email", "password", "subdomain"):
            if not body.get(field):
                return v1_error(400, "Bad Request", f"{field} is required")
        if body["subdomain"] != self.config["subdomain"]:
            return v1_error(400, "Bad Request", "Invalid subdomain")
        user, failure = self.check_password(body)
        if failure:
            return v1_error(401, "Unauthorized", failure)
        if user["state"] == "active" and not user["devices"]:
            return v1_success("Success", [self.session_token(user)])
        return v1_success(MESSAGES["mfa"], [self.challenge(request, user, "login", None)])

    def check_password(self, body):
        user = self.user_named(body.get("username_or_email"))
        if user is None or not secrets.compare_digest(user["password"].encode(),
                                                      (body.get("password") or "").encode()):
            return None, MESSAGES["invalid_user"]
        if user["state"] == "locked":
            return None, MESSAGES["locked"]
        return user, None

    def challenge(self, request, user, kind, app_id):
        token = secrets.token_hex(20)
        with self.lock:
            self.transactions[token] = {"username": user["username"], "kind": kind,
                                        "app_id": app_id, "expires": now() + STATE_SECONDS,
                                        "polls": 0, "pushed": None}
        path = "api/2/saml_assertion" if kind == "saml" else "api/1/login"
        enrolled = [] if user["state"] == "mfa_enrollment_required" else user["devices"]
        return {"state_token": token, "callback_url": f"{base(request)}/{path}/verify_factor",
                "devices": [{"device_id": d["device_id"], "device_type": d["device_type"]}
                            for d in enrolled],
                "user": embedded_user(user)}

    def session_token(self, user):
        token = secrets.token_hex(20)
        expires = now() + SESSION_TOKEN_SECONDS
        with self.lock:
            self.session_tokens[token] = {"username": user["username"], "expires": expires}
        return {"status": "Authenticated", "user": embedded_user(user), "return_to_url": None,
                "expires_at": iso(expires), "session_token": token}

    # -- verify factor ----------------------------------------------------------

    def saml_verify_factor(self, request):
        if not self.authorised(request):
            return v2_error(401, "Unauthorized", "Authentication Failure")
        return self.verify(request, "saml")

    def login_verify_factor(self, request):
        if not self.authorised(request):
            return v1_error(401, "Unauthorized", "Authentication Failure")
        return self.verify(request, "login")

    def verify(self, request, kind):
        body = request_body(request)
        error = v2_error if kind == "saml" else v1_error
        token = str(body.get("state_token") or "")
        with self.lock:
            state = self.transactions.get(token)
            if state is not None and (state["expires"] < now() or state["kind"] != kind):
                self.transactions.pop(token, None)
                state = None
        if state is None:
            return error(401, "Unauthorized", MESSAGES["bad_state"])
        user = self.user_named(state["username"])
        device = next((d for d in user["devices"]
                       if str(d["device_id"]) == str(body.get("device_id"))), None)
        if device is None:
            return error(400, "Bad Request", "Invalid device_id")
        if kind == "saml" and str(body.get("app_id")) != str(state["app_id"]):
            return error(400, "Bad Request", "app_id does not match the state_token")
        otp = str(body.get("otp_token") or "")
        device_type = device["device_type"]
        if otp and device_type != "OneLogin Voice":
            if not code_matches(device, otp):
                return error(401, "Unauthorized", MESSAGES["bad_factor"])
            return self.finish(request, token, user, kind)
        if device_type in SENT_CODE_TYPES:
            return self.pending(kind, f"Authentication pending on {device_type}")
        if device_type not in PUSH_TYPES:
            return error(400, "Bad Request", "otp_token is required for this device")
        return self.push(request, token, state, user, device, body, kind)

    def push(self, request, token, state, user, device, body, kind):
        error = v2_error if kind == "saml" else v1_error
        with self.lock:
            if not body.get("do_not_notify") or state["pushed"] != device["device_id"]:
                state["pushed"], state["polls"] = device["device_id"], 0  # (re)sent
            polls = state["polls"]
            state["polls"] = polls + 1
            result = self.faults["push_result"]
            waiting = polls < self.faults["push_polls"] or result == "wait"
        if waiting:
            return self.pending(kind, "Authentication pending on OL Protect")
        if result == "approve":
            return self.finish(request, token, user, kind)
        with self.lock:
            self.transactions.pop(token, None)
        if result == "reject":
            return error(401, "Unauthorized", MESSAGES["denied"])
        return error(401, "Unauthorized", MESSAGES["bad_state"])

    def pending(self, kind, message):
        if kind == "saml":
            return json_response(200, {"message": message})
        return json_response(200, {"status": {"type": "pending", "code": 200, "message": message,
                                              "error": False}, "data": None})

    def finish(self, request, token, user, kind):
        with self.lock:
            state = self.transactions.pop(token, None)
        if kind == "login":
            return v1_success("Success", [self.session_token(user)])
        app = self.app(state["app_id"])
        return json_response(200, {"data": self.assertion(request, app, user), "message": "Success"})

    # -- the subdomain's pages --------------------------------------------------

    def session_via_api_token(self, request):
        token = request.form.get("session_token") or ""
        with self.lock:
            grant = self.session_tokens.pop(token, None)
        if grant is None or grant["expires"] < now():
            return redirect("/login")
        session_id = secrets.token_urlsafe(24)
        started = now()
        with self.lock:
            self.sessions[session_id] = {"id": session_id, "username": grant["username"],
                                         "started": started, "expires": started + SESSION_SECONDS}
        response = html_page(200, "OneLogin", "<p>Signed in.</p>")
        response.set_cookie(SESSION_COOKIE, session_id, path="/", httponly=True)
        return response

    def browser_session(self, request):
        with self.lock:
            session = self.sessions.get(request.cookies.get(SESSION_COOKIE) or "")
        if session is None or session["expires"] < now() or self.user_named(session["username"]) is None:
            return None
        return session

    def app_launch(self, request, app_id):
        app = self.app(app_id)
        if app is None:
            return html_page(404, "OneLogin - Page not found", "<h1>App not found</h1>")
        session = self.browser_session(request)
        if session is None:
            return redirect("/login")
        return AssertionContext(self, request, app["app_id"]).saml_post_page(app, session)

    def login_page(self, request):
        return html_page(200, f"{ACCOUNT} - OneLogin",
                         '<div id="root"></div><script src="/login2/main.js"></script>')

    # -- OIDC (issuer {base}/oidc/2) ---------------------------------------------

    def issuer(self, request):
        return f"{base(request)}/oidc/2"

    def authorize(self, request):
        args = request.args
        client = next((c for c in self.config["oidc_clients"]
                       if c["client_id"] == args.get("client_id")), None)
        redirect_uri = args.get("redirect_uri", "")
        if client is None or not keycloak_emulator.redirect_allowed(client, redirect_uri):
            return html_page(400, "OneLogin - Bad Request",
                             "<p>Invalid client_id or redirect_uri.</p>")
        state = args.get("state")

        def back(params):
            target = redirect_uri + ("&" if "?" in redirect_uri else "?")
            return redirect(target + urlencode([(k, v) for k, v in params if v is not None]))

        if args.get("response_type") != "code":
            return back([("error", "unsupported_response_type"), ("state", state)])
        if not state or args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return back([("error", "invalid_request"), ("error_description",
                         "state and PKCE (code_challenge, S256) are required"), ("state", state)])
        session = self.browser_session(request)
        if session is None:
            if args.get("prompt") == "none":
                return back([("error", "login_required"), ("state", state)])
            return redirect("/login")
        code = self.issue_code(client, redirect_uri, args, session["username"])
        return back([("code", code), ("state", state)])

    def token(self, request):
        client, grant, error = self.redeem_code(request)
        if error is not None:
            return error
        user = self.user_named(grant["username"])
        keys = self.realm_keys(ACCOUNT)
        issued = int(now())
        claims = {"sub": str(user["id"]), "email": user["email"],
                  "preferred_username": user["username"], "name": user["username"],
                  "iss": self.issuer(request), "aud": client["client_id"], "iat": issued,
                  "exp": issued + client["token_seconds"], "auth_time": issued,
                  "sid": secrets.token_hex(16)}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        response = json_response(200, {
            "access_token": secrets.token_urlsafe(32), "expires_in": client["token_seconds"],
            "id_token": keycloak_emulator.sign_jwt(keys.jwk, keys.kid, claims),
            "scope": grant["scope"] or "openid", "token_type": "Bearer"})
        response.headers["Cache-Control"] = "no-store"
        return response

    def discovery(self, request):
        issuer = self.issuer(request)
        return json_response(200, {
            "issuer": issuer, "authorization_endpoint": f"{issuer}/auth",
            "token_endpoint": f"{issuer}/token", "userinfo_endpoint": f"{issuer}/me",
            "jwks_uri": f"{issuer}/certs", "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                      "none"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "name", "profile", "groups", "email", "params",
                                 "phone"]})

    # -- SAML -------------------------------------------------------------------

    def app(self, app_id):
        return next((a for a in self.config["apps"] if a["app_id"] == str(app_id)), None)

    def assertion(self, request, app, user):
        started = now()
        session = {"id": secrets.token_hex(16), "username": user["username"], "started": started,
                   "expires": started + SESSION_SECONDS}
        return AssertionContext(self, request, app["app_id"]).saml_response(app, session)

    # -- control API (okta_emulator's) ----------------------------------------------

    def code_factor(self, request, user):
        """The device /_emulator/otp shows the code of: the first with a secret or code, of
        `device_type` when given."""
        wanted = request.args.get("device_type")
        return next((d for d in user["devices"]
                     if (d["secret"] or d["code"]) and wanted in (None, d["device_type"])), None)


class AssertionContext(keycloak_emulator.Context):
    """keycloak_emulator's SAML signing and auto-post page, with OneLogin's issuer and key."""

    def __init__(self, emulator, request, app_id):
        super().__init__(emulator, request, {"name": ACCOUNT, "users": emulator.config["users"]},
                         "", [])
        self.app_id = app_id

    def issuer(self):
        return f"https://app.onelogin.com/saml/metadata/{self.app_id}"


def base(request):
    return request.host_url.rstrip("/")


def request_body(request):
    """The JSON object (or form fields) of a POST; {} when there is none."""
    body = request.get_json(force=True, silent=True)
    if isinstance(body, dict):
        return body
    return dict(request.form.items())


def api_client_credentials(request, body):
    """OneLogin's own "client_id:<id>, client_secret:<secret>", HTTP Basic, or form fields."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            pair = base64.b64decode(header[6:].strip()).decode()
        except (ValueError, UnicodeDecodeError):
            return None, None
        client_id, _, secret = pair.partition(":")
        return client_id, secret
    if "client_id:" in header:
        fields = dict(part.strip().split(":", 1) for part in header.split(",") if ":" in part)
        return fields.get("client_id", "").strip(), fields.get("client_secret", "").strip()
    return body.get("client_id"), body.get("client_secret")


def embedded_user(user):
    return {"id": user["id"], "username": user["username"], "email": user["email"],
            "firstname": user["first_name"], "lastname": user["last_name"]}


def code_matches(device, code):
    if device["code"] and secrets.compare_digest(device["code"], code):
        return True
    return bool(device["secret"]) and pyotp.TOTP(device["secret"]).verify(code, valid_window=1)


def v2_error(status, name, message):
    return json_response(status, {"statusCode": status, "name": name, "message": message})


def v1_error(status, kind, message):
    return json_response(status, {"status": {"error": True, "code": status, "type": kind,
                                             "message": message}})


def v1_success(message, data):
    return json_response(200, {"status": {"error": False, "code": 200, "type": "success",
                                          "message": message}, "data": data})


def redirect(location):
    response = Response("", status=302)
    response.headers["Location"] = location
    return response


def main():
    loopback_server.main("onelogin_emulator", __doc__.splitlines()[0], Emulator, normalise_config,
                                 (ConfigError,))


if __name__ == "__main__":
    main()
