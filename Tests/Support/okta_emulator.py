#!/usr/bin/env python3
"""Loopback Okta (Classic Engine) emulator for aws-runas integration tests.

Follows ../shared/spec/identity-providers.md §1 (the Authentication API /api/v1/authn, factor
verification, the sessionToken exchanged at the AWS app's embed link), §0, §6.1, §8 and §9.
The signed SAML Responses come from keycloak_emulator's signing code (imported, not copied):
signxml, RSA-SHA256, exclusive c14n, Response and Assertion signed, issuer
http://www.okta.com/<app id> as Okta's.

Identity provider surface (every response carries X-Okta-Request-Id, which aws-runas detects):
  POST /api/v1/authn                 JSON {username, password[, options]}
       bad credentials -> 401 {errorCode E0000004, errorSummary "Authentication failed", ...};
       user status LOCKED_OUT -> 200 {status LOCKED_OUT} (no stateToken); PASSWORD_EXPIRED /
       MFA_ENROLL -> 200 with a stateToken; no factors -> 200 {status SUCCESS, sessionToken,
       expiresAt, _embedded.user}; factors -> 200 {status MFA_REQUIRED, stateToken, expiresAt,
       _embedded.{user, factors[{id, factorType, provider, vendorName, profile,
       _links.verify.href}]}, _links.cancel}.
  POST /api/v1/authn/factors/<id>/verify   JSON {stateToken[, passCode]}
       unknown or expired stateToken -> 401 E0000011 "Invalid token provided";
       TOTP / HOTP / token factor: right passCode -> SUCCESS with sessionToken; wrong -> 403
         E0000068 "Invalid Passcode/Answer" (the transaction stays usable);
       SMS / call factor: without passCode the code is "sent" -> 200 {status MFA_CHALLENGE,
         factorResult CHALLENGE, _links.next {name verify}}; with one, as a TOTP factor;
       push factor: the first call and each poll while the push waits -> 200 {status
         MFA_CHALLENGE, factorResult WAITING, _embedded.factor, _links.next {name poll, href: the
         same verify URL}, _links.resend, _links.cancel}; after `push_polls` polls the fault
         `push_result` decides: "approve" -> SUCCESS with sessionToken, "reject" / "timeout" ->
         MFA_CHALLENGE with factorResult REJECTED / TIMEOUT and _links.next named verify.
  POST /api/v1/authn/cancel          JSON {stateToken} -> {}; the transaction ends.
  GET  /home/amazon_aws/<app id>/<n>[?sessionToken=]   the app's embed link
  GET  /app/amazon_aws/<app id>/sso/saml[?sessionToken=]
       a valid sessionToken (single use, 5 minutes) starts an Okta session: Set-Cookie sid
       (Path=/, HttpOnly) and 200 auto-post page (form action = ACS URL, hidden SAMLResponse,
       HTML-escaped base64, RelayState if set); a valid sid cookie and no token -> the same page;
       neither -> 302 /login/login.htm?fromURI=<the app path>.
  GET  /login/login.htm              Okta's sign-in page (HTML, no SAMLResponse).
  OIDC, custom authorization server "default" (issuer {base}/oauth2/default, §1.4):
  GET  /oauth2/default/v1/authorize  client_id, response_type=code, redirect_uri, scope, state
       (required), nonce, code_challenge + code_challenge_method=S256 (required)[, sessionToken,
       prompt=none]. Unknown client / redirect_uri -> 400 page; other errors -> 302
       redirect_uri?error=&error_description=&state=. A valid sessionToken (then Set-Cookie sid)
       or sid cookie -> 302 redirect_uri?code=&state=; neither -> 302
       /login/login.htm?fromURI=<the request>, or error=login_required with prompt=none.
  POST /oauth2/default/v1/token      grant_type=authorization_code, code, redirect_uri, client_id,
       code_verifier -> {token_type Bearer, expires_in, access_token, scope, id_token (RS256, kid,
       iss, aud = client id, sub, nonce, email, preferred_username)}; codes single-use, 60 s;
       errors 400 invalid_grant / unsupported_grant_type, 401 invalid_client.
  GET  /oauth2/default/v1/keys       JWKS;  GET /oauth2/default/.well-known/openid-configuration
  HEAD works like GET.

Control API (JSON, under /_emulator/; see OKTA_EMULATOR.md): config, faults, requests, calls,
reset, sessions, end_sessions, otp, certificate, like keycloak_emulator's.

Usage: okta_emulator.py --port 0 [--exit-on-stdin-eof] [--config FILE.json]
Prints one line "PORT <n>" on stdout once listening.
"""

import copy
import html
import secrets
import threading
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import quote, urlencode

import pyotp
from werkzeug.wrappers import Response

import keycloak_emulator
import loopback_server

ORG = "emulated"
USER_DEFAULTS = {
    "username": None, "password": None, "email": None, "first_name": "", "last_name": "",
    "status": "ACTIVE", "factors": [], "session_name": None, "roles": [],
}
FACTOR_DEFAULTS = {"id": None, "type": "token:software:totp", "provider": None, "secret": None,
                   "code": None}
APP_DEFAULTS = {key: value for key, value in keycloak_emulator.SAML_CLIENT_DEFAULTS.items()
                if key != "url_name"}
APP_DEFAULTS["app_id"] = "0oaawsapp"
DEFAULT_CONFIG = {
    "users": [
        {"username": "alice", "password": "alice-password", "email": "alice@example.com",
         "roles": [["arn:aws:iam::123456789012:role/Admin",
                    "arn:aws:iam::123456789012:saml-provider/okta"],
                   ["arn:aws:iam::123456789012:role/ReadOnly",
                    "arn:aws:iam::123456789012:saml-provider/okta"]]},
        {"username": "bob", "password": "bob-password", "email": "bob@example.com",
         "factors": [{"id": "uftbobtotp", "type": "token:software:totp",
                      "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"},
                     {"id": "opfbobpush", "type": "push"}],
         "roles": [["arn:aws:iam::123456789012:role/Admin",
                    "arn:aws:iam::123456789012:saml-provider/okta"]]},
    ],
    "apps": [{"app_id": "0oaawsapp"}],
}
OIDC_CLIENT_DEFAULTS = {
    "client_id": "aws-runas", "redirect_uris": ["http://localhost*", "http://127.0.0.1*",
                                                "app:/callback"],
    "code_seconds": 60, "token_seconds": 3600,
}
AUTH_SERVER = "default"
FAULT_DEFAULTS = {
    "delay_seconds": 0, "delay_routes": [], "push_result": "approve", "push_polls": 1,
    "push_correct_answer": None, "saml_roles": None, "expired_assertion": False,
    "unsigned_assertion": False, "saml_signing_key": "realm", "unexpected_page_routes": [],
}
PUSH_RESULTS = ("approve", "reject", "timeout", "wait")
SENT_CODE_TYPES = ("sms", "call")
FACTOR_PROVIDERS = {"push": "OKTA", "token:software:totp": "OKTA", "token:hotp": "CUSTOM",
                    "token": "RSA", "sms": "OKTA", "call": "OKTA"}
STATE_SECONDS = 300
SESSION_SECONDS = 7200

ConfigError = keycloak_emulator.ConfigError
with_defaults = keycloak_emulator.with_defaults
json_response = keycloak_emulator.json_response
now = keycloak_emulator.now


def iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def normalise_config(config):
    if not isinstance(config, dict):
        raise ConfigError("config must be a JSON object")
    unknown = set(config) - {"users", "apps", "oidc_clients"}
    if unknown:
        raise ConfigError(f"config: unknown fields {sorted(unknown)}")
    users = []
    for raw in config.get("users", []):
        user = with_defaults(USER_DEFAULTS, raw, "user")
        if not user["username"] or user["password"] is None:
            raise ConfigError("user: username and password are required")
        user["username"] = user["username"].lower()
        factors = []
        for index, factor in enumerate(user["factors"]):
            factor = with_defaults(FACTOR_DEFAULTS, factor, "factor")
            factor["id"] = factor["id"] or f"fac{user['username']}{index}"
            factor["provider"] = factor["provider"] or FACTOR_PROVIDERS.get(factor["type"], "OKTA")
            factors.append(factor)
        user["factors"] = factors
        users.append(user)
    apps = [with_defaults(APP_DEFAULTS, app, "app") for app in config.get("apps", [])]
    clients = [with_defaults(OIDC_CLIENT_DEFAULTS, client, "oidc client")
               for client in config.get("oidc_clients", [{}])]
    return {"users": users, "apps": apps, "oidc_clients": clients}


class Emulator:
    """WSGI application: Okta's authentication API and AWS app links, plus /_emulator/."""

    # What keycloak_emulator's signing and logging code expects of its emulator.
    realm_keys = keycloak_emulator.Emulator.realm_keys
    foreign_keys = keycloak_emulator.Emulator.foreign_keys
    find_user = staticmethod(keycloak_emulator.Emulator.find_user)
    delay = keycloak_emulator.Emulator.delay
    # The WSGI entry point: dispatch(), a ConfigError as 400, an emulator bug as 500.
    __call__ = keycloak_emulator.Emulator.__call__
    # What control() reads, so that onelogin_emulator's shares it.
    normalise = staticmethod(normalise_config)
    fault_defaults = FAULT_DEFAULTS
    key_name = ORG

    def __init__(self, config=None):
        self.lock = threading.Lock()
        self.keys = {}
        self.foreign = None
        self.reset_everything()
        if config is not None:
            self.config = self.normalise(config)

    def reset_everything(self):
        self.config = normalise_config(DEFAULT_CONFIG)
        self.faults = copy.deepcopy(FAULT_DEFAULTS)
        self.transactions = {}        # stateToken -> {username, expires, polls, factor}
        self.session_tokens = {}      # sessionToken -> {username, expires}
        self.sessions = {}            # sid -> {id, username, started, expires}
        self.codes = {}               # authorization code -> grant
        self.requests = []

    def dispatch(self, request):
        if request.path.startswith("/_emulator/"):
            return self.control(request)
        parts = request.path.strip("/").split("/")
        method = "GET" if request.method == "HEAD" else request.method
        route, handler, argument = "Unknown", None, None
        if method == "POST" and parts == ["api", "v1", "authn"]:
            route, handler = "Authn", self.authn
        elif method == "POST" and parts == ["api", "v1", "authn", "cancel"]:
            route, handler = "Cancel", self.cancel
        elif (method == "POST" and len(parts) == 6 and parts[:4] == ["api", "v1", "authn", "factors"]
              and parts[5] == "verify"):
            route, handler, argument = "Verify", self.verify, parts[4]
        elif method == "GET" and len(parts) == 4 and parts[:2] == ["home", "amazon_aws"]:
            route, handler, argument = "AppEmbed", self.app, parts[2]
        elif method == "GET" and len(parts) == 5 and parts[:2] == ["app", "amazon_aws"] \
                and parts[3:] == ["sso", "saml"]:
            route, handler, argument = "AppSaml", self.app, parts[2]
        elif len(parts) >= 3 and parts[:2] == ["oauth2", AUTH_SERVER]:
            route, handler = {
                ("GET", "v1/authorize"): ("OidcAuthorize", self.authorize),
                ("POST", "v1/token"): ("OidcToken", self.token),
                ("GET", "v1/keys"): ("OidcKeys", self.keys_document),
                ("GET", ".well-known/openid-configuration"): ("Discovery", self.discovery),
            }.get((method, "/".join(parts[2:])), ("Unknown", None))
        elif method == "GET" and parts == ["login", "login.htm"]:
            route, handler = "SignInPage", self.sign_in_page
        self.delay(route)
        if route in (self.faults.get("unexpected_page_routes") or []):
            # A page no client has seen: a maintenance notice in place of the step's answer.
            response = html_page(200, "Scheduled maintenance",
                                 "<h1>We'll be right back</h1><p>Okta is being upgraded.</p>")
        elif handler is None:
            response = okta_error(404, "E0000022", "The endpoint does not support the provided HTTP method")
        elif argument is None:
            response = handler(request)
        else:
            response = handler(request, argument)
        response.headers["X-Okta-Request-Id"] = secrets.token_urlsafe(18)
        self.log(route, request, response)
        return response

    def log(self, route, request, response):
        body = request.get_json(silent=True) if request.method == "POST" else None
        entry = {"route": route, "method": request.method, "path": request.path,
                 "query": {key: request.args.get(key) for key in request.args},
                 "status": response.status_code, "cookies": sorted(request.cookies.keys()),
                 "form": sorted(body.keys()) if isinstance(body, dict) else [], "time": now()}
        with self.lock:
            self.requests.append(entry)

    def user_named(self, login):
        return self.find_user(self.config, login)

    # -- /api/v1/authn ----------------------------------------------------------

    def authn(self, request):
        body = request.get_json(silent=True) or {}
        user = self.user_named(body.get("username"))
        password = body.get("password") or ""
        if user is None or not secrets.compare_digest(user["password"], password):
            return okta_error(401, "E0000004", "Authentication failed")
        if user["status"] == "LOCKED_OUT":
            return json_response(200, {"status": "LOCKED_OUT", "_links": {"next": {
                "name": "unlock", "href": f"{base(request)}/api/v1/authn/recovery/unlock"}}})
        if user["status"] in ("PASSWORD_EXPIRED", "MFA_ENROLL"):
            return json_response(200, self.transaction(request, user, user["status"]))
        if not user["factors"]:
            return json_response(200, self.success(user))
        return json_response(200, self.transaction(request, user, "MFA_REQUIRED"))

    def transaction(self, request, user, status):
        token = "00" + secrets.token_urlsafe(30)
        expires = now() + STATE_SECONDS
        with self.lock:
            self.transactions[token] = {"username": user["username"], "expires": expires, "polls": 0}
        body = {"stateToken": token, "expiresAt": iso(expires), "status": status,
                "_embedded": {"user": embedded_user(user)},
                "_links": {"cancel": {"href": f"{base(request)}/api/v1/authn/cancel",
                                      "hints": {"allow": ["POST"]}}}}
        if status == "MFA_REQUIRED":
            body["_embedded"]["factors"] = [factor_body(request, f) for f in user["factors"]]
        return body

    def success(self, user):
        token = "20111" + secrets.token_urlsafe(24)
        expires = now() + STATE_SECONDS
        with self.lock:
            self.session_tokens[token] = {"username": user["username"], "expires": expires}
        return {"expiresAt": iso(expires), "status": "SUCCESS", "sessionToken": token,
                "_embedded": {"user": embedded_user(user)}}

    def live_transaction(self, body):
        token = body.get("stateToken") or ""
        with self.lock:
            state = self.transactions.get(token)
            if state is None or state["expires"] < now():
                self.transactions.pop(token, None)
                return None, None
            return token, state

    def verify(self, request, factor_id):
        body = request.get_json(silent=True) or {}
        token, state = self.live_transaction(body)
        if state is None:
            return okta_error(401, "E0000011", "Invalid token provided")
        user = self.user_named(state["username"])
        factor = next((f for f in user["factors"] if f["id"] == factor_id), None) if user else None
        if factor is None:
            return okta_error(404, "E0000007", f"Not found: Resource not found: {factor_id} (UserFactor)")
        if factor["type"] == "push":
            return self.push(request, token, state, user, factor)
        if factor["type"] in SENT_CODE_TYPES and not body.get("passCode"):
            return self.send_code(request, token, state, user, factor)
        if not code_matches(factor, body.get("passCode") or ""):
            return okta_error(403, "E0000068", "Invalid Passcode/Answer", cause=(
                "passCode", "Your passcode doesn't match our records. Please try again."))
        return self.finish(token, user)

    def push(self, request, token, state, user, factor):
        with self.lock:
            polls = state["polls"] if state.get("factor") == factor["id"] else 0
            state["factor"], state["polls"] = factor["id"], polls + 1
            waiting = polls < self.faults["push_polls"] or self.faults["push_result"] == "wait"
            result = self.faults["push_result"]
        if not waiting and result == "approve":
            return self.finish(token, user)
        verify_url = factor_body(request, factor)["_links"]["verify"]["href"]
        factor_result = "WAITING" if waiting else {"reject": "REJECTED", "timeout": "TIMEOUT"}[result]
        if not waiting:
            with self.lock:
                state["polls"] = 0
                state.pop("factor", None)
        embedded_factor = factor_body(request, factor)
        if waiting and self.faults.get("push_correct_answer") is not None:
            # Okta's number challenge: the number the user must pick in Okta Verify.
            embedded_factor["_embedded"] = {
                "challenge": {"correctAnswer": self.faults["push_correct_answer"]}}
        return json_response(200, {
            "stateToken": token, "expiresAt": iso(state["expires"]), "status": "MFA_CHALLENGE",
            "factorResult": factor_result,
            "_embedded": {"user": embedded_user(user), "factor": embedded_factor},
            "_links": {
                "next": {"name": "poll" if waiting else "verify", "href": verify_url,
                         "hints": {"allow": ["POST"]}},
                "resend": [{"name": "push", "href": verify_url + "/resend",
                            "hints": {"allow": ["POST"]}}],
                "cancel": {"href": f"{base(request)}/api/v1/authn/cancel",
                           "hints": {"allow": ["POST"]}},
            }})

    def send_code(self, request, token, state, user, factor):
        """SMS / voice call: a verify without passCode sends the code (the control API's `otp`
        shows it) and answers MFA_CHALLENGE with factorResult CHALLENGE, next = verify."""
        with self.lock:
            state["sent"] = state.get("sent", 0) + 1
        verify_url = factor_body(request, factor)["_links"]["verify"]["href"]
        return json_response(200, {
            "stateToken": token, "expiresAt": iso(state["expires"]), "status": "MFA_CHALLENGE",
            "factorResult": "CHALLENGE",
            "_embedded": {"user": embedded_user(user), "factor": factor_body(request, factor)},
            "_links": {
                "next": {"name": "verify", "href": verify_url, "hints": {"allow": ["POST"]}},
                "resend": [{"name": factor["type"], "href": verify_url + "/resend",
                            "hints": {"allow": ["POST"]}}],
                "cancel": {"href": f"{base(request)}/api/v1/authn/cancel",
                           "hints": {"allow": ["POST"]}},
            }})

    def finish(self, token, user):
        with self.lock:
            self.transactions.pop(token, None)
        return json_response(200, self.success(user))

    def cancel(self, request):
        token, state = self.live_transaction(request.get_json(silent=True) or {})
        if state is None:
            return okta_error(401, "E0000011", "Invalid token provided")
        with self.lock:
            self.transactions.pop(token, None)
        return json_response(200, {})

    # -- the AWS app ------------------------------------------------------------

    def app(self, request, app_id):
        app = next((a for a in self.config["apps"] if a["app_id"] == app_id), None)
        if app is None:
            return html_page(404, "Not Found", "<h1>404</h1><p>The page is not found.</p>")
        session, new_sid = self.okta_session(request)
        if session is None:
            response = Response("", status=302)
            response.headers["Location"] = "/login/login.htm?fromURI=" + quote(request.path, safe="")
            return response
        response = self.assertion_context(request, app_id).saml_post_page(app, session)
        if new_sid:
            response.set_cookie("sid", new_sid, path="/", httponly=True)
        return response

    def okta_session(self, request):
        """The session a valid `sessionToken` starts (its new sid second), else the `sid` cookie's."""
        session, new_sid = None, None
        token = request.args.get("sessionToken")
        if token:
            with self.lock:
                grant = self.session_tokens.pop(token, None)
            if grant is not None and grant["expires"] >= now():
                new_sid = "102" + secrets.token_urlsafe(24)
                started = now()
                session = {"id": new_sid, "username": grant["username"], "started": started,
                           "expires": started + SESSION_SECONDS}
                with self.lock:
                    self.sessions[new_sid] = session
        if session is None:
            with self.lock:
                session = self.sessions.get(request.cookies.get("sid") or "")
            if session is not None and (session["expires"] < now()
                                        or self.user_named(session["username"]) is None):
                session = None
        return session, new_sid

    # -- OIDC (custom authorization server "default", §1.4) ----------------------

    def issuer(self, request):
        return f"{base(request)}/oauth2/{AUTH_SERVER}"

    def authorize(self, request):
        args = request.args
        client = next((c for c in self.config["oidc_clients"]
                       if c["client_id"] == args.get("client_id")), None)
        redirect_uri = args.get("redirect_uri", "")
        if client is None or not keycloak_emulator.redirect_allowed(client, redirect_uri):
            return html_page(400, "Bad Request", "<p>The 'redirect_uri' parameter must be a Login "
                             "redirect URI in the client app settings.</p>")
        state = args.get("state")

        def redirect(params):
            response = Response("", status=302)
            response.headers["Location"] = (redirect_uri + ("&" if "?" in redirect_uri else "?")
                                            + urlencode([(k, v) for k, v in params if v is not None]))
            return response

        if args.get("response_type") != "code":
            return redirect([("error", "unsupported_response_type"), ("error_description",
                             "The response type is not supported by the authorization server."),
                             ("state", state)])
        if not state or args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return redirect([("error", "invalid_request"), ("error_description",
                             "state and PKCE (code_challenge, S256) are required."), ("state", state)])
        session, new_sid = self.okta_session(request)
        if session is None:
            if args.get("prompt") == "none":
                return redirect([("error", "login_required"), ("error_description",
                                 "The client specified not to prompt, but the user is not logged in."),
                                 ("state", state)])
            response = Response("", status=302)
            response.headers["Location"] = "/login/login.htm?fromURI=" + quote(
                request.full_path, safe="")
            return response
        code = self.issue_code(client, redirect_uri, args, session["username"])
        response = redirect([("code", code), ("state", state)])
        if new_sid:
            response.set_cookie("sid", new_sid, path="/", httponly=True)
        return response

    def issue_code(self, client, redirect_uri, args, username):
        """A single-use authorization code of `username` for an authorize request's `args`."""
        code = secrets.token_urlsafe(32)
        with self.lock:
            self.codes[code] = {"client_id": client["client_id"], "redirect_uri": redirect_uri,
                                "challenge": args["code_challenge"], "nonce": args.get("nonce"),
                                "username": username, "scope": args.get("scope") or "",
                                "expires": now() + client["code_seconds"]}
        return code

    def redeem_code(self, request):
        """(client, grant, None) for a valid authorization_code + PKCE token request, else
        (None, None, the error answer)."""
        form = request.form
        client = next((c for c in self.config["oidc_clients"]
                       if c["client_id"] == form.get("client_id")), None)
        if client is None:
            return None, None, keycloak_emulator.token_error(
                401, "invalid_client", "Client authentication failed.")
        if form.get("grant_type") != "authorization_code":
            return None, None, keycloak_emulator.token_error(
                400, "unsupported_grant_type", "The authorization grant type is not supported.")
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier") or ""
        if (grant is None or grant["expires"] < now() or grant["client_id"] != client["client_id"]
                or grant["redirect_uri"] != form.get("redirect_uri")
                or not secrets.compare_digest(keycloak_emulator.pkce_challenge(verifier),
                                              grant["challenge"])):
            return None, None, keycloak_emulator.token_error(
                400, "invalid_grant",
                "The authorization code is invalid or has expired, or PKCE verification failed.")
        return client, grant, None

    def token(self, request):
        client, grant, error = self.redeem_code(request)
        if error is not None:
            return error
        user = self.user_named(grant["username"])
        keys = self.realm_keys(ORG)
        issued = int(now())
        claims = {"sub": "00u" + user["username"], "email": user["email"], "ver": 1,
                  "iss": self.issuer(request), "aud": client["client_id"], "iat": issued,
                  "exp": issued + client["token_seconds"], "jti": "ID." + secrets.token_urlsafe(16),
                  "amr": ["pwd"], "idp": "00o" + ORG, "auth_time": issued,
                  "preferred_username": user["email"] or user["username"]}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        access = keycloak_emulator.sign_jwt(keys.jwk, keys.kid, {
            "ver": 1, "jti": "AT." + secrets.token_urlsafe(16), "iss": claims["iss"],
            "aud": "api://default", "iat": issued, "exp": claims["exp"],
            "cid": client["client_id"], "sub": claims["preferred_username"]})
        response = json_response(200, {
            "token_type": "Bearer", "expires_in": client["token_seconds"], "access_token": access,
            "scope": grant["scope"], "id_token": keycloak_emulator.sign_jwt(keys.jwk, keys.kid, claims)})
        response.headers["Cache-Control"] = "no-store"
        return response

    def keys_document(self, request):
        return json_response(200, {"keys": [self.realm_keys(self.key_name).public_jwk()]})

    def discovery(self, request):
        issuer = self.issuer(request)
        return json_response(200, {
            "issuer": issuer, "authorization_endpoint": f"{issuer}/v1/authorize",
            "token_endpoint": f"{issuer}/v1/token", "jwks_uri": f"{issuer}/v1/keys",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"]})

    def assertion_context(self, request, app_id):
        return AssertionContext(self, request, app_id)

    def sign_in_page(self, request):
        return html_page(200, f"{ORG} - Sign In",
                         '<div id="okta-sign-in"></div><script>var okta = {};</script>')

    # -- control API ----------------------------------------------------------

    def code_factor(self, request, user):
        """The factor /_emulator/otp shows the code of: the user's first with a secret or code."""
        return next((f for f in user["factors"] if f["secret"] or f["code"]), None)

    def control(self, request):
        path, method = request.path, request.method
        body = keycloak_emulator.control_body(request)
        replaced = keycloak_emulator.replace_config_or_faults(
            self, request, body, self.normalise, self.fault_defaults, PUSH_RESULTS)
        if replaced is not None:
            return replaced
        if (method, path) == ("GET", "/_emulator/sessions"):
            with self.lock:
                rows = [dict(s) for s in self.sessions.values()]
            return json_response(200, rows)
        if (method, path) == ("POST", "/_emulator/end_sessions"):
            username = (body.get("username") or "").lower() or None
            with self.lock:
                ended = [k for k, s in self.sessions.items() if username in (None, s["username"])]
                for key in ended:
                    del self.sessions[key]
            return json_response(200, {"ended": len(ended)})
        if (method, path) == ("GET", "/_emulator/otp"):
            user = self.user_named(request.args.get("username"))
            factor = self.code_factor(request, user) if user else None
            if factor is None:
                return json_response(404, {"error": "no such user with a code factor"})
            return json_response(200, {"code": factor["code"] or pyotp.TOTP(factor["secret"]).now()})
        if (method, path) == ("GET", "/_emulator/certificate"):
            return Response(self.realm_keys(self.key_name).cert_pem, status=200,
                            content_type="application/x-pem-file")
        # Reading the config and faults, the request log, the counts and reset work as
        # keycloak_emulator's.
        return keycloak_emulator.Emulator.control(self, request)


class AssertionContext(keycloak_emulator.Context):
    """keycloak_emulator's SAML signing and auto-post page, with Okta's issuer and the org's key."""

    def __init__(self, emulator, request, app_id):
        super().__init__(emulator, request, {"name": ORG, "users": emulator.config["users"]}, "", [])
        self.app_id = app_id

    def issuer(self):
        return f"http://www.okta.com/{self.app_id}"


def base(request):
    return request.host_url.rstrip("/")


def embedded_user(user):
    return {"id": "00u" + user["username"], "passwordChanged": "2026-01-01T00:00:00.000Z",
            "profile": {"login": user["email"] or user["username"], "firstName": user["first_name"],
                        "lastName": user["last_name"], "locale": "en", "timeZone": "UTC"}}


def factor_body(request, factor):
    return {"id": factor["id"], "factorType": factor["type"], "provider": factor["provider"],
            "vendorName": factor["provider"], "profile": {"credentialId": "user@example.com"},
            "_links": {"verify": {
                "href": f"{base(request)}/api/v1/authn/factors/{factor['id']}/verify",
                "hints": {"allow": ["POST"]}}}}


def code_matches(factor, code):
    if not code:
        return False
    if factor["code"] and secrets.compare_digest(factor["code"], code):
        return True
    return bool(factor["secret"]) and pyotp.TOTP(factor["secret"]).verify(code, valid_window=1)


def okta_error(status, code, summary, cause=None):
    causes = [{"errorSummary": cause[1]}] if cause else []
    return json_response(status, {"errorCode": code, "errorSummary": summary,
                                  "errorLink": code, "errorId": "oae" + uuid.uuid4().hex[:20],
                                  "errorCauses": causes})


def html_page(status, title, content):
    page = (f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head>"
            f"<body>{content}</body></html>")
    return Response(page, status=status, content_type="text/html;charset=utf-8")


def main():
    loopback_server.main("okta_emulator", __doc__.splitlines()[0], Emulator, normalise_config,
                         (ConfigError,))


if __name__ == "__main__":
    main()
