#!/usr/bin/env python3
"""Loopback IAM Identity Center (SSO) emulator for aws-runas integration tests.

One HTTP server on 127.0.0.1 that answers, on the same port:

* SSO-OIDC (botocore service "sso-oidc", REST-JSON, unsigned):
    POST /client/register        RegisterClient
    POST /device_authorization   StartDeviceAuthorization
    POST /token                  CreateToken, grantType one of
        urn:ietf:params:oauth:grant-type:device_code  (deviceCode)
        refresh_token                                 (refreshToken; the old one is
                                                       rotated out, a new one returned)
        authorization_code                            (code, redirectUri, codeVerifier; PKCE S256)
    GET  /authorize              the authorization endpoint for authorization_code clients
                                 (response_type=code, client_id, redirect_uri, state,
                                 code_challenge, code_challenge_method=S256, scopes): a 302 to
                                 redirect_uri?code=..&state=.. (or error=access_denied, see
                                 settings "authorize")
  Errors: status from the model (400; InvalidClientException 401; InternalServerException 500),
  header x-amzn-ErrorType: <Name>Exception, body {"error": "...", "error_description": "..."}
  with the OAuth code: authorization_pending, slow_down, expired_token, access_denied,
  invalid_grant, invalid_client, unauthorized_client, unsupported_grant_type, invalid_scope,
  invalid_request, invalid_client_metadata, invalid_redirect_uri, server_error.
  Refresh tokens are issued only to clients registered with scopes (sso-session configs).
  A device code is single-use: the first CreateToken after approval gets the token, later ones
  get InvalidGrantException. Unknown/mismatched clientId/clientSecret or an expired
  registration get InvalidClientException.

* SSO portal (botocore service "sso", REST-JSON, header x-amz-sso_bearer_token):
    GET  /federation/credentials?role_name=R&account_id=A   GetRoleCredentials
         -> {"roleCredentials": {accessKeyId, secretAccessKey, sessionToken,
                                 expiration (epoch milliseconds)}}
    GET  /assignment/accounts?next_token=&max_result=       ListAccounts (paginated)
    GET  /assignment/roles?account_id=A&next_token=&max_result=   ListAccountRoles (paginated)
    POST /logout                                            Logout (revokes the access token
                                                            and the refresh token of its grant)
  Errors: header x-amzn-ErrorType, body {"message": "..."}: 400 InvalidRequestException
  (missing parameter, max_result outside 1..100, bad next_token), 401 UnauthorizedException
  (missing/unknown/expired/revoked token: "Session token not found or invalid"),
  404 ResourceNotFoundException (account or role not assigned: "No access"),
  429 TooManyRequestsException (only when injected with /_emulator/fault).
  Page size when max_result is absent: settings "page_size" (default 2, so the default
  directory needs several pages).

* AWS sign-in federation endpoint (console sign-in URLs), GET or POST (query or form):
    /federation?Action=getSigninToken[&SessionDuration=900..43200][&SessionType=json]
               &Session={"sessionId": AKID, "sessionKey": secret, "sessionToken": token}
         -> 200 {"SigninToken": "..."}   (valid 15 minutes, settings "signin_token_seconds")
         -> 400 text/html "Invalid credentials parameter" when Session is not that JSON (three
            non-empty strings), the credentials are refused (below), or SessionDuration is
            outside 900..43200 or given with GetFederationToken credentials.
    /federation?Action=login&Issuer=..&Destination=<url>&SigninToken=..
         -> 302 Location: Destination (Set-Cookie aws-signin-emulator=...) for a valid, unused,
            unexpired token; 400 text/html page otherwise.
  Credentials minted by GetRoleCredentials are checked exactly (secret, token, expiry). Others
  only with --sts-url, through moto's GetCallerIdentity: an assumed role is accepted; an IAM
  user's long-term key is refused; a key moto does not know (moto does not track
  GetFederationToken/GetSessionToken keys, all AKIAIOSFODNN7EXAMPLE) is taken for federation
  token credentials, which must come without SessionDuration. Without --sts-url any other
  well-formed Session is accepted (principal "unverified").

* The device verification page (the "browser"): GET /device/?user_code=X shows an HTML page
  with Approve/Deny buttons, POST /device/ (form user_code, decision=approve|deny) decides.

Role credentials: with --sts-url URL (Tests/Support/sts_emulator.py or moto_server), each
GetRoleCredentials creates the IAM role arn:aws:iam::<account>:role/<roleName> in moto (account
chosen with moto's x-moto-account-id header) if missing and calls moto STS AssumeRole on it
(RoleSessionName = the directory's "user"), so `aws sts get-caller-identity` with them prints
arn:aws:sts::<account>:assumed-role/<roleName>/<user>. Those calls carry the sts_emulator's
X-Sts-Emulator-Internal header (not counted, no faults, no MFA check) and are signed with
--sts-access-key/--sts-secret-key (default "testing"; pass a real moto user's keys when the
test switched moto's signature checking on). Without --sts-url the credentials are random.
The reported expiration is now + settings "role_credentials_seconds" either way.

Control endpoints (JSON, under /_emulator/):
  GET  /_emulator/calls        -> {"CreateToken": 3, "CreateToken.device_code": 3, ...}
       operation names as in the botocore models plus GetSigninToken, Login, Authorize,
       DevicePage; CreateToken also counted per grant as "CreateToken.<device_code|
       refresh_token|authorization_code|other>".
  POST /_emulator/reset        {} clears counters, faults and pending slow-downs;
                               {"everything": true} also forgets clients, authorizations,
                               tokens, settings and the directory (back to the defaults).
  GET  /_emulator/directory    -> the directory; POST it to replace it:
       {"user": "alice@example.com",
        "accounts": [{"accountId": "111111111111", "accountName": "Production",
                      "emailAddress": "aws-prod@example.com",
                      "roles": ["AdministratorAccess", "ReadOnlyAccess"]}, ...]}
  GET  /_emulator/settings     -> current settings; POST a subset to change them:
       access_token_seconds (3600), refresh_token_seconds (7776000),
       registration_seconds (7776000), device_code_seconds (600), interval (1),
       role_credentials_seconds (3600), signin_token_seconds (900), page_size (2),
       rotate_refresh_tokens (true), authorize ("approve" | "deny"), start_url (null = any;
       else StartDeviceAuthorization with another startUrl gets InvalidRequestException),
       allowed_scopes (["sso:account:access", "openid", ...]; others -> InvalidScopeException),
       error_type_suffix ("" ; e.g. "http://internal.amazon.com/coral/com.amazon.sso/" makes
       x-amzn-ErrorType "<Name>Exception:<suffix>" like some AWS services send).
  GET  /_emulator/authorizations[?status=pending]
       -> [{"userCode", "deviceCode", "clientId", "startUrl", "status", "polls",
            "expiresAt"}], oldest first; status pending|approved|denied|consumed|expired
  POST /_emulator/approve      {"user_code": "ABCD-EFGH"} (or {} = the newest pending one)
  POST /_emulator/deny         same; the next CreateToken gets AccessDeniedException
       both -> {"userCode": ...}; 404 {"error"} when there is no such pending authorization
  POST /_emulator/slow_down    {"count": 3}: the next 3 device-code CreateToken polls get
                               SlowDownException (before any other check of the code)
  POST /_emulator/fault        {"operation": "GetRoleCredentials", "status": 429,
                                "code": "TooManyRequestsException", "message": "...",
                                "count": 2, "delay_seconds": 0.5}
       the next `count` calls of the operation (after counting) wait and/or fail with that
       error in the service's error format; "status"/"code" may be left out to only delay.
  POST /_emulator/expire       {"access_token": T} | {"refresh_token": T} |
                               {"client_id": C} (its registration) | {"user_code": U} |
                               {"all_access_tokens": true}
  POST /_emulator/revoke       {"access_token": T} | {"refresh_token": T} | {"all": true}
       expire moves the expiry into the past; revoke makes the token unknown to the service.
  GET  /_emulator/tokens       -> {"access": [{"token", "expiresAt", "revoked", "clientId"}],
                                   "refresh": [...], "clients": [...], "signin": [...]}
                                  ("signin": issued sign-in tokens with their principal ARN,
                                   SessionDuration and whether login used them)

Usage: sso_emulator.py --port 0 [--exit-on-stdin-eof] [--sts-url URL]
                       [--sts-access-key K --sts-secret-key S] [--aws-data-path DIR]
Prints one line "PORT <n>" on stdout once listening.
--aws-data-path DIR writes DIR/{sso,sso-oidc}/2019-06-10/endpoint-rule-set-1.json that send
botocore clients (AWS CLI v2 via AWS_DATA_PATH=DIR) to this emulator; see SSO_EMULATOR.md.
"""

import argparse
import base64
import hashlib
import html
import json
import os
import secrets
import string
import threading
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit, urlunsplit

from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request, Response

import loopback_server

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
STS_INTERNAL_HEADER = "X-Sts-Emulator-Internal"
RAW_HEADERS_KEY = "sso_emulator.raw_headers"

# Exception shape -> (HTTP status, OAuth "error" value), from the sso-oidc model.
OIDC_ERRORS = {
    "AccessDeniedException": (400, "access_denied"),
    "AuthorizationPendingException": (400, "authorization_pending"),
    "ExpiredTokenException": (400, "expired_token"),
    "InternalServerException": (500, "server_error"),
    "InvalidClientException": (401, "invalid_client"),
    "InvalidClientMetadataException": (400, "invalid_client_metadata"),
    "InvalidGrantException": (400, "invalid_grant"),
    "InvalidRedirectUriException": (400, "invalid_redirect_uri"),
    "InvalidRequestException": (400, "invalid_request"),
    "InvalidScopeException": (400, "invalid_scope"),
    "SlowDownException": (400, "slow_down"),
    "UnauthorizedClientException": (400, "unauthorized_client"),
    "UnsupportedGrantTypeException": (400, "unsupported_grant_type"),
}
# Exception shape -> HTTP status, from the sso model.
PORTAL_ERRORS = {
    "InvalidRequestException": 400,
    "UnauthorizedException": 401,
    "ResourceNotFoundException": 404,
    "TooManyRequestsException": 429,
}
OIDC_OPERATIONS = {"RegisterClient", "StartDeviceAuthorization", "CreateToken"}

DEFAULT_DIRECTORY = {
    "user": "alice@example.com",
    "accounts": [
        {"accountId": "111111111111", "accountName": "Production",
         "emailAddress": "aws-production@example.com",
         "roles": ["AdministratorAccess", "ReadOnlyAccess", "Billing"]},
        {"accountId": "222222222222", "accountName": "Staging",
         "emailAddress": "aws-staging@example.com",
         "roles": ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"]},
        {"accountId": "333333333333", "accountName": "Development",
         "emailAddress": "aws-development@example.com",
         "roles": ["AdministratorAccess", "DeveloperAccess", "PowerUserAccess"]},
        {"accountId": "444444444444", "accountName": "Security Audit",
         "emailAddress": "aws-security@example.com",
         "roles": ["SecurityAudit", "ReadOnlyAccess"]},
        {"accountId": "555555555555", "accountName": "Sandbox",
         "emailAddress": "aws-sandbox@example.com",
         "roles": ["AdministratorAccess"]},
    ],
}
DEFAULT_SETTINGS = {
    "access_token_seconds": 3600,
    "refresh_token_seconds": 90 * 86400,
    "registration_seconds": 90 * 86400,
    "device_code_seconds": 600,
    "interval": 1,
    "role_credentials_seconds": 3600,
    "signin_token_seconds": 900,
    "page_size": 2,
    "rotate_refresh_tokens": True,
    "authorize": "approve",
    "start_url": None,
    "allowed_scopes": ["sso:account:access", "openid", "codewhisperer:completions",
                       "codewhisperer:analysis", "codewhisperer:conversations"],
    "error_type_suffix": "",
}
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"


class RawHeadersHandler(WSGIRequestHandler):
    """Werkzeug's server drops headers with "_" in their names (anti-spoofing), but the portal's
    bearer header is x-amz-sso_bearer_token: keep the raw headers in the environ too."""

    def make_environ(self):
        environ = super().make_environ()
        environ[RAW_HEADERS_KEY] = self.headers
        return environ


class ServiceError(Exception):
    """An error answered in the format of the service that raised it."""

    def __init__(self, code, description):
        super().__init__(description)
        self.code = code
        self.description = description


def now():
    return time.time()


def iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def random_key(prefix, length):
    alphabet = string.ascii_uppercase + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def user_code():
    letters = [secrets.choice(USER_CODE_ALPHABET) for _ in range(8)]
    return "".join(letters[:4]) + "-" + "".join(letters[4:])


def pkce_challenge(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def json_response(status, value, headers=None):
    response = Response(json.dumps(value), status=status, content_type="application/json")
    for name, header_value in (headers or {}).items():
        response.headers[name] = header_value
    return response


def html_response(status, title, body):
    page = (f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1>{body}</body></html>")
    return Response(page, status=status, content_type="text/html; charset=utf-8")


def same_redirect_uri(registered, given):
    """RFC 8252 §7.3: loopback redirect URIs match whatever the port."""
    a, b = urlsplit(registered), urlsplit(given)
    if a.hostname in ("127.0.0.1", "localhost", "::1") and a.hostname == b.hostname:
        return (a.scheme, a.path) == (b.scheme, b.path)
    return registered == given


class StsBridge:
    """Mints role credentials in moto (create the role if missing, then AssumeRole)."""

    def __init__(self, url, access_key, secret_key):
        import boto3  # only needed with --sts-url
        self.url = url
        self.session = boto3.session.Session(aws_access_key_id=access_key,
                                             aws_secret_access_key=secret_key)
        self.sts = self.client("sts")
        self.iam_clients = {}
        self.known_roles = set()
        self.lock = threading.Lock()

    def client(self, service, account=None):
        client = self.session.client(service, endpoint_url=self.url, region_name="us-east-1")

        def add_headers(request, **_):
            request.headers[STS_INTERNAL_HEADER] = "1"
            if account is not None:
                request.headers["x-moto-account-id"] = account

        client.meta.events.register(f"before-sign.{service}.*", add_headers)
        return client

    def ensure_role(self, account, role):
        key = (account, role)
        with self.lock:
            if key in self.known_roles:
                return
            iam = self.iam_clients.get(account)
            if iam is None:
                iam = self.iam_clients[account] = self.client("iam", account)
        try:
            iam.get_role(RoleName=role)
        except iam.exceptions.NoSuchEntityException:
            trust = {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Principal": {"Federated": f"arn:aws:iam::{account}:saml-provider/AWSSSO"}}]}
            try:
                iam.create_role(RoleName=role, Path="/",
                                AssumeRolePolicyDocument=json.dumps(trust))
            except iam.exceptions.EntityAlreadyExistsException:
                pass
        with self.lock:
            self.known_roles.add(key)

    def assume(self, account, role, session_name, seconds):
        self.ensure_role(account, role)
        answer = self.sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}",
                                      RoleSessionName=session_name,
                                      DurationSeconds=max(900, int(seconds)))
        return answer["Credentials"]

    def caller_arn(self, access_key, secret_key, session_token):
        import boto3
        from botocore.exceptions import ClientError
        sts = boto3.session.Session().client(
            "sts", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=access_key,
            aws_secret_access_key=secret_key, aws_session_token=session_token)
        sts.meta.events.register("before-sign.sts.*",
                                 lambda request, **_: request.headers.__setitem__(
                                     STS_INTERNAL_HEADER, "1"))
        try:
            return sts.get_caller_identity()["Arn"]
        except ClientError:
            return None


class Emulator:
    """WSGI application: the three AWS surfaces plus the /_emulator/ control API."""

    def __init__(self, sts_bridge=None):
        self.sts = sts_bridge
        self.lock = threading.Lock()
        self.reset_everything()

    def reset_everything(self):
        self.settings = json.loads(json.dumps(DEFAULT_SETTINGS))
        self.directory = json.loads(json.dumps(DEFAULT_DIRECTORY))
        self.clients = {}          # clientId -> registration
        self.authorizations = []   # device authorizations, oldest first
        self.codes = {}            # authorization code -> grant request
        self.access_tokens = {}    # token -> {"expiresAt", "revoked", "clientId", "grant"}
        self.refresh_tokens = {}   # token -> {"expiresAt", "revoked", "clientId", "scopes", "grant"}
        self.minted = {}           # accessKeyId -> minted role credentials
        self.signin_tokens = {}    # SigninToken -> record
        self.reset_counters()

    def reset_counters(self):
        self.calls = {}
        self.faults = {}
        self.slow_downs = 0

    # -- WSGI entry point ---------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception as error:  # an emulator bug: make it visible to the test
            response = json_response(500, {"error": f"{type(error).__name__}: {error}"})
        return response(environ, start_response)

    def dispatch(self, request):
        path, method = request.path, request.method
        if path.startswith("/_emulator/"):
            return self.control(request)
        if path == "/federation":
            return self.federation(request)
        if path in ("/device", "/device/"):
            return self.device_page(request)
        if (method, path) == ("GET", "/authorize"):
            self.count("Authorize")
            return self.authorize(request)
        routes = {
            ("POST", "/client/register"): ("RegisterClient", self.register_client),
            ("POST", "/device_authorization"): ("StartDeviceAuthorization",
                                                self.start_device_authorization),
            ("POST", "/token"): ("CreateToken", self.create_token),
            ("GET", "/federation/credentials"): ("GetRoleCredentials", self.get_role_credentials),
            ("GET", "/assignment/accounts"): ("ListAccounts", self.list_accounts),
            ("GET", "/assignment/roles"): ("ListAccountRoles", self.list_account_roles),
            ("POST", "/logout"): ("Logout", self.logout),
        }
        route = routes.get((method, path))
        if route is None:
            return json_response(404, {"message": f"No route for {method} {path}"},
                                 {"x-amzn-ErrorType": "UnknownOperationException"})
        operation, handler = route
        self.count(operation)
        fault = self.take_fault(operation)
        try:
            if fault:
                time.sleep(fault.get("delay_seconds") or 0)
                if fault.get("status") or fault.get("code"):
                    return self.error_response(operation, fault.get("code", "InternalServerException"),
                                               fault.get("message", "Injected fault"),
                                               fault.get("status"))
            return handler(request)
        except ServiceError as error:
            return self.error_response(operation, error.code, error.description)

    def count(self, name):
        with self.lock:
            self.calls[name] = self.calls.get(name, 0) + 1

    def take_fault(self, operation):
        with self.lock:
            queue = self.faults.get(operation)
            if not queue:
                return None
            fault = queue[0]
            fault["count"] -= 1
            if fault["count"] <= 0:
                queue.pop(0)
            return fault

    def error_response(self, operation, code, description, status=None):
        error_type = code
        if self.settings["error_type_suffix"]:
            error_type = f"{code}:{self.settings['error_type_suffix']}"
        headers = {"x-amzn-ErrorType": error_type, "x-amzn-RequestId": str(uuid.uuid4())}
        if operation in OIDC_OPERATIONS:
            default_status, oauth_code = OIDC_ERRORS.get(code, (500, "server_error"))
            body = {"error": oauth_code, "error_description": description}
        else:
            default_status = PORTAL_ERRORS.get(code, 500)
            body = {"message": description}
        return json_response(int(status or default_status), body, headers)

    @staticmethod
    def ok(value):
        return json_response(200, value, {"x-amzn-RequestId": str(uuid.uuid4())})

    # -- SSO-OIDC -----------------------------------------------------------

    @staticmethod
    def json_body(request):
        raw = request.get_data()
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise ServiceError("InvalidRequestException", "Request body is not valid JSON")
        if not isinstance(body, dict):
            raise ServiceError("InvalidRequestException", "Request body must be a JSON object")
        return body

    @staticmethod
    def require(body, *names):
        for name in names:
            if not isinstance(body.get(name), str) or not body[name]:
                raise ServiceError("InvalidRequestException", f"{name} is required")

    def register_client(self, request):
        body = self.json_body(request)
        self.require(body, "clientName", "clientType")
        if body["clientType"] != "public":
            raise ServiceError("InvalidClientMetadataException",
                               f"Invalid client type: {body['clientType']}")
        scopes = body.get("scopes") or []
        for scope in scopes:
            if scope not in self.settings["allowed_scopes"]:
                raise ServiceError("InvalidScopeException", f"Invalid scope: {scope}")
        grant_types = body.get("grantTypes") or []
        for grant in grant_types:
            if grant not in ("authorization_code", "refresh_token", DEVICE_GRANT):
                raise ServiceError("UnsupportedGrantTypeException", f"Unsupported grant: {grant}")
        redirect_uris = body.get("redirectUris") or []
        if "authorization_code" in grant_types and not redirect_uris:
            raise ServiceError("InvalidRequestException",
                               "redirectUris is required for the authorization_code grant")
        for uri in redirect_uris:
            if urlsplit(uri).scheme not in ("http", "https"):
                raise ServiceError("InvalidRedirectUriException", f"Invalid redirect URI: {uri}")
        issued = int(now())
        client = {
            "clientId": secrets.token_urlsafe(16),
            "clientSecret": "eyJraWQiOiJrZXktZW11bGF0b3IifQ." + secrets.token_urlsafe(300),
            "clientIdIssuedAt": issued,
            "clientSecretExpiresAt": issued + int(self.settings["registration_seconds"]),
            "clientName": body["clientName"],
            "scopes": scopes,
            "grantTypes": grant_types,
            "redirectUris": redirect_uris,
        }
        with self.lock:
            self.clients[client["clientId"]] = client
        answer = {key: client[key] for key in
                  ("clientId", "clientSecret", "clientIdIssuedAt", "clientSecretExpiresAt")}
        if "authorization_code" in grant_types:
            base = request.host_url.rstrip("/")
            answer["authorizationEndpoint"] = f"{base}/authorize"
            answer["tokenEndpoint"] = f"{base}/token"
        return self.ok(answer)

    def check_client(self, body):
        self.require(body, "clientId", "clientSecret")
        with self.lock:
            client = self.clients.get(body["clientId"])
        if client is None or not secrets.compare_digest(client["clientSecret"],
                                                        body["clientSecret"]):
            raise ServiceError("InvalidClientException", "Invalid client credentials")
        if client["clientSecretExpiresAt"] <= now():
            raise ServiceError("InvalidClientException", "Client registration has expired")
        return client

    def start_device_authorization(self, request):
        body = self.json_body(request)
        client = self.check_client(body)
        self.require(body, "startUrl")
        wanted = self.settings["start_url"]
        if wanted is not None and body["startUrl"].rstrip("/") != wanted.rstrip("/"):
            raise ServiceError("InvalidRequestException", "Invalid start URL")
        code = user_code()
        base = request.host_url.rstrip("/")
        authorization = {
            "deviceCode": secrets.token_urlsafe(48),
            "userCode": code,
            "clientId": client["clientId"],
            "startUrl": body["startUrl"],
            "status": "pending",
            "polls": 0,
            "expiresAt": now() + int(self.settings["device_code_seconds"]),
            "scopes": client["scopes"],
        }
        with self.lock:
            self.authorizations.append(authorization)
        return self.ok({
            "deviceCode": authorization["deviceCode"],
            "userCode": code,
            "verificationUri": f"{base}/device/",
            "verificationUriComplete": f"{base}/device/?{urlencode({'user_code': code})}",
            "expiresIn": int(self.settings["device_code_seconds"]),
            "interval": int(self.settings["interval"]),
        })

    def create_token(self, request):
        body = self.json_body(request)
        grant = body.get("grantType")
        kind = {DEVICE_GRANT: "device_code", "refresh_token": "refresh_token",
                "authorization_code": "authorization_code"}.get(grant, "other")
        self.count(f"CreateToken.{kind}")
        client = self.check_client(body)
        self.require(body, "grantType")
        if kind == "device_code":
            return self.token_for_device_code(client, body)
        if kind == "refresh_token":
            return self.token_for_refresh_token(client, body)
        if kind == "authorization_code":
            return self.token_for_code(client, body)
        raise ServiceError("UnsupportedGrantTypeException", f"Unsupported grant type: {grant}")

    def token_for_device_code(self, client, body):
        self.require(body, "deviceCode")
        with self.lock:
            if self.slow_downs > 0:
                self.slow_downs -= 1
                raise ServiceError("SlowDownException", "Client is polling too quickly")
            authorization = next((a for a in self.authorizations
                                  if a["deviceCode"] == body["deviceCode"]), None)
            if authorization is None or authorization["clientId"] != client["clientId"]:
                raise ServiceError("InvalidGrantException", "Invalid device code provided")
            authorization["polls"] += 1
            if authorization["status"] == "consumed":
                raise ServiceError("InvalidGrantException", "Device code has already been used")
            if authorization["expiresAt"] <= now():
                authorization["status"] = "expired"
                raise ServiceError("ExpiredTokenException", "Device code has expired")
            if authorization["status"] == "denied":
                raise ServiceError("AccessDeniedException", "Authorization was denied by the user")
            if authorization["status"] == "pending":
                raise ServiceError("AuthorizationPendingException",
                                   "Authorization is still pending")
            authorization["status"] = "consumed"
            return self.issue_tokens(client, client["scopes"])

    def token_for_refresh_token(self, client, body):
        self.require(body, "refreshToken")
        with self.lock:
            record = self.refresh_tokens.get(body["refreshToken"])
            if (record is None or record["revoked"] or record["clientId"] != client["clientId"]
                    or record["expiresAt"] <= now()):
                raise ServiceError("InvalidGrantException", "Invalid refresh token provided")
            if self.settings["rotate_refresh_tokens"]:
                record["revoked"] = True
            return self.issue_tokens(client, record["scopes"], reuse_refresh=(
                None if self.settings["rotate_refresh_tokens"] else body["refreshToken"]))

    def token_for_code(self, client, body):
        self.require(body, "code", "redirectUri", "codeVerifier")
        with self.lock:
            grant = self.codes.pop(body["code"], None)
            if (grant is None or grant["clientId"] != client["clientId"]
                    or grant["expiresAt"] <= now()):
                raise ServiceError("InvalidGrantException", "Invalid authorization code provided")
            if grant["redirectUri"] != body["redirectUri"]:
                raise ServiceError("InvalidGrantException", "redirectUri does not match")
            if pkce_challenge(body["codeVerifier"]) != grant["codeChallenge"]:
                raise ServiceError("InvalidGrantException", "Invalid code verifier")
            return self.issue_tokens(client, grant["scopes"] or client["scopes"])

    def issue_tokens(self, client, scopes, reuse_refresh=None):
        """Caller holds self.lock."""
        grant = uuid.uuid4().hex
        access = "aoa" + secrets.token_urlsafe(120)
        lifetime = int(self.settings["access_token_seconds"])
        self.access_tokens[access] = {"expiresAt": now() + lifetime, "revoked": False,
                                      "clientId": client["clientId"], "grant": grant}
        answer = {"accessToken": access, "tokenType": "Bearer", "expiresIn": lifetime}
        if scopes:
            refresh = reuse_refresh or "aor" + secrets.token_urlsafe(120)
            if reuse_refresh:
                self.refresh_tokens[refresh]["grant"] = grant
            else:
                self.refresh_tokens[refresh] = {
                    "expiresAt": now() + int(self.settings["refresh_token_seconds"]),
                    "revoked": False, "clientId": client["clientId"], "scopes": scopes,
                    "grant": grant}
            answer["refreshToken"] = refresh
        return self.ok(answer)

    def authorize(self, request):
        args = request.args
        with self.lock:
            client = self.clients.get(args.get("client_id", ""))
        redirect_uri = args.get("redirect_uri", "")
        if client is None or not any(same_redirect_uri(uri, redirect_uri)
                                     for uri in client["redirectUris"]):
            return html_response(400, "Invalid request",
                                 "<p>Unknown client or redirect URI.</p>")
        state = args.get("state")
        params = {}
        if args.get("response_type") != "code":
            params["error"] = "unsupported_response_type"
        elif args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            params["error"] = "invalid_request"
        elif self.settings["authorize"] == "deny":
            params["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(32)
            scopes = [s for s in args.get("scopes", "").replace(",", " ").split() if s]
            with self.lock:
                self.codes[code] = {"clientId": client["clientId"], "redirectUri": redirect_uri,
                                    "codeChallenge": args["code_challenge"],
                                    "scopes": scopes, "expiresAt": now() + 300}
            params["code"] = code
        if state is not None:
            params["state"] = state
        parts = urlsplit(redirect_uri)
        query = (parts.query + "&" if parts.query else "") + urlencode(params)
        location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        return Response("", status=302, headers={"Location": location})

    # -- device verification page (the user's browser) -----------------------

    def device_page(self, request):
        self.count("DevicePage")
        if request.method == "POST":
            code = request.form.get("user_code", "")
            decision = request.form.get("decision", "approve")
            if self.decide(code, decision == "approve") is None:
                return html_response(404, "Unknown code",
                                     "<p>No pending request has this code.</p>")
            title = "Request approved" if decision == "approve" else "Request denied"
            return html_response(200, title, "<p>You can close this window.</p>")
        code = request.args.get("user_code", "")
        field = html.escape(code, quote=True)
        form = (f'<form method="post" action="/device/"><p>Code: <input name="user_code" '
                f'value="{field}"></p><button name="decision" value="approve">Allow</button> '
                f'<button name="decision" value="deny">Deny</button></form>')
        return html_response(200, "Authorize request", form)

    def decide(self, code, approve):
        with self.lock:
            pending = [a for a in self.authorizations
                       if a["status"] == "pending" and a["expiresAt"] > now()]
            if code:
                pending = [a for a in pending if a["userCode"] == code.upper()]
            if not pending:
                return None
            authorization = pending[-1]
            authorization["status"] = "approved" if approve else "denied"
            return authorization["userCode"]

    # -- SSO portal ----------------------------------------------------------

    def bearer(self, request):
        raw_headers = request.environ.get(RAW_HEADERS_KEY)
        token = (raw_headers.get("x-amz-sso_bearer_token", "") if raw_headers is not None
                 else request.headers.get("x-amz-sso_bearer_token", ""))
        with self.lock:
            record = self.access_tokens.get(token)
            if record is None or record["revoked"] or record["expiresAt"] <= now():
                raise ServiceError("UnauthorizedException", "Session token not found or invalid")
            return token, record

    def account(self, account_id):
        for account in self.directory["accounts"]:
            if account["accountId"] == account_id:
                return account
        return None

    @staticmethod
    def required_arg(request, name):
        value = request.args.get(name)
        if not value:
            raise ServiceError("InvalidRequestException", f"{name} is required")
        return value

    def page(self, request, items, scope):
        raw_size = request.args.get("max_result")
        size = int(self.settings["page_size"])
        if raw_size is not None:
            if not raw_size.isdigit() or not 1 <= int(raw_size) <= 100:
                raise ServiceError("InvalidRequestException",
                                   "max_result must be between 1 and 100")
            size = int(raw_size)
        start = 0
        token = request.args.get("next_token")
        if token:
            try:
                decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
                if decoded["scope"] != scope:
                    raise ValueError("token of another listing")
                start = int(decoded["offset"])
            except (ValueError, KeyError, TypeError):
                raise ServiceError("InvalidRequestException", "Invalid next_token")
        chunk = items[start:start + size]
        next_token = None
        if start + size < len(items):
            next_token = base64.urlsafe_b64encode(json.dumps(
                {"scope": scope, "offset": start + size, "nonce": secrets.token_hex(4)}
            ).encode()).decode()
        return chunk, next_token

    def list_accounts(self, request):
        self.bearer(request)
        accounts = [{"accountId": a["accountId"], "accountName": a["accountName"],
                     "emailAddress": a["emailAddress"]} for a in self.directory["accounts"]]
        chunk, next_token = self.page(request, accounts, "accounts")
        answer = {"accountList": chunk}
        if next_token:
            answer["nextToken"] = next_token
        return self.ok(answer)

    def list_account_roles(self, request):
        self.bearer(request)
        account_id = self.required_arg(request, "account_id")
        account = self.account(account_id)
        if account is None:
            raise ServiceError("ResourceNotFoundException", "No access")
        roles = [{"roleName": role, "accountId": account_id} for role in account["roles"]]
        chunk, next_token = self.page(request, roles, f"roles:{account_id}")
        answer = {"roleList": chunk}
        if next_token:
            answer["nextToken"] = next_token
        return self.ok(answer)

    def get_role_credentials(self, request):
        self.bearer(request)
        role = self.required_arg(request, "role_name")
        account_id = self.required_arg(request, "account_id")
        account = self.account(account_id)
        if account is None or role not in account["roles"]:
            raise ServiceError("ResourceNotFoundException", "No access")
        seconds = int(self.settings["role_credentials_seconds"])
        expiration = now() + seconds
        if self.sts is not None:
            minted = self.sts.assume(account_id, role, self.directory["user"], seconds)
            credentials = {"accessKeyId": minted["AccessKeyId"],
                           "secretAccessKey": minted["SecretAccessKey"],
                           "sessionToken": minted["SessionToken"]}
        else:
            credentials = {"accessKeyId": random_key("ASIA", 16),
                           "secretAccessKey": secrets.token_urlsafe(30)[:40],
                           "sessionToken": "IQoJb3JpZ2luX2VjE" + secrets.token_urlsafe(300)}
        credentials["expiration"] = int(expiration * 1000)
        with self.lock:
            self.minted[credentials["accessKeyId"]] = dict(
                credentials, expiresAt=expiration,
                arn=f"arn:aws:sts::{account_id}:assumed-role/{role}/{self.directory['user']}")
        return self.ok({"roleCredentials": credentials})

    def logout(self, request):
        _, record = self.bearer(request)
        with self.lock:
            record["revoked"] = True
            for refresh in self.refresh_tokens.values():
                if refresh["grant"] == record["grant"]:
                    refresh["revoked"] = True
        return Response("", status=200, headers={"x-amzn-RequestId": str(uuid.uuid4())})

    # -- sign-in federation endpoint -----------------------------------------

    def federation(self, request):
        params = dict(request.args.items())
        if request.method == "POST":
            params.update(request.form.items())
        action = params.get("Action", "")
        if action == "getSigninToken":
            self.count("GetSigninToken")
            return self.get_signin_token(params)
        if action == "login":
            self.count("Login")
            return self.signin_login(params)
        return html_response(400, "Bad Request", "<p>Unsupported Action.</p>")

    @staticmethod
    def invalid_credentials():
        return html_response(400, "Invalid credentials parameter",
                             "<p>The request sent by the client was syntactically incorrect.</p>")

    def get_signin_token(self, params):
        try:
            session = json.loads(params.get("Session", ""))
            key, secret, token = (session["sessionId"], session["sessionKey"],
                                  session["sessionToken"])
            if not all(isinstance(v, str) and v for v in (key, secret, token)):
                raise ValueError("empty credential")
        except (ValueError, KeyError, TypeError):
            return self.invalid_credentials()
        duration = params.get("SessionDuration")
        if duration is not None and (not duration.isdigit()
                                     or not 900 <= int(duration) <= 43200):
            return self.invalid_credentials()
        with self.lock:
            minted = self.minted.get(key)
        arn = None
        if minted is not None:
            if (minted["secretAccessKey"] == secret and minted["sessionToken"] == token
                    and minted["expiresAt"] > now()):
                arn = minted["arn"]
        elif self.sts is None:
            arn = "unverified"  # nothing to check against
        else:
            # moto tracks AssumeRole* keys (GetCallerIdentity names the role) and IAM users'
            # keys (":user/<name>", long-term: refused), but not GetSessionToken or
            # GetFederationToken ones (always AKIAIOSFODNN7EXAMPLE; moto's default ":user/moto").
            arn = self.sts.caller_arn(key, secret, token) or ""
            if arn.endswith(":user/moto"):
                arn = "arn:aws:sts::unknown:federated-user/unverified"
            elif ":assumed-role/" not in arn:
                arn = None
        if arn is None or (duration is not None and ":federated-user/" in arn):
            return self.invalid_credentials()
        signin = secrets.token_urlsafe(200)
        with self.lock:
            self.signin_tokens[signin] = {
                "principal": arn, "sessionDuration": int(duration) if duration else None,
                "expiresAt": now() + int(self.settings["signin_token_seconds"]), "used": False}
        return json_response(200, {"SigninToken": signin})

    def signin_login(self, params):
        token = params.get("SigninToken", "")
        destination = params.get("Destination", "")
        with self.lock:
            record = self.signin_tokens.get(token)
            valid = record is not None and not record["used"] and record["expiresAt"] > now()
            if valid:
                record["used"] = True
                record["issuer"] = params.get("Issuer")
                record["destination"] = destination
        if not valid:
            return html_response(400, "Sign-in token invalid",
                                 "<p>The sign-in token is invalid or has expired.</p>")
        if urlsplit(destination).scheme not in ("http", "https"):
            return html_response(400, "Bad Request", "<p>Invalid Destination.</p>")
        response = Response("", status=302, headers={"Location": destination})
        response.set_cookie("aws-signin-emulator", secrets.token_urlsafe(16), httponly=True,
                            secure=False, path="/")
        return response

    # -- control endpoints -----------------------------------------------------

    def control(self, request):
        route = (request.method, request.path)
        try:
            body = request.get_json(force=True, silent=True) or {}
            if route == ("GET", "/_emulator/calls"):
                with self.lock:
                    return json_response(200, dict(self.calls))
            if route == ("POST", "/_emulator/reset"):
                with self.lock:
                    if body.get("everything"):
                        self.reset_everything()
                    else:
                        self.reset_counters()
                return json_response(200, {})
            if route == ("GET", "/_emulator/directory"):
                return json_response(200, self.directory)
            if route == ("POST", "/_emulator/directory"):
                self.set_directory(body)
                return json_response(200, self.directory)
            if route == ("GET", "/_emulator/settings"):
                return json_response(200, self.settings)
            if route == ("POST", "/_emulator/settings"):
                unknown = set(body) - set(DEFAULT_SETTINGS)
                if unknown:
                    return json_response(400, {"error": f"unknown settings {sorted(unknown)}"})
                with self.lock:
                    self.settings.update(body)
                return json_response(200, self.settings)
            if route == ("GET", "/_emulator/authorizations"):
                wanted = request.args.get("status")
                with self.lock:
                    for a in self.authorizations:
                        if a["status"] == "pending" and a["expiresAt"] <= now():
                            a["status"] = "expired"
                    listed = [{k: (iso(v) if k == "expiresAt" else v) for k, v in a.items()}
                              for a in self.authorizations if wanted in (None, a["status"])]
                return json_response(200, listed)
            if route in (("POST", "/_emulator/approve"), ("POST", "/_emulator/deny")):
                code = self.decide(body.get("user_code", ""), route[1].endswith("approve"))
                if code is None:
                    return json_response(404, {"error": "no such pending authorization"})
                return json_response(200, {"userCode": code})
            if route == ("POST", "/_emulator/slow_down"):
                with self.lock:
                    self.slow_downs += int(body.get("count", 1))
                return json_response(200, {"pending": self.slow_downs})
            if route == ("POST", "/_emulator/fault"):
                fault = dict(body)
                fault["count"] = int(fault.get("count", 1))
                with self.lock:
                    self.faults.setdefault(fault["operation"], []).append(fault)
                return json_response(200, {})
            if route == ("POST", "/_emulator/expire"):
                return self.expire(body)
            if route == ("POST", "/_emulator/revoke"):
                return self.revoke(body)
            if route == ("GET", "/_emulator/tokens"):
                return json_response(200, self.token_report())
            return json_response(404, {"error": f"no route {request.method} {request.path}"})
        except Exception as error:  # report setup problems to the test
            return json_response(500, {"error": f"{type(error).__name__}: {error}"})

    def set_directory(self, body):
        accounts = []
        for account in body.get("accounts", []):
            accounts.append({
                "accountId": str(account["accountId"]),
                "accountName": account.get("accountName", str(account["accountId"])),
                "emailAddress": account.get("emailAddress", f"{account['accountId']}@example.com"),
                "roles": [str(role) for role in account.get("roles", [])],
            })
        with self.lock:
            self.directory = {"user": body.get("user", DEFAULT_DIRECTORY["user"]),
                              "accounts": accounts}

    def expire(self, body):
        past = now() - 1
        with self.lock:
            if "access_token" in body:
                target = self.access_tokens.get(body["access_token"])
            elif "refresh_token" in body:
                target = self.refresh_tokens.get(body["refresh_token"])
            elif "client_id" in body:
                client = self.clients.get(body["client_id"])
                if client is None:
                    return json_response(404, {"error": "unknown client"})
                client["clientSecretExpiresAt"] = int(past)
                return json_response(200, {})
            elif "user_code" in body:
                target = next((a for a in self.authorizations
                               if a["userCode"] == body["user_code"]), None)
            elif body.get("all_access_tokens"):
                for record in self.access_tokens.values():
                    record["expiresAt"] = past
                return json_response(200, {"expired": len(self.access_tokens)})
            else:
                return json_response(400, {"error": "say what to expire"})
            if target is None:
                return json_response(404, {"error": "unknown token or code"})
            target["expiresAt"] = past
        return json_response(200, {})

    def revoke(self, body):
        with self.lock:
            if body.get("all"):
                for record in list(self.access_tokens.values()) + list(self.refresh_tokens.values()):
                    record["revoked"] = True
                return json_response(200, {})
            if "access_token" in body:
                target = self.access_tokens.get(body["access_token"])
            elif "refresh_token" in body:
                target = self.refresh_tokens.get(body["refresh_token"])
            else:
                return json_response(400, {"error": "say what to revoke"})
            if target is None:
                return json_response(404, {"error": "unknown token"})
            target["revoked"] = True
        return json_response(200, {})

    def token_report(self):
        with self.lock:
            def rows(tokens):
                return [{"token": token, "expiresAt": iso(r["expiresAt"]),
                         "revoked": r["revoked"], "clientId": r["clientId"]}
                        for token, r in tokens.items()]
            return {
                "access": rows(self.access_tokens),
                "refresh": rows(self.refresh_tokens),
                "clients": [{"clientId": c["clientId"], "clientName": c["clientName"],
                             "scopes": c["scopes"], "grantTypes": c["grantTypes"],
                             "expiresAt": iso(c["clientSecretExpiresAt"])}
                            for c in self.clients.values()],
                "signin": [{"principal": r["principal"], "sessionDuration": r["sessionDuration"],
                            "used": r["used"], "issuer": r.get("issuer"),
                            "destination": r.get("destination")}
                           for r in self.signin_tokens.values()],
            }


def endpoint_rule_set(url):
    """A botocore endpoint rule set that sends every request to `url` (or --endpoint-url)."""
    parameters = {
        "Region": {"builtIn": "AWS::Region", "required": False, "type": "String"},
        "UseDualStack": {"builtIn": "AWS::UseDualStack", "required": True, "default": False,
                         "type": "Boolean"},
        "UseFIPS": {"builtIn": "AWS::UseFIPS", "required": True, "default": False,
                    "type": "Boolean"},
        "Endpoint": {"builtIn": "SDK::Endpoint", "required": False, "type": "String"},
    }
    return {"version": "1.0", "parameters": parameters, "rules": [
        {"conditions": [{"fn": "isSet", "argv": [{"ref": "Endpoint"}]}],
         "endpoint": {"url": {"ref": "Endpoint"}, "properties": {}, "headers": {}},
         "type": "endpoint"},
        {"conditions": [], "endpoint": {"url": url, "properties": {}, "headers": {}},
         "type": "endpoint"},
    ]}


def write_data_path(directory, url):
    for service in ("sso", "sso-oidc"):
        folder = os.path.join(directory, service, "2019-06-10")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "endpoint-rule-set-1.json"), "w") as file:
            json.dump(endpoint_rule_set(url), file)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    loopback_server.add_arguments(parser)
    parser.add_argument("--sts-url", help="moto/sts_emulator URL that mints role credentials")
    parser.add_argument("--sts-access-key", default="testing")
    parser.add_argument("--sts-secret-key", default="testing")
    parser.add_argument("--aws-data-path",
                        help="write botocore endpoint rule sets pointing at this emulator here")
    args = parser.parse_args()

    bridge = None
    if args.sts_url:
        bridge = StsBridge(args.sts_url, args.sts_access_key, args.sts_secret_key)
    on_bound = None
    if args.aws_data_path:
        def on_bound(port):
            write_data_path(args.aws_data_path, f"http://127.0.0.1:{port}")
    loopback_server.serve(Emulator(bridge), args, request_handler=RawHeadersHandler,
                          on_bound=on_bound)


if __name__ == "__main__":
    main()
