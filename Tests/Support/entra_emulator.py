#!/usr/bin/env python3
"""Loopback Microsoft Entra ID (Azure AD) emulator for aws-runas integration tests.

Follows ../shared/spec/identity-providers.md §5 (the sign-in web app as a browser sees it:
MyApps -> login.microsoftonline.com, the `$Config` blob, GetCredentialType, the password post,
MFA through SAS BeginAuth/EndAuth/ProcessAuth, "Stay signed in?", the SAMLResponse for the AWS
app; the OIDC v2 endpoints), §0, §6.1, §8 and §9. One HTTP server on 127.0.0.1 plays both hosts
(myapps.microsoft.com and login.microsoftonline.com): the paths do not overlap. The signed SAML
Responses come from keycloak_emulator's signing code (imported, not copied): signxml,
RSA-SHA256, exclusive c14n, the Assertion signed (Entra's default), issuer
https://sts.windows.net/<tenant id>/ as Entra's.

Every IdP answer carries x-ms-request-id (aws-runas detects Entra by it, behaviour spec §6.1)
and client-request-id. Sign-in pages are 200 HTML whose one script line is `$Config={…};`
(JSON, `&`, `<`, `>` escaped as \\u0026…). Their fields: pgid (ConvergedSignIn, ConvergedTFA,
KmsiInterrupt, ConvergedProofUpRedirect, ConvergedError), urlPost (relative), sFT/sFTName (the
flow token, new on every page), sCtx, canary, apiCanary, correlationId, sessionId, hpgid,
hpgact, urlGetCredentialType, sErrorCode/sErrTxt, arrUserProofs, urlBeginAuth, urlEndAuth,
oPerAuthPollingInterval, iMaxPollAttempts, iPollingTimeout, urlSkipMfaRegistration.
Login-host answers set buid, fpc, esctx, x-ms-gateway-slice and stsservicecookie (Path=/,
HttpOnly; never Secure: the emulator speaks http).

MyApps (the AWS app's User Access URL):
  GET  /signin/<app name>/<app id>?tenantId=<tenant>   ("MyAppsSignIn"; also the newer
       /api/signin/<app id>?tenantId=) a valid MyAppsSession cookie -> 200 page whose script says
       window.location = '<base>/<tenant id>/saml2?SAMLRequest=…&RelayState=…'; (a real
       deflated AuthnRequest, issuer = the app's identifier); else 302 to MyApps' own sign-in,
       GET /<tenant>/oauth2/authorize?client_id=<MyApps>&response_type=code+id_token&
       response_mode=form_post&redirect_uri=<base>/signin-oidc&state=&nonce=.
  POST /signin-oidc                      ("MyAppsCallback") form code, id_token, state,
       session_state: the id_token's signature and nonce are checked, Set-Cookie MyAppsSession,
       302 back to the User Access URL.
login.microsoftonline.com:
  GET  /<tenant>/oauth2/authorize        ("Authorize", MyApps' OIDC) an Entra session (ESTSAUTH
       or ESTSAUTHPERSISTENT) -> 200 page <form name="hiddenform" action=<redirect_uri>> with
       hidden code, id_token (v1, RS256), state, session_state; else a new flow: the
       ConvergedSignIn page.
  POST /common/GetCredentialType?mkt=en-US   ("GetCredentialType") JSON {username, …,
       originalRequest: sCtx, flowToken}, header canary = apiCanary -> {Username, IfExistsResult
       (0 exists, 1 not), Credentials {PrefCredential, HasPassword, FederationRedirectUrl?},
       EstsProperties {DomainType}, apiCanary}.
  POST /<tenant>/login                   ("Login", the ConvergedSignIn urlPost) form login,
       loginfmt, passwd, ctx, flowToken, canary, type, LoginOptions…: a stale flowToken or
       canary -> ConvergedError 90014; no passwd -> ConvergedSignIn with oGetCredTypeResult
       (aws-runas's Go client posts the username first); unknown user -> ConvergedSignIn
       sErrorCode 50034; user status locked / disabled / password_expired -> 50053 / 50057 /
       50055 (whatever the password); wrong password -> 50126; then by user: status
       mfa_registration -> ConvergedProofUpRedirect (no way on), mfa_registration_skippable ->
       the same with urlSkipMfaRegistration; MFA methods -> ConvergedTFA (arrUserProofs
       [{authMethodId, data, display, isDefault, isLocationAware}], urlBeginAuth, urlEndAuth,
       urlPost /common/SAS/ProcessAuth); else KmsiInterrupt.
  GET  /common/resume?ctx=&skipmfaregistration=1   ("Resume") a skippable registration -> KMSI.
  POST /common/SAS/BeginAuth             ("BeginAuth") JSON {AuthMethodId, Method: BeginAuth,
       ctx, flowToken}, header canary = apiCanary -> {Success, ResultValue, Message,
       AuthMethodId, ErrCode, Retry, FlowToken, Ctx, SessionId, CorrelationId, Timestamp,
       Entropy (number matching, fault push_entropy)}. A push is "sent" now.
  POST /common/SAS/EndAuth               ("EndAuth") JSON {AuthMethodId, Method: EndAuth, Ctx,
       FlowToken, SessionId, AdditionalAuthData (a code), PollCount}: code right -> Success;
       wrong -> Success false, ResultValue OathCodeIncorrect (SMS: SMSAuthFailedWrongCodeEntered),
       ErrCode 500121. Push: `push_polls` answers AuthenticationPending (ErrCode 500121, Retry
       true), then by fault push_result: approve -> Success, deny -> PhoneAppDenied, timeout ->
       PhoneAppNoResponse, wait -> pending forever. Each answer carries a new FlowToken.
  POST /common/SAS/ProcessAuth           ("ProcessAuth") form type, request (= Ctx),
       mfaAuthMethod, otc, login, flowToken, canary, rememberMFA: after a successful EndAuth ->
       KmsiInterrupt (sErrorCode 50058, as the Go client saw; rely on pgid); else ConvergedTFA
       with sErrorCode 500121.
  POST /kmsi                             ("Kmsi") form LoginOptions (1 = stay signed in), ctx,
       flowToken, canary: the Entra session starts: Set-Cookie ESTSAUTH (session cookie) and,
       with LoginOptions=1, ESTSAUTHPERSISTENT (90 days); the flow finishes: MyApps -> the
       hiddenform page; SAML -> the SAMLResponse page; OIDC v2 -> 302 redirect_uri?code=&state=.
  GET  /<tenant id>/saml2?SAMLRequest=&RelayState=   ("Saml2") an Entra session -> 200 page
       <form name="hiddenform" action="https://signin.aws.amazon.com/saml"> with hidden
       SAMLResponse (HTML-escaped base64) and RelayState; else a new flow (ConvergedSignIn).
  OIDC v2 (§5.6): GET /<tenant>/oauth2/v2.0/authorize ("OidcAuthorize": client_id,
       response_type=code, redirect_uri, scope, state, nonce, code_challenge(+_method=S256);
       session -> 302 redirect_uri?code=&state=&session_state=, prompt=none without one ->
       error=login_required, else a new flow), POST /<tenant>/oauth2/v2.0/token ("OidcToken":
       PKCE checked, codes single-use -> {token_type, scope, expires_in, access_token, id_token
       (RS256, iss <base>/<tenant id>/v2.0, aud client id, tid, oid, nonce, ver 2.0)}; errors
       {error, error_description "AADSTSnnnnn: …", error_codes, timestamp, trace_id,
       correlation_id, error_uri}), GET /<tenant>/discovery/v2.0/keys ("OidcKeys"),
       GET /<tenant>/v2.0/.well-known/openid-configuration ("Discovery").
  Anything else -> 404 HTML (with x-ms-request-id). HEAD works like GET.

<tenant> is the tenant id, its domain (emulated.onmicrosoft.com), or common / organizations.

Faults (POST /_emulator/faults): delay_seconds + delay_routes (slow answers), push_result,
push_polls, push_entropy, poll_interval (seconds, oPerAuthPollingInterval), max_poll_attempts,
unexpected_page (route names that answer an HTML page without $Config the client has never
seen), kmsi (false: no "Stay signed in?" page), saml_roles, expired_assertion,
unsigned_assertion, saml_signing_key (realm | foreign).

Control API (JSON, under /_emulator/; see ENTRA_EMULATOR.md): config, faults, requests, calls,
reset, sessions, end_sessions, otp, certificate, like keycloak_emulator's.

Usage: entra_emulator.py --port 0 [--exit-on-stdin-eof] [--config FILE.json]
Prints one line "PORT <n>" on stdout once listening.
"""

import base64
import copy
import html
import json
import secrets
import threading
import uuid
import zlib
from datetime import datetime, timezone
from urllib.parse import quote, urlencode

import pyotp
from joserfc import jwt
from lxml import etree
from werkzeug.wrappers import Response

import keycloak_emulator
import loopback_server
import okta_emulator

TENANT_ID = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5"
TENANT_DOMAIN = "emulated.onmicrosoft.com"
TENANT_ALIASES = {TENANT_ID, TENANT_DOMAIN, "common", "organizations"}
MYAPPS_CLIENT_ID = "0000000c-0000-0000-c000-000000000000"   # Microsoft App Access Panel
SESSION_SECONDS = 86400
PERSISTENT_SECONDS = 90 * 86400
FLOW_SECONDS = 1800
CODE_SECONDS = 600

PROVIDER = "arn:aws:iam::123456789012:saml-provider/entra"
USER_DEFAULTS = {
    "username": None, "password": None, "email": None, "display_name": None, "status": "active",
    "methods": [], "federation_url": None, "session_name": None, "roles": [],
}
USER_STATUSES = ("active", "locked", "disabled", "password_expired", "mfa_registration",
                 "mfa_registration_skippable")
METHOD_DEFAULTS = {"type": None, "display": None, "default": False, "secret": None, "code": None}
METHOD_TYPES = ("PhoneAppNotification", "PhoneAppOTP", "OneWaySMS", "TwoWayVoiceMobile")
APP_DEFAULTS = {key: value for key, value in keycloak_emulator.SAML_CLIENT_DEFAULTS.items()
                if key != "url_name"}
APP_DEFAULTS.update({"app_id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", "name": "AWS",
                     "sign_response": False})
OIDC_CLIENT_DEFAULTS = {
    "client_id": "5b3a0c1e-7f1d-4e2a-9c3b-6a7e2f1d0c9b",
    "redirect_uris": ["http://localhost*", "http://127.0.0.1*", "app:/callback"],
    "public": True, "code_seconds": CODE_SECONDS, "token_seconds": 3600,
}
DEFAULT_CONFIG = {
    "users": [
        {"username": "alice@example.com", "password": "alice-password", "display_name": "Alice",
         "roles": [["arn:aws:iam::123456789012:role/Admin", PROVIDER],
                   ["arn:aws:iam::123456789012:role/ReadOnly", PROVIDER]]},
        {"username": "bob@example.com", "password": "bob-password", "display_name": "Bob",
         "methods": [{"type": "PhoneAppNotification", "display": "Bob's phone", "default": True},
                     {"type": "PhoneAppOTP", "display": "Bob's phone",
                      "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}],
         "roles": [["arn:aws:iam::123456789012:role/Admin", PROVIDER]]},
    ],
    "apps": [{}],
    "oidc_clients": [{}],
}
FAULT_DEFAULTS = {
    "delay_seconds": 0, "delay_routes": [], "push_result": "approve", "push_polls": 1,
    "push_entropy": None, "poll_interval": 1, "max_poll_attempts": 60, "unexpected_page": [],
    "kmsi": True, "saml_roles": None, "expired_assertion": False, "unsigned_assertion": False,
    "saml_signing_key": "realm",
}
ERROR_TEXTS = {
    "50034": "We couldn't find an account with that username.",
    "50053": "Your account is locked. You've tried to sign in too many times with an incorrect "
             "user ID or password.",
    "50055": "Your password is expired.",
    "50057": "Your account has been disabled. Contact your administrator.",
    "50126": "Your account or password is incorrect. If you don't remember your password, "
             "reset it now.",
    "500121": "Authentication failed during strong authentication request.",
    "90014": "The request is missing a required field or carries a stale flow token.",
}
PAGE_IDS = {"ConvergedSignIn": 1104, "ConvergedTFA": 1114, "KmsiInterrupt": 1115,
            "ConvergedProofUpRedirect": 1116, "ConvergedError": 1117}

ConfigError = keycloak_emulator.ConfigError
with_defaults = keycloak_emulator.with_defaults
json_response = keycloak_emulator.json_response
now = keycloak_emulator.now
# A method is verified like an Okta factor: a fixed `code`, or a TOTP `secret`.
code_matches = okta_emulator.code_matches
html_page = okta_emulator.html_page
base = okta_emulator.base


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
        if user["status"] not in USER_STATUSES:
            raise ConfigError(f"user {user['username']}: status is one of {', '.join(USER_STATUSES)}")
        user["username"] = user["username"].lower()
        user["email"] = user["email"] or user["username"]
        methods = []
        for method in user["methods"]:
            method = with_defaults(METHOD_DEFAULTS, method, "method")
            if method["type"] not in METHOD_TYPES:
                raise ConfigError(f"method: type is one of {', '.join(METHOD_TYPES)}")
            method["display"] = method["display"] or "+X XXXXXXXX42"
            methods.append(method)
        if methods and not any(m["default"] for m in methods):
            methods[0]["default"] = True
        user["methods"] = methods
        users.append(user)
    apps = [with_defaults(APP_DEFAULTS, app, "app") for app in config.get("apps", [{}])]
    clients = [with_defaults(OIDC_CLIENT_DEFAULTS, client, "oidc client")
               for client in config.get("oidc_clients", [{}])]
    return {"users": users, "apps": apps, "oidc_clients": clients}


class Emulator:
    """WSGI application: MyApps and the Entra sign-in pages, SAS and OIDC v2, plus /_emulator/."""

    # What keycloak_emulator's signing, logging and control code expects of its emulator.
    realm_keys = keycloak_emulator.Emulator.realm_keys
    foreign_keys = keycloak_emulator.Emulator.foreign_keys
    find_user = staticmethod(keycloak_emulator.Emulator.find_user)
    delay = keycloak_emulator.Emulator.delay
    # The WSGI entry point: dispatch(), a ConfigError as 400, an emulator bug as 500.
    __call__ = keycloak_emulator.Emulator.__call__

    def __init__(self, config=None):
        self.lock = threading.Lock()
        self.keys = {}
        self.foreign = None
        self.reset_everything()
        if config is not None:
            self.config = normalise_config(config)

    def reset_everything(self):
        self.config = normalise_config(DEFAULT_CONFIG)
        self.faults = copy.deepcopy(FAULT_DEFAULTS)
        self.flows = {}            # sCtx -> a sign-in in progress
        self.sessions = {}         # ESTSAUTH value -> {id, username, started, expires}
        self.myapps_sessions = {}  # MyAppsSession value -> {username, expires}
        self.myapps_states = {}    # state of MyApps' sign-in -> {app_id, url, nonce}
        self.codes = {}            # authorization code -> grant
        self.requests = []

    # -- dispatch -------------------------------------------------------------

    def dispatch(self, request):
        if request.path.startswith("/_emulator/"):
            return self.control(request)
        parts = request.path.strip("/").split("/")
        method = "GET" if request.method == "HEAD" else request.method
        route, handler, argument = "Unknown", None, None
        tenant = parts[0] if parts and parts[0] in TENANT_ALIASES else None
        rest = parts[1:] if tenant else None
        if method == "GET" and len(parts) == 3 and parts[0] == "signin":
            route, handler, argument = "MyAppsSignIn", self.myapps_sign_in, parts[2]
        elif method == "GET" and len(parts) == 3 and parts[:2] == ["api", "signin"]:
            route, handler, argument = "MyAppsSignIn", self.myapps_sign_in, parts[2]
        elif method == "POST" and parts == ["signin-oidc"]:
            route, handler = "MyAppsCallback", self.myapps_callback
        elif method == "POST" and parts == ["common", "GetCredentialType"]:
            route, handler = "GetCredentialType", self.get_credential_type
        elif method == "POST" and parts == ["common", "SAS", "BeginAuth"]:
            route, handler = "BeginAuth", self.begin_auth
        elif method == "POST" and parts == ["common", "SAS", "EndAuth"]:
            route, handler = "EndAuth", self.end_auth
        elif method == "POST" and parts == ["common", "SAS", "ProcessAuth"]:
            route, handler = "ProcessAuth", self.process_auth
        elif method == "GET" and parts == ["common", "resume"]:
            route, handler = "Resume", self.resume
        elif method == "POST" and parts == ["kmsi"]:
            route, handler = "Kmsi", self.kmsi
        elif tenant is not None:
            route, handler = {
                ("GET", "oauth2/authorize"): ("Authorize", self.authorize),
                ("POST", "login"): ("Login", self.login),
                ("GET", "saml2"): ("Saml2", self.saml2),
                ("GET", "oauth2/v2.0/authorize"): ("OidcAuthorize", self.oidc_authorize),
                ("POST", "oauth2/v2.0/token"): ("OidcToken", self.oidc_token),
                ("GET", "discovery/v2.0/keys"): ("OidcKeys", self.keys_document),
                ("GET", "v2.0/.well-known/openid-configuration"): ("Discovery", self.discovery),
            }.get((method, "/".join(rest)), ("Unknown", None))
        self.delay(route)
        if route in (self.faults["unexpected_page"] or []):
            response = unexpected_page()
        elif handler is None:
            response = html_page(404, "Page not found",
                                 "<h1>404 - Not Found</h1><p>The page you requested does not exist.</p>")
        elif argument is None:
            response = handler(request)
        else:
            response = handler(request, argument)
        response.headers["x-ms-request-id"] = str(uuid.uuid4())
        response.headers["client-request-id"] = (request.headers.get("client-request-id")
                                                 or str(uuid.uuid4()))
        response.headers["x-ms-ests-server"] = "2.1.emulated"
        self.log(route, request, response)
        return response

    def log(self, route, request, response):
        names = []
        if request.method == "POST":
            body = request.get_json(silent=True)
            names = sorted(body.keys()) if isinstance(body, dict) else sorted(request.form.keys())
        entry = {"route": route, "method": request.method, "path": request.path,
                 "query": {key: request.args.get(key) for key in request.args},
                 "status": response.status_code, "cookies": sorted(request.cookies.keys()),
                 "form": names, "time": now()}
        with self.lock:
            self.requests.append(entry)

    def user_named(self, login):
        return self.find_user(self.config, login)

    def app_with_id(self, app_id):
        return next((a for a in self.config["apps"] if a["app_id"] == app_id), None)

    # -- MyApps ---------------------------------------------------------------

    def myapps_sign_in(self, request, app_id):
        app = self.app_with_id(app_id)
        if app is None or request.args.get("tenantId") not in TENANT_ALIASES:
            return html_page(404, "Apps", "<p>The app you are looking for is not available.</p>")
        with self.lock:
            session = self.myapps_sessions.get(request.cookies.get("MyAppsSession") or "")
        if session is not None and session["expires"] >= now() and self.user_named(session["username"]):
            return self.saml_request_page(request, app)
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        with self.lock:
            self.myapps_states[state] = {"app_id": app_id, "url": request.url, "nonce": nonce}
        query = urlencode([("client_id", MYAPPS_CLIENT_ID), ("response_type", "code id_token"),
                           ("redirect_uri", base(request) + "/signin-oidc"),
                           ("response_mode", "form_post"), ("scope", "openid profile"),
                           ("state", state), ("nonce", nonce)])
        return redirect(f"{base(request)}/{TENANT_ID}/oauth2/authorize?{query}")

    def saml_request_page(self, request, app):
        """MyApps' page that sends the browser to Entra's SAML endpoint for the app."""
        issued = keycloak_emulator.saml_time(now())
        xml = (f'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
               f'ID="id{uuid.uuid4().hex}" Version="2.0" IssueInstant="{issued}" '
               f'AssertionConsumerServiceURL="{html.escape(app["acs_url"])}">'
               f'<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">'
               f'{html.escape(app["client_id"])}</saml:Issuer></samlp:AuthnRequest>')
        deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
        encoded = base64.b64encode(deflater.compress(xml.encode()) + deflater.flush()).decode()
        query = urlencode([("SAMLRequest", encoded), ("RelayState", app["relay_state"] or "")])
        target = f"{base(request)}/{TENANT_ID}/saml2?{query}"
        page = ("<!DOCTYPE html><html><head><title>Redirecting</title></head><body>"
                "<script type=\"text/javascript\">window.location = '" + target + "';</script>"
                "<noscript>JavaScript is required.</noscript></body></html>")
        return Response(page, status=200, content_type="text/html; charset=utf-8")

    def myapps_callback(self, request):
        form = request.form
        with self.lock:
            state = self.myapps_states.pop(form.get("state") or "", None)
        claims = self.verified_claims(form.get("id_token") or "")
        if state is None or claims is None or claims.get("nonce") != state["nonce"]:
            return html_page(400, "Apps", "<p>Sign-in failed: the response is not valid.</p>")
        value = secrets.token_urlsafe(32)
        with self.lock:
            self.myapps_sessions[value] = {"username": claims["upn"], "expires": now() + SESSION_SECONDS}
        response = redirect(state["url"])
        response.set_cookie("MyAppsSession", value, path="/", httponly=True)
        return response

    def verified_claims(self, token):
        try:
            return jwt.decode(token, self.realm_keys(TENANT_ID).jwk, algorithms=["RS256"]).claims
        except Exception:
            return None

    # -- sign-in flows --------------------------------------------------------

    def new_flow(self, kind, params):
        flow = {"ctx": "rQQIARAA" + secrets.token_urlsafe(48), "ft": None, "kind": kind,
                "params": params, "username": None, "stage": "username", "mfa": None,
                "canary": secrets.token_urlsafe(32), "api_canary": secrets.token_urlsafe(32),
                "correlation_id": str(uuid.uuid4()), "session_id": str(uuid.uuid4()),
                "expires": now() + FLOW_SECONDS}
        with self.lock:
            self.flows[flow["ctx"]] = flow
        return flow

    def flow_for(self, ctx, flow_token=None, canary=None):
        """The live flow of `ctx` when the flow token and canary (if given) are its current ones."""
        with self.lock:
            flow = self.flows.get(ctx or "")
        if flow is None or flow["expires"] < now():
            return None
        if flow_token is not None and not secrets.compare_digest(flow["ft"] or "", flow_token):
            return None
        if canary is not None and not secrets.compare_digest(flow["canary"], canary):
            return None
        return flow

    def page(self, request, flow, pgid, **fields):
        """A sign-in page: its `$Config` carries a new flow token."""
        flow["ft"] = "AQABAAEAAAD" + secrets.token_urlsafe(96)
        config = {
            "pgid": pgid, "hpgid": PAGE_IDS[pgid], "hpgact": 1800, "sCtx": flow["ctx"],
            "sFT": flow["ft"], "sFTName": "flowToken", "canary": flow["canary"],
            "apiCanary": flow["api_canary"], "correlationId": flow["correlation_id"],
            "sessionId": flow["session_id"], "urlPost": f"/{TENANT_ID}/login",
            "urlGetCredentialType": f"{base(request)}/common/GetCredentialType?mkt=en-US",
            "sErrorCode": "", "sErrTxt": "", "sPOST_Username": flow["username"] or "",
            "iMaxPollAttempts": self.faults["max_poll_attempts"], "iPollingTimeout": 300,
            "oPerAuthPollingInterval": {t: self.faults["poll_interval"] for t in METHOD_TYPES},
            "sTenantId": TENANT_ID,
            # Scripts in the blob end statements with "};" inside strings: clients must parse
            # the JSON, not stop at the first "};".
            "oAppCobranding": {}, "sInlineScript": "function(){return 1};",
        }
        config.update(fields)
        blob = (json.dumps(config, separators=(",", ":"))
                .replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))
        page = (
            "<!-- Copyright (C) Microsoft Corporation. All rights reserved. -->\n"
            '<!DOCTYPE html><html dir="ltr" class="" lang="en"><head><title>Sign in to your account'
            '</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">'
            '<script type="text/javascript">//<![CDATA[\n'
            f"$Config={blob};\n"
            "//]]></script></head><body data-bind=\"defineGlobals: ServerData, bodyCssClass\">"
            '<noscript><meta http-equiv="Refresh" content="0; URL=/jsdisabled" />'
            "Sign in requires JavaScript.</noscript><div id=\"root\"></div></body></html>")
        response = Response(page, status=200, content_type="text/html; charset=utf-8")
        self.set_login_cookies(response)
        return response

    @staticmethod
    def set_login_cookies(response):
        response.set_cookie("buid", "0." + secrets.token_urlsafe(24), path="/", httponly=True,
                            max_age=30 * 86400)
        response.set_cookie("fpc", secrets.token_urlsafe(18), path="/", httponly=True,
                            max_age=30 * 86400)
        response.set_cookie("esctx", "PAQABAAEAAAD" + secrets.token_urlsafe(32), path="/",
                            httponly=True)
        response.set_cookie("x-ms-gateway-slice", "estsfd", path="/", httponly=True)
        response.set_cookie("stsservicecookie", "estsfd", path="/", httponly=True)

    def sign_in_page(self, request, flow, error=None, **fields):
        if error:
            fields.update({"sErrorCode": error, "sErrTxt": ERROR_TEXTS.get(error, "")})
        return self.page(request, flow, "ConvergedSignIn", **fields)

    def error_page(self, request, code):
        flow = self.new_flow("error", {})
        return self.page(request, flow, "ConvergedError", sErrorCode=code,
                         sErrTxt=ERROR_TEXTS.get(code, ""))

    def session_of(self, request):
        with self.lock:
            for name in ("ESTSAUTH", "ESTSAUTHPERSISTENT"):
                session = self.sessions.get(request.cookies.get(name) or "")
                if session is not None:
                    break
        if session is None or session["expires"] < now():
            return None
        user = self.user_named(session["username"])
        if user is None or user["status"] != "active" and not user["status"].startswith("mfa_"):
            return None
        return session

    # -- MyApps' OIDC sign-in, SAML and OIDC v2 entry points -------------------

    def authorize(self, request):
        args = request.args
        if args.get("client_id") != MYAPPS_CLIENT_ID or not args.get("redirect_uri"):
            return self.error_page(request, "700016")
        params = {"redirect_uri": args["redirect_uri"], "state": args.get("state") or "",
                  "nonce": args.get("nonce") or ""}
        session = self.session_of(request)
        if session is not None:
            return self.finish({"kind": "myapps", "params": params}, request, session)
        return self.sign_in_page(request, self.new_flow("myapps", params))

    def saml2(self, request):
        try:
            xml = zlib.decompress(base64.b64decode(request.args.get("SAMLRequest", "")), -15)
            issuer = etree.fromstring(xml).findtext(f"{{{keycloak_emulator.NS['saml']}}}Issuer")
        except Exception:
            issuer = None
        app = next((a for a in self.config["apps"] if a["client_id"] == issuer), None)
        if app is None:
            return self.error_page(request, "700016")
        params = {"app_id": app["app_id"], "relay_state": request.args.get("RelayState")}
        session = self.session_of(request)
        if session is not None:
            return self.finish({"kind": "saml", "params": params}, request, session)
        return self.sign_in_page(request, self.new_flow("saml", params))

    def oidc_authorize(self, request):
        args = request.args
        client = self.oidc_client(args.get("client_id"))
        redirect_uri = args.get("redirect_uri", "")
        if client is None:
            return self.error_page(request, "700016")
        if not keycloak_emulator.redirect_allowed(client, redirect_uri):
            return self.error_page(request, "50011")
        state = args.get("state")

        def fail(error, code, description):
            return redirect(with_query(redirect_uri, [
                ("error", error), ("error_description", f"AADSTS{code}: {description}"),
                ("error_codes", str(code)), ("state", state)]))

        if args.get("response_type") != "code":
            return fail("unsupported_response_type", 700054, "response_type 'code' is required.")
        challenge = args.get("code_challenge")
        if challenge and args.get("code_challenge_method") != "S256":
            return fail("invalid_request", 50149, "code_challenge_method must be S256.")
        params = {"client_id": client["client_id"], "redirect_uri": redirect_uri, "state": state,
                  "nonce": args.get("nonce"), "challenge": challenge,
                  "scope": args.get("scope") or "openid"}
        session = self.session_of(request)
        if session is not None and args.get("prompt") != "login":
            return self.finish({"kind": "oidc", "params": params}, request, session)
        if args.get("prompt") == "none":
            return fail("login_required", 50058, "A silent sign-in request was sent but no user "
                        "is signed in.")
        return self.sign_in_page(request, self.new_flow("oidc", params))

    # -- username, password ---------------------------------------------------

    def get_credential_type(self, request):
        body = request.get_json(silent=True) or {}
        flow = self.flow_for(body.get("originalRequest"), body.get("flowToken"))
        if flow is None or request.headers.get("canary") != flow["api_canary"]:
            return json_response(400, {"error": {"code": "InvalidRequest",
                                                 "message": "Invalid canary or flow token."}})
        user = self.user_named(body.get("username"))
        flow["api_canary"] = secrets.token_urlsafe(32)
        credentials = {"PrefCredential": 1, "HasPassword": True, "RemoteNgcParams": None,
                       "FidoParams": None, "SasParams": None, "CertAuthParams": None,
                       "GoogleParams": None, "FacebookParams": None}
        if user is not None and user["federation_url"]:
            credentials["FederationRedirectUrl"] = user["federation_url"]
        return json_response(200, {
            "Username": body.get("username"), "Display": body.get("username"),
            "IfExistsResult": 0 if user is not None else 1, "IsUnmanaged": False,
            "ThrottleStatus": 0, "Credentials": credentials,
            "EstsProperties": {"UserTenantBranding": None,
                               "DomainType": 4 if user and user["federation_url"] else 3},
            "IsSignupDisallowed": True, "apiCanary": flow["api_canary"]})

    def login(self, request):
        form = request.form
        flow = self.flow_for(form.get("ctx"), form.get("flowToken"), form.get("canary"))
        if flow is None:
            return self.error_page(request, "90014")
        login = form.get("login") or form.get("loginfmt") or ""
        user = self.user_named(login)
        flow["username"] = login
        if "passwd" not in form:
            # aws-runas's Go client posts the username alone first and reads oGetCredTypeResult.
            result = {"Credentials": {"PrefCredential": 1, "HasPassword": True}}
            if user is not None and user["federation_url"]:
                result["Credentials"]["FederationRedirectUrl"] = user["federation_url"]
            return self.sign_in_page(request, flow, oGetCredTypeResult=result)
        if user is None:
            return self.sign_in_page(request, flow, "50034")
        blocked = {"locked": "50053", "disabled": "50057", "password_expired": "50055"}
        if user["status"] in blocked:
            return self.sign_in_page(request, flow, blocked[user["status"]])
        if not secrets.compare_digest(user["password"], form.get("passwd") or ""):
            return self.sign_in_page(request, flow, "50126")
        flow["username"] = user["username"]
        if user["status"].startswith("mfa_registration"):
            flow["stage"] = "proofup"
            fields = {"urlPost": "https://account.activedirectory.windowsazure.com/proofup.aspx"}
            if user["status"] == "mfa_registration_skippable":
                fields["urlSkipMfaRegistration"] = (
                    f"{base(request)}/common/resume?ctx={quote(flow['ctx'])}&skipmfaregistration=1")
                fields["iRemainingDaysToSkipMfaRegistration"] = 14
            return self.page(request, flow, "ConvergedProofUpRedirect", **fields)
        if user["methods"]:
            return self.mfa_page(request, flow, user)
        return self.after_sign_in(request, flow)

    def mfa_page(self, request, flow, user, error=None):
        flow["stage"] = "mfa"
        proofs = [{"authMethodId": m["type"], "data": m["type"], "display": m["display"],
                   "isDefault": m["default"], "isLocationAware": False} for m in user["methods"]]
        fields = {"arrUserProofs": proofs, "urlPost": "/common/SAS/ProcessAuth",
                  "urlBeginAuth": f"{base(request)}/common/SAS/BeginAuth",
                  "urlEndAuth": f"{base(request)}/common/SAS/EndAuth"}
        if error:
            fields.update({"sErrorCode": error, "sErrTxt": ERROR_TEXTS.get(error, "")})
        return self.page(request, flow, "ConvergedTFA", **fields)

    def resume(self, request):
        flow = self.flow_for(request.args.get("ctx"))
        user = self.user_named(flow["username"]) if flow else None
        if (flow is None or flow["stage"] != "proofup" or user is None
                or user["status"] != "mfa_registration_skippable"
                or request.args.get("skipmfaregistration") != "1"):
            return self.error_page(request, "90014")
        return self.after_sign_in(request, flow)

    def after_sign_in(self, request, flow):
        """Past the password (and MFA): "Stay signed in?" unless the fault turns it off."""
        if not self.faults["kmsi"]:
            return self.start_session(request, flow, persistent=False)
        flow["stage"] = "kmsi"
        return self.page(request, flow, "KmsiInterrupt", urlPost="/kmsi", sErrorCode="50058")

    def kmsi(self, request):
        form = request.form
        flow = self.flow_for(form.get("ctx"), form.get("flowToken"), form.get("canary"))
        if flow is None or flow["stage"] != "kmsi":
            return self.error_page(request, "90014")
        return self.start_session(request, flow, persistent=form.get("LoginOptions") == "1")

    def start_session(self, request, flow, persistent):
        started = now()
        session = {"id": secrets.token_urlsafe(32), "username": flow["username"],
                   "started": started, "expires": started + SESSION_SECONDS}
        with self.lock:
            self.sessions[session["id"]] = session
            self.flows.pop(flow["ctx"], None)
        response = self.finish(flow, request, session)
        response.set_cookie("ESTSAUTH", session["id"], path="/", httponly=True)
        if persistent:
            response.set_cookie("ESTSAUTHPERSISTENT", session["id"], path="/", httponly=True,
                                max_age=PERSISTENT_SECONDS)
        response.set_cookie("ESTSAUTHLIGHT", "+" + str(uuid.uuid4()), path="/")
        self.set_login_cookies(response)
        return response

    # -- MFA: SAS BeginAuth / EndAuth / ProcessAuth -----------------------------

    def sas_flow(self, request, ctx, flow_token):
        flow = self.flow_for(ctx, flow_token)
        if flow is None or flow["stage"] != "mfa" or request.headers.get("canary") != flow["api_canary"]:
            return None, None
        return flow, self.user_named(flow["username"])

    def sas_answer(self, flow, method_id, success, result, error_code=0, retry=False, **extra):
        flow["ft"] = "AQABAAEAAAD" + secrets.token_urlsafe(96)
        body = {"Success": success, "ResultValue": result, "Message": None,
                "AuthMethodId": method_id, "ErrCode": error_code, "Retry": retry,
                "FlowToken": flow["ft"], "Ctx": flow["ctx"],
                "SessionId": (flow["mfa"] or {}).get("session_id"),
                "CorrelationId": flow["correlation_id"],
                "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        body.update(extra)
        return json_response(200, body)

    def begin_auth(self, request):
        body = request.get_json(silent=True) or {}
        flow, user = self.sas_flow(request, body.get("ctx"), body.get("flowToken"))
        if flow is None or user is None:
            return json_response(400, {"Success": False, "ResultValue": "InvalidSession",
                                       "Message": "The session or canary is not valid.",
                                       "ErrCode": 90014})
        method = next((m for m in user["methods"] if m["type"] == body.get("AuthMethodId")), None)
        if body.get("Method") != "BeginAuth" or method is None:
            return self.sas_answer(flow, body.get("AuthMethodId"), False, "AuthMethodNotAllowed",
                                   error_code=500121)
        flow["mfa"] = {"method": method["type"], "session_id": str(uuid.uuid4()), "polls": 0,
                       "verified": False}
        extra = {}
        if method["type"] == "PhoneAppNotification" and self.faults["push_entropy"] is not None:
            extra["Entropy"] = self.faults["push_entropy"]
        return self.sas_answer(flow, method["type"], True, "Success", **extra)

    def end_auth(self, request):
        body = request.get_json(silent=True) or {}
        flow, user = self.sas_flow(request, body.get("Ctx"), body.get("FlowToken"))
        mfa = flow["mfa"] if flow else None
        if (flow is None or user is None or mfa is None or body.get("Method") != "EndAuth"
                or body.get("SessionId") != mfa["session_id"]
                or body.get("AuthMethodId") != mfa["method"]):
            return json_response(400, {"Success": False, "ResultValue": "InvalidSession",
                                       "Message": "The session is not valid.", "ErrCode": 90014})
        method = next(m for m in user["methods"] if m["type"] == mfa["method"])
        if method["type"] in ("PhoneAppNotification", "TwoWayVoiceMobile"):
            with self.lock:
                mfa["polls"] += 1
                result = self.faults["push_result"]
                waiting = mfa["polls"] <= self.faults["push_polls"] or result == "wait"
            if waiting:
                return self.sas_answer(flow, method["type"], False, "AuthenticationPending",
                                       error_code=500121, retry=True)
            if result != "approve":
                flow["mfa"] = None
                value = {"deny": "PhoneAppDenied", "timeout": "PhoneAppNoResponse"}[result]
                return self.sas_answer(flow, method["type"], False, value, error_code=500121)
        elif not code_matches(method, body.get("AdditionalAuthData") or ""):
            value = "SMSAuthFailedWrongCodeEntered" if method["type"] == "OneWaySMS" else "OathCodeIncorrect"
            return self.sas_answer(flow, method["type"], False, value, error_code=500121)
        mfa["verified"] = True
        return self.sas_answer(flow, method["type"], True, "Success")

    def process_auth(self, request):
        form = request.form
        flow = self.flow_for(form.get("request"), form.get("flowToken"), form.get("canary"))
        if flow is None:
            return self.error_page(request, "90014")
        user = self.user_named(flow["username"])
        if flow["stage"] != "mfa" or not (flow["mfa"] or {}).get("verified") or user is None:
            return self.mfa_page(request, flow, user, error="500121")
        return self.after_sign_in(request, flow)

    # -- the end of a sign-in ---------------------------------------------------

    def finish(self, flow, request, session):
        kind, params = flow["kind"], flow["params"]
        user = self.user_named(session["username"])
        if kind == "myapps":
            code = secrets.token_urlsafe(48)
            keys = self.realm_keys(TENANT_ID)
            issued = int(now())
            id_token = keycloak_emulator.sign_jwt(keys.jwk, keys.kid, {
                "aud": MYAPPS_CLIENT_ID, "iss": f"https://sts.windows.net/{TENANT_ID}/",
                "iat": issued, "nbf": issued, "exp": issued + 3600, "nonce": params["nonce"],
                "upn": user["username"], "unique_name": user["username"],
                "oid": object_id(user), "sub": object_id(user), "tid": TENANT_ID, "ver": "1.0",
                "c_hash": keycloak_emulator.b64url(secrets.token_bytes(16))})
            fields = [("code", code), ("id_token", id_token), ("state", params["state"]),
                      ("session_state", session["id"][:36])]
            return hidden_form_page(params["redirect_uri"], fields)
        if kind == "saml":
            app = self.app_with_id(params["app_id"])
            context = AssertionContext(self, request)
            assertion = context.saml_response(app, session)
            fields = [("SAMLResponse", assertion)]
            if params["relay_state"]:
                fields.append(("RelayState", params["relay_state"]))
            return hidden_form_page(app["acs_url"], fields)
        code = secrets.token_urlsafe(64)
        client = self.oidc_client(params["client_id"])
        with self.lock:
            self.codes[code] = dict(params, username=session["username"],
                                    expires=now() + client["code_seconds"], session=session["id"])
        return redirect(with_query(params["redirect_uri"], [
            ("code", code), ("state", params["state"]), ("session_state", session["id"][:36])]))

    # -- OIDC v2 token, keys, discovery ----------------------------------------

    def oidc_client(self, client_id):
        return next((c for c in self.config["oidc_clients"] if c["client_id"] == client_id), None)

    def issuer(self, request):
        return f"{base(request)}/{TENANT_ID}/v2.0"

    def oidc_token(self, request):
        form = request.form
        client = self.oidc_client(form.get("client_id"))
        if client is None:
            return token_error(400, "unauthorized_client", 700016,
                               f"Application with identifier '{form.get('client_id')}' was not "
                               "found in the directory.")
        if not client["public"] and not form.get("client_secret"):
            return token_error(401, "invalid_client", 7000218, "The request body must contain "
                               "the following parameter: 'client_assertion' or 'client_secret'.")
        if form.get("grant_type") != "authorization_code":
            return token_error(400, "unsupported_grant_type", 70003,
                               "The app requested an unsupported grant type.")
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)
        if grant is None:
            return token_error(400, "invalid_grant", 54005, "OAuth2 Authorization code was "
                               "already redeemed or is not valid.")
        if grant["expires"] < now():
            return token_error(400, "invalid_grant", 70008, "The provided authorization code "
                               "or refresh token has expired.")
        if grant["client_id"] != client["client_id"] or grant["redirect_uri"] != form.get("redirect_uri"):
            return token_error(400, "invalid_grant", 50011, "The redirect URI does not match.")
        verifier = form.get("code_verifier") or ""
        if grant["challenge"] and not secrets.compare_digest(
                keycloak_emulator.pkce_challenge(verifier), grant["challenge"]):
            return token_error(400, "invalid_grant", 50148, "The code_verifier does not match "
                               "the code_challenge supplied in the authorization request.")
        user = self.user_named(grant["username"])
        keys = self.realm_keys(TENANT_ID)
        issued = int(now())
        claims = {"aud": client["client_id"], "iss": self.issuer(request), "iat": issued,
                  "nbf": issued, "exp": issued + client["token_seconds"],
                  "name": user["display_name"] or user["username"], "oid": object_id(user),
                  "preferred_username": user["username"], "email": user["email"],
                  "sub": keycloak_emulator.b64url(object_id(user).encode())[:43],
                  "tid": TENANT_ID, "uti": secrets.token_urlsafe(16), "ver": "2.0",
                  "rh": "0.AQ" + secrets.token_urlsafe(20)}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        access = keycloak_emulator.sign_jwt(keys.jwk, keys.kid, {
            "aud": "00000003-0000-0000-c000-000000000000", "iss": f"https://sts.windows.net/{TENANT_ID}/",
            "iat": issued, "exp": claims["exp"], "scp": "openid profile", "tid": TENANT_ID,
            "oid": claims["oid"], "appid": client["client_id"]})
        response = json_response(200, {
            "token_type": "Bearer", "scope": grant["scope"], "expires_in": client["token_seconds"],
            "ext_expires_in": client["token_seconds"], "access_token": access,
            "id_token": keycloak_emulator.sign_jwt(keys.jwk, keys.kid, claims)})
        response.headers["Cache-Control"] = "no-store, no-cache"
        return response

    def keys_document(self, request):
        key = dict(self.realm_keys(TENANT_ID).public_jwk(), issuer=self.issuer(request))
        return json_response(200, {"keys": [key]})

    def discovery(self, request):
        issuer, root = self.issuer(request), f"{base(request)}/{TENANT_ID}"
        return json_response(200, {
            "issuer": issuer, "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "tenant_region_scope": "EU", "cloud_instance_name": "microsoftonline.com"})

    # -- control API ----------------------------------------------------------

    def control(self, request):
        path, method = request.path, request.method
        body = keycloak_emulator.control_body(request)
        replaced = keycloak_emulator.replace_config_or_faults(
            self, request, body, normalise_config, FAULT_DEFAULTS, ("approve", "deny", "timeout", "wait"))
        if replaced is not None:
            return replaced
        if (method, path) == ("GET", "/_emulator/sessions"):
            with self.lock:
                rows = [dict(s) for s in self.sessions.values()]
            return json_response(200, rows)
        if (method, path) == ("POST", "/_emulator/end_sessions"):
            username = (body.get("username") or "").lower() or None
            with self.lock:
                ended = 0
                for table in (self.sessions, self.myapps_sessions):
                    for key in [k for k, s in table.items() if username in (None, s["username"])]:
                        del table[key]
                        ended += 1
            return json_response(200, {"ended": ended})
        if (method, path) == ("GET", "/_emulator/otp"):
            user = self.user_named(request.args.get("username"))
            method_ = next((m for m in user["methods"] if m["secret"] or m["code"]), None) if user else None
            if method_ is None:
                return json_response(404, {"error": "no such user with a code method"})
            return json_response(200, {"code": method_["code"] or pyotp.TOTP(method_["secret"]).now()})
        if (method, path) == ("GET", "/_emulator/certificate"):
            return Response(self.realm_keys(TENANT_ID).cert_pem, status=200,
                            content_type="application/x-pem-file")
        # Reading the config and faults, the request log, the counts and reset work as
        # keycloak_emulator's.
        return keycloak_emulator.Emulator.control(self, request)


class AssertionContext(keycloak_emulator.Context):
    """keycloak_emulator's SAML signing, with Entra's issuer and the tenant's key."""

    def __init__(self, emulator, request):
        super().__init__(emulator, request, {"name": TENANT_ID, "users": emulator.config["users"]},
                         "", [])

    def issuer(self):
        return f"https://sts.windows.net/{TENANT_ID}/"


def object_id(user):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"entra:{TENANT_ID}:{user['username']}"))


def with_query(uri, params):
    return uri + ("&" if "?" in uri else "?") + urlencode([(k, v) for k, v in params if v is not None])


def redirect(location):
    response = Response("", status=302)
    response.headers["Location"] = location
    return response


def hidden_form_page(action, fields):
    """Entra's auto-submitting form: the OIDC form_post to MyApps, or the SAMLResponse to AWS."""
    # Values entity-escaped beyond html.escape ("+", "="), so clients must decode them.
    inputs = "".join(f'<input type="hidden" name="{html.escape(name)}" '
                     f'value="{html.escape(value).replace("+", "&#43;").replace("=", "&#x3d;")}" />'
                     for name, value in fields)
    page = ('<html><head><title>Working...</title></head><body>'
            f'<form method="POST" name="hiddenform" action="{html.escape(action)}">{inputs}'
            '<noscript><p>Script is disabled. Click Submit to continue.</p>'
            '<input type="submit" value="Submit" /></noscript></form>'
            '<script language="javascript">window.setTimeout(\'document.forms[0].submit()\', 0);'
            '</script></body></html>')
    response = Response(page, status=200, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store, no-cache"
    return response


def unexpected_page():
    """A page no client has been taught: no $Config, no form, no SAMLResponse."""
    return html_page(200, "Action required",
                     "<h1>Action required</h1><p>Your organization needs more information to "
                     "keep your account secure. Open https://aka.ms/mysecurityinfo to continue."
                     "</p>")


def token_error(status, error, code, description):
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    response = json_response(status, {
        "error": error, "error_description": f"AADSTS{code}: {description} Trace ID: {trace} "
                                             f"Correlation ID: {correlation} Timestamp: {stamp}",
        "error_codes": [code], "timestamp": stamp, "trace_id": trace,
        "correlation_id": correlation, "error_uri": f"https://login.microsoftonline.com/error?code={code}"})
    response.headers["Cache-Control"] = "no-store, no-cache"
    return response


def main():
    loopback_server.main("entra_emulator", __doc__.splitlines()[0], Emulator, normalise_config,
                         (ConfigError,))


if __name__ == "__main__":
    main()
