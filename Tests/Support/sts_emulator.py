#!/usr/bin/env python3
"""Loopback STS/IAM (and EC2, ECR, SSM, EC2 Instance Connect) emulator for aws-runas tests.

Runs moto's server app (the same WSGI app as `moto_server`) on 127.0.0.1 and
wraps it with test-only behaviour:

* MFA verification like real STS: GetSessionToken/AssumeRole requests that
  carry SerialNumber must name a virtual MFA device known to moto IAM (any
  account) and a TokenCode that is the device's current RFC 6238 TOTP
  (SHA-1, 6 digits, 30 s step, +-1 step accepted). Failures get AWS's 403
  AccessDenied responses; TokenCode without SerialNumber gets a 400.
* Call counting by Action name (query protocol) or operation name (JSON
  protocol: the part of X-Amz-Target after the dot) and fault injection
  (status/code/delay). Faults answer in the caller's protocol: STS/IAM XML,
  EC2's <Response><Errors> XML when the request is signed for "ec2", JSON
  ({"__type", "Message"}) for X-Amz-Target requests. An injected
  AccessDeniedException without "message" gets AWS's wording for the signer.
* Setup shortcuts that create IAM users, access keys, MFA devices and EC2 instances.
* SSM StartSession/TerminateSession/ResumeSession and EC2 Instance Connect
  SendSSHPublicKey, which moto lacks or only stubs, answered here per botocore's
  models (ssm 2014-11-06, ec2-instance-connect 2018-04-02) and recorded.
  StartSession needs a Target that is a running instance in moto EC2 (signer's
  account, request region) whose agent is "connected" (else TargetNotConnected:
  "<id> is not connected."), an AWS session document or one created in moto
  SSM (else InvalidDocument); it answers SessionId "<user or role session
  name>-<17 hex>", a random TokenValue and StreamUrl
  wss://ssmmessages.<region>.amazonaws.com/v1/data-channel/<id>?role=publish_subscribe&...
  TerminateSession always succeeds (like AWS); ResumeSession of an unknown or
  terminated session is DoesNotExistException. SendSSHPublicKey checks the
  InstanceOSUser pattern and key format (InvalidArgsException), that the
  instance exists (EC2InstanceNotFoundException), its AvailabilityZone if given,
  and that it runs (EC2InstanceStateInvalidException). Parameters are not checked
  against the session document. Requests without a SigV4 Authorization header get
  MissingAuthenticationTokenException.
* Routing: moto picks the backend from the SigV4 credential scope's service
  (ec2, ecr, ssm, sts, iam...), so every service shares the one 127.0.0.1 URL.
* Auth errors in the real services' shapes: moto answers AccessDenied,
  SignatureDoesNotMatch and InvalidClientTokenId as STS-style XML for every
  service; for X-Amz-Target requests they become JSON AccessDeniedException
  ("User: ARN is not authorized to perform: svc:Op on resource: R because no
  identity-based policy allows the svc:Op action"), InvalidSignatureException and
  UnrecognizedClientException (HTTP 400); for EC2, UnauthorizedOperation (403)
  and AuthFailure (401) in EC2's error document.

Control endpoints (JSON):
  GET  /_emulator/calls                -> {"GetSessionToken": 1, "StartSession": 2, ...}
  POST /_emulator/reset                -> clears counters, pending faults and the SSM and
                                          EC2 Instance Connect records (not moto's state)
  POST /_emulator/fault                {"action": "AssumeRole", "status": 500,
                                        "code": "InternalFailure", "count": 2,
                                        "delay_seconds": 0.5, "message": "..."}
       "status"/"code" may be left out to only delay; "count" defaults to 1.
       e.g. {"action": "StartSession", "status": 400, "code": "AccessDeniedException"}
  POST /_emulator/user                 {"name": "alice", "mfa": true,
                                        "policy": {...inline policy...}}
       -> {"AccessKeyId", "SecretAccessKey", "UserArn", "MfaSerial", "MfaSeed"}
  GET  /_emulator/totp?serial=ARN[&offset=-1]  -> {"code": "123456"}
  POST /_emulator/iam                  {"calls": [{"op": "create_group",
                                                   "args": {"GroupName": "ops"}}, ...]}
       runs boto3 IAM client methods in order (setup for the role crawl:
       groups, managed policies, attachments) -> {"results": [...]}
  POST /_emulator/ec2                  {"region": "us-east-1", "account": "123456789012",
                                        "instances": [{"tags": {"Name": "web"},
                                          "private_ip": "10.0.0.5", "public_ip": "54.1.2.3",
                                          "state": "running", "ssm_connected": true,
                                          "availability_zone": "us-east-1a"}, ...]}
       every field optional (defaults shown; no public_ip = none; moto picks a
       private IP; state running|stopped|terminated; stopping drops the public
       IP like EC2); one reservation per instance -> {"instances": [{"InstanceId",
       "State", "PrivateIpAddress", "PrivateDnsName", "PublicIpAddress",
       "PublicDnsName", "AvailabilityZone", "Tags"}]}
  GET  /_emulator/ssm/sessions         -> {"requests": [{"operation": "StartSession",
       "target", "document_name", "parameters", "reason", "request": {...body...},
       "identity": {"access_key_id", "region", "service", "account", "arn",
       "session_token": bool}, "status": 200, "error": "TargetNotConnected",
       "session_id"}, {"operation": "TerminateSession", "session_id", "known"}, ...],
       "sessions": {"<id>": {"target", "document_name", "parameters",
       "state": "Connected"|"Terminated", "identity"}}}  (requests in arrival order,
       failed ones too; "arn" is null for keys moto does not know)
  GET  /_emulator/ec2-instance-connect/keys -> {"requests": [{"operation":
       "SendSSHPublicKey", "instance_id", "instance_os_user", "ssh_public_key",
       "availability_zone", "request", "identity", "status", "error"}]}

Signature checking: moto reads INITIAL_NO_AUTH_ACTION_COUNT from the
environment when it is imported; this script only passes the variable on.
Every request that reaches moto counts against it, INCLUDING the IAM calls
made by POST /_emulator/user (up to 5 per user: CreateUser, CreateAccessKey,
PutUserPolicy, CreateVirtualMFADevice, EnableMFADevice). Those calls are
signed with the dummy key "testing", which moto rejects once the count is
used up, so create users first. moto's own `POST /moto-api/reset-auth` (body:
the new count, e.g. "0") switches checking on at any later point.
The emulated SSM/EC2 Instance Connect operations count and check the same way
(signature, then the signer's IAM policies against the instance or session ARN).
POST /_emulator/ec2 writes to moto's EC2 backend directly: it makes no request.
Setup calls are not counted in /_emulator/calls and never hit faults.

Usage: sts_emulator.py --port 0 [--exit-on-stdin-eof]
Prints one line "PORT <n>" on stdout once listening.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import struct
import threading
import time
import uuid
from http import HTTPStatus
from io import BytesIO
from urllib.parse import parse_qs
from xml.sax.saxutils import escape, unescape

# moto.settings reads INITIAL_NO_AUTH_ACTION_COUNT from os.environ at import
# time, so nothing may import moto before the environment is final. We do not
# change the environment, so importing at the top is safe.
import boto3
from moto import settings as moto_settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError, _RESTError as MotoRESTError
from moto.ec2.models import ec2_backends
from moto.iam.access_control import IAMRequest, create_access_key
from moto.iam.models import get_account_id_from, iam_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.ssm.models import ssm_backends
from moto.utilities.utils import get_partition
from werkzeug.wrappers import Request

import loopback_server

INTERNAL_HEADER = "X-Sts-Emulator-Internal"
STS_ACTIONS = {
    "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity",
    "DecodeAuthorizationMessage", "GetAccessKeyInfo", "GetCallerIdentity",
    "GetFederationToken", "GetSessionToken",
}
NAMESPACES = {
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}
MFA_SERIAL_FAILED = (
    "MultiFactorAuthentication failed, unable to validate MFA code. Please verify "
    "your MFA serial number is valid and associated with this user."
)
MFA_CODE_FAILED = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
REASONS = {status.value: status.phrase for status in HTTPStatus}
JSON_11 = "application/x-amz-json-1.1"
# Session documents AWS provides in every account (all of type "Session").
SESSION_DOCUMENTS = {
    "SSM-SessionManagerRunShell", "AWS-StartSSHSession", "AWS-StartPortForwardingSession",
    "AWS-StartPortForwardingSessionToRemoteHost", "AWS-StartPortForwardingSessionToSocket",
    "AWS-StartInteractiveCommand", "AWS-StartNonInteractiveCommand", "AWS-PasswordReset",
}
DOCUMENT_PATTERN = re.compile(r"^[a-zA-Z0-9_\-.:/]{3,128}$")  # botocore ssm: DocumentARN
# botocore ec2-instance-connect: InstanceOSUser
INSTANCE_OS_USER = re.compile(r"(^[A-Za-z_][A-Za-z0-9\@\._-]{0,30}[A-Za-z0-9\$_-]?$)"
                              r"|(^(?=.{2,32}$)[0-9]{1,32}[A-Za-z\@\._-][A-Za-z0-9\@\._-]*[A-Za-z0-9\$_-]?$)")
# What JSON-protocol AWS services answer (HTTP 400) where moto raises its query-style errors.
AUTH_ERRORS_JSON = {
    "AccessDenied": ("AccessDeniedException", None),  # message built per request
    "SignatureDoesNotMatch": (
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service "
        "documentation for details."),
    "InvalidClientTokenId": ("UnrecognizedClientException",
                             "The security token included in the request is invalid."),
}
SSH_KEY_TYPES = ("ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                 "ecdsa-sha2-nistp521")


def totp(seed_base32, at=None, offset=0):
    """RFC 6238 TOTP: HMAC-SHA1, 30 s step, 6 digits."""
    key = base64.b32decode(seed_base32.upper() + "=" * (-len(seed_base32) % 8))
    step = int((time.time() if at is None else at) // 30) + offset
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start:start + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def find_mfa_device(serial):
    for account in list(iam_backends.values()):
        for backend in list(account.values()):
            device = backend.virtual_mfa_devices.get(serial)
            if device is not None:
                return device
    return None


def xml_error(action, status, code, message):
    namespace = NAMESPACES["sts" if action in STS_ACTIONS else "iam"]
    kind = "Sender" if status < 500 else "Receiver"
    body = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return status, "text/xml", body


def ec2_xml_error(status, code, message):
    """EC2's query-protocol error document (differs from STS/IAM's ErrorResponse)."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error></Errors>"
        f"<RequestID>{uuid.uuid4()}</RequestID></Response>"
    )
    return status, "text/xml;charset=UTF-8", body


def json_error(status, code, message):
    """AWS JSON 1.1 error: botocore reads the code from `__type`."""
    return (status, JSON_11, json.dumps({"__type": code, "Message": message}),
            [("x-amzn-RequestId", str(uuid.uuid4()))])


def json_answer(value):
    return 200, JSON_11, json.dumps(value), [("x-amzn-RequestId", str(uuid.uuid4()))]


CREDENTIAL_SCOPE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")


def credential_scope(request):
    """(access key id, region, service) from a SigV4 Authorization header, or None."""
    match = CREDENTIAL_SCOPE.search(request.headers.get("Authorization", ""))
    return None if match is None else (match.group(1), match.group(3), match.group(4))


def signing_identity(request):
    """Who signed the request, as far as moto knows the access key."""
    scope = credential_scope(request)
    if scope is None:
        return None
    key, region, service = scope
    account = get_account_id_from(key)
    try:
        arn = create_access_key(account_id=account, partition=get_partition(region),
                                access_key_id=key, headers=request.headers).arn
    except Exception:  # key unknown to moto IAM/STS: still record what was sent
        arn = None
    return {"access_key_id": key, "region": region, "service": service, "account": account,
            "arn": arn, "session_token": request.headers.get("X-Amz-Security-Token") is not None}


def validation_error(member, value, constraint):
    shown = "null" if value is None else repr(value)
    return json_error(400, "ValidationException",
                      f"1 validation error detected: Value {shown} at '{member}' failed to "
                      f"satisfy constraint: {constraint}")


def session_manager_parameters_valid(value):
    return isinstance(value, dict) and all(
        isinstance(name, str) and isinstance(values, list)
        and all(isinstance(item, str) for item in values)
        for name, values in value.items())


class Emulator:
    """WSGI middleware in front of moto's app."""

    def __init__(self):
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.lock = threading.Lock()
        self.calls = {}
        self.faults = {}  # action -> list of {"status", "code", "count", "delay_seconds"}
        self.ssm_requests = []  # StartSession/TerminateSession/ResumeSession as received
        self.ssm_sessions = {}  # session id -> {"target", "state", ...}
        self.ssm_offline = set()  # instance ids whose SSM agent is "not connected"
        self.ec2ic_requests = []  # SendSSHPublicKey as received
        self.iam = None  # boto3 IAM client, set by connect() once the port is known

    # -- WSGI entry point -------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith("/_emulator/"):
            result = self.control(request)
        else:
            body = request.get_data()
            # Hand moto an unread copy of the body.
            environ["wsgi.input"] = BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            result = self.intercept(request, body)
            if result is None and not request.headers.get(INTERNAL_HEADER):
                scope = credential_scope(request)
                if request.headers.get("X-Amz-Target") or (scope and scope[2] == "ec2"):
                    result = self.moto_rewriting_auth_errors(environ, request, body)
            if result is None:
                return self.moto(environ, start_response)
        status, content_type, text = result[:3]
        extra_headers = result[3] if len(result) > 3 else []
        data = text if isinstance(text, bytes) else text.encode()
        start_response(f"{status} {REASONS.get(status, 'Unknown')}", [
            ("Content-Type", content_type), ("Content-Length", str(len(data)))] + extra_headers)
        return [data]

    def intercept(self, request, body):
        """Count, inject faults and check MFA; None means 'pass on to moto'."""
        if request.headers.get(INTERNAL_HEADER):
            return None
        target = request.headers.get("X-Amz-Target")
        if target:
            return self.intercept_json(request, body, target)
        params = {k: v[-1] for k, v in parse_qs(request.query_string.decode()).items()}
        if request.mimetype == "application/x-www-form-urlencoded":
            params.update({k: v[-1] for k, v in parse_qs(body.decode()).items()})
        action = params.get("Action")
        if not action:
            return None
        with self.lock:
            self.calls[action] = self.calls.get(action, 0) + 1
            fault = self.take_fault(action)
        if fault:
            time.sleep(fault.get("delay_seconds") or 0)
            if fault.get("status"):
                scope = credential_scope(request)
                if scope is not None and scope[2] == "ec2":
                    return ec2_xml_error(int(fault["status"]), fault.get("code", "InternalFailure"),
                                         fault.get("message", "Injected fault"))
                return xml_error(action, int(fault["status"]), fault.get("code", "InternalFailure"),
                                 fault.get("message", "Injected fault"))
        if action in ("GetSessionToken", "AssumeRole"):
            return self.check_mfa(action, params.get("SerialNumber"), params.get("TokenCode"))
        return None

    # -- JSON-protocol services (X-Amz-Target) -----------------------------

    def intercept_json(self, request, body, target):
        """Count and inject faults by operation name; answer what moto lacks or cannot show."""
        operation = target.rsplit(".", 1)[-1]
        with self.lock:
            self.calls[operation] = self.calls.get(operation, 0) + 1
            fault = self.take_fault(operation)
        if fault:
            time.sleep(fault.get("delay_seconds") or 0)
            if fault.get("status"):
                code = fault.get("code", "InternalServerError")
                message = fault.get("message")
                if message is None and code == "AccessDeniedException":
                    message = self.denied_message(request, body, operation)
                return json_error(int(fault["status"]), code, message or "Injected fault")
        handler = {
            "AmazonSSM.StartSession": self.start_session,
            "AmazonSSM.TerminateSession": self.terminate_session,
            "AmazonSSM.ResumeSession": self.resume_session,
            "AWSEC2InstanceConnectService.SendSSHPublicKey": self.send_ssh_public_key,
        }.get(target)
        return None if handler is None else handler(request, body)

    def moto_rewriting_auth_errors(self, environ, request, body):
        """Pass a request to moto, giving its auth errors the shape the real service uses.

        moto answers AccessDenied and friends in STS/IAM's XML ErrorResponse for every service;
        JSON-protocol services really answer JSON (see AUTH_ERRORS_JSON) and EC2 answers its own
        <Response><Errors> document with UnauthorizedOperation.
        """
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        chunks = self.moto(environ, capture)
        try:
            data = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        status = int(captured["status"].split()[0])
        code = re.search(rb"<Code>([^<]*)</Code>", data) if status >= 400 else None
        code = code.group(1).decode() if code and b"<ErrorResponse" in data else None
        operation = request.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
        if code is not None and not operation:  # EC2 (query protocol)
            if code != "AccessDenied":  # AuthFailure: same code, EC2's document
                message = re.search(rb"<Message>([^<]*)</Message>", data)
                return ec2_xml_error(status, code,
                                     unescape(message.group(1).decode()) if message else "")
            params = parse_qs(request.query_string.decode())
            params.update(parse_qs(body.decode("utf-8", "replace")))
            message = self.denied_message(request, body, params.get("Action", ["?"])[-1])
            return ec2_xml_error(403, "UnauthorizedOperation",
                                 "You are not authorized to perform this operation. "
                                 + message.replace(" on resource: * because", " because"))
        if code in AUTH_ERRORS_JSON and operation:
            return self.json_auth_error(code, request, body, operation)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        content_type = dict((k.lower(), v) for k, v in headers).get("content-type", JSON_11)
        headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
        return status, content_type, data, headers

    def json_auth_error(self, code, request, body, operation):
        """moto's (query-style) authentication error as the JSON error real AWS sends."""
        if code == "AccessDenied":
            return json_error(400, "AccessDeniedException",
                              self.denied_message(request, body, operation))
        return json_error(400, *AUTH_ERRORS_JSON[code])

    def denied_message(self, request, body, operation):
        """The message real AWS gives when no policy allows the call."""
        identity = signing_identity(request) or {}
        service = identity.get("service", "ssm")
        try:
            payload = json.loads(body or b"{}")
        except ValueError:  # query protocol (EC2)
            payload = {}
        resource = self.resource_arn(identity, operation, payload if isinstance(payload, dict) else {})
        arn = identity.get("arn") or f"arn:aws:iam::{identity.get('account', '123456789012')}:user/unknown"
        return (f"User: {arn} is not authorized to perform: {service}:{operation} on resource: "
                f"{resource} because no identity-based policy allows the {service}:{operation} action")

    @staticmethod
    def resource_arn(identity, operation, payload):
        region = identity.get("region", "us-east-1")
        account = identity.get("account", "123456789012")
        if operation in ("TerminateSession", "ResumeSession"):
            return f"arn:aws:ssm:{region}:{account}:session/{payload.get('SessionId')}"
        target = payload.get("Target") or payload.get("InstanceId")
        if target is None:
            return "*"  # e.g. ecr:GetAuthorizationToken
        return f"arn:aws:ec2:{region}:{account}:instance/{target}"

    def authorize(self, request, body, identity, operation, payload):
        """moto's own check (signature, then IAM policy) once INITIAL_NO_AUTH_ACTION_COUNT is used up."""
        with self.lock:
            if ActionAuthenticatorMixin.request_count < moto_settings.INITIAL_NO_AUTH_ACTION_COUNT:
                ActionAuthenticatorMixin.request_count += 1
                return None
        resource = self.resource_arn(identity, operation, payload)
        try:
            iam_request = IAMRequest(account_id=identity["account"], method=request.method,
                                     path=request.full_path.rstrip("?"), data={}, body=body,
                                     headers=request.headers, action=operation)
            iam_request.check_signature()
            iam_request.check_action_permitted(resource)
        except AccessDeniedError:
            return self.json_auth_error("AccessDenied", request, body, operation)
        except MotoRESTError as error:
            if error.error_type in AUTH_ERRORS_JSON:
                return self.json_auth_error(error.error_type, request, body, operation)
            return json_error(error.code, error.error_type, error.message)
        return None

    def json_request(self, request, body, operation):
        """Common start of an emulated JSON operation: (identity, payload, error or None)."""
        identity = signing_identity(request)
        if identity is None:
            return None, {}, json_error(400, "MissingAuthenticationTokenException",
                                        "Missing Authentication Token")
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return identity, {}, json_error(400, "SerializationException",
                                            "Start of structure or map found where not expected.")
        return identity, payload, None

    def finish(self, log, record, response):
        status = response[0]
        record["status"] = status
        if status != 200:
            record["error"] = json.loads(response[2]).get("__type")
        with self.lock:
            log.append(record)
        return response

    def find_instance(self, identity, instance_id):
        backend = ec2_backends[identity["account"]][identity["region"]]
        for reservation in list(backend.reservations.values()):
            for instance in reservation.instances:
                if instance.id == instance_id:
                    return instance
        return None

    def session_document_exists(self, identity, name):
        name = name.rsplit("document/", 1)[-1]
        if name in SESSION_DOCUMENTS:
            return True
        documents = ssm_backends[identity["account"]][identity["region"]]._documents.get(name)
        return documents is not None

    def new_stream(self, identity, session_id):
        token = base64.b64encode(secrets.token_bytes(96)).decode()
        url = (f"wss://ssmmessages.{identity['region']}.amazonaws.com/v1/data-channel/"
               f"{session_id}?role=publish_subscribe&cell-number={secrets.token_urlsafe(24)}")
        return token, url

    def start_session(self, request, body):
        identity, payload, error = self.json_request(request, body, "StartSession")
        record = {"operation": "StartSession", "target": payload.get("Target"),
                  "document_name": payload.get("DocumentName"),
                  "parameters": payload.get("Parameters"), "reason": payload.get("Reason"),
                  "request": payload, "identity": identity}
        log = self.ssm_requests
        if error:
            return self.finish(log, record, error)
        target, document = payload.get("Target"), payload.get("DocumentName")
        if not isinstance(target, str) or not 1 <= len(target) <= 400:
            return self.finish(log, record, validation_error(
                "target", target, "Member must not be null" if target is None
                else "Member must have length between 1 and 400"))
        if document is not None and not (isinstance(document, str) and DOCUMENT_PATTERN.match(document)):
            return self.finish(log, record, validation_error(
                "documentName", document,
                "Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.:/]{3,128}$"))
        if "Parameters" in payload and not session_manager_parameters_valid(payload["Parameters"]):
            return self.finish(log, record, json_error(
                400, "SerializationException", "Parameters must map names to lists of strings"))
        denied = self.authorize(request, body, identity, "StartSession", payload)
        if denied:
            return self.finish(log, record, denied)
        if document is not None and not self.session_document_exists(identity, document):
            return self.finish(log, record, json_error(
                400, "InvalidDocument", f"Document with name {document} does not exist."))
        instance = self.find_instance(identity, target)
        if instance is None or instance.state != "running" or target in self.ssm_offline:
            return self.finish(log, record, json_error(
                400, "TargetNotConnected", f"{target} is not connected."))
        owner = (identity["arn"] or identity["access_key_id"]).rsplit("/", 1)[-1]
        session_id = f"{owner}-{secrets.token_hex(9)[:17]}"
        token, url = self.new_stream(identity, session_id)
        record["session_id"] = session_id
        with self.lock:
            self.ssm_sessions[session_id] = {"target": target, "document_name": document,
                                             "parameters": payload.get("Parameters"),
                                             "state": "Connected", "identity": identity}
        return self.finish(log, record, json_answer(
            {"SessionId": session_id, "TokenValue": token, "StreamUrl": url}))

    def terminate_session(self, request, body):
        identity, payload, error = self.json_request(request, body, "TerminateSession")
        session_id = payload.get("SessionId")
        record = {"operation": "TerminateSession", "session_id": session_id,
                  "request": payload, "identity": identity}
        log = self.ssm_requests
        if error:
            return self.finish(log, record, error)
        if not isinstance(session_id, str) or not 1 <= len(session_id) <= 96:
            return self.finish(log, record, validation_error(
                "sessionId", session_id, "Member must not be null" if session_id is None
                else "Member must have length between 1 and 96"))
        denied = self.authorize(request, body, identity, "TerminateSession", payload)
        if denied:
            return self.finish(log, record, denied)
        with self.lock:
            session = self.ssm_sessions.get(session_id)
            record["known"] = session is not None
            if session is not None:
                session["state"] = "Terminated"
        # Like AWS: terminating an unknown or already terminated session still succeeds.
        return self.finish(log, record, json_answer({"SessionId": session_id}))

    def resume_session(self, request, body):
        identity, payload, error = self.json_request(request, body, "ResumeSession")
        session_id = payload.get("SessionId")
        record = {"operation": "ResumeSession", "session_id": session_id,
                  "request": payload, "identity": identity}
        log = self.ssm_requests
        if error:
            return self.finish(log, record, error)
        if not isinstance(session_id, str) or not 1 <= len(session_id) <= 96:
            return self.finish(log, record, validation_error(
                "sessionId", session_id, "Member must not be null"))
        denied = self.authorize(request, body, identity, "ResumeSession", payload)
        if denied:
            return self.finish(log, record, denied)
        with self.lock:
            session = self.ssm_sessions.get(session_id)
        if session is None or session["state"] == "Terminated":
            return self.finish(log, record, json_error(
                400, "DoesNotExistException", f"Session {session_id} does not exist."))
        token, url = self.new_stream(identity, session_id)
        return self.finish(log, record, json_answer(
            {"SessionId": session_id, "TokenValue": token, "StreamUrl": url}))

    def send_ssh_public_key(self, request, body):
        identity, payload, error = self.json_request(request, body, "SendSSHPublicKey")
        record = {"operation": "SendSSHPublicKey", "instance_id": payload.get("InstanceId"),
                  "instance_os_user": payload.get("InstanceOSUser"),
                  "ssh_public_key": payload.get("SSHPublicKey"),
                  "availability_zone": payload.get("AvailabilityZone"),
                  "request": payload, "identity": identity}
        log = self.ec2ic_requests
        if error:
            return self.finish(log, record, error)
        for member in ("InstanceId", "InstanceOSUser", "SSHPublicKey"):
            if not isinstance(payload.get(member), str):
                return self.finish(log, record, json_error(
                    400, "InvalidArgsException", f"{member} is required and must be a string."))
        user, key = payload["InstanceOSUser"], payload["SSHPublicKey"]
        if not INSTANCE_OS_USER.match(user):
            return self.finish(log, record, json_error(
                400, "InvalidArgsException", f"Invalid InstanceOSUser: {user}"))
        fields = key.split()
        if not 80 <= len(key) <= 4096 or len(fields) < 2 or fields[0] not in SSH_KEY_TYPES:
            return self.finish(log, record, json_error(
                400, "InvalidArgsException", "The SSH public key is not in a supported format."))
        try:
            base64.b64decode(fields[1], validate=True)
        except ValueError:
            return self.finish(log, record, json_error(
                400, "InvalidArgsException", "The SSH public key is not in a supported format."))
        denied = self.authorize(request, body, identity, "SendSSHPublicKey", payload)
        if denied:
            return self.finish(log, record, denied)
        instance = self.find_instance(identity, payload["InstanceId"])
        if instance is None:
            return self.finish(log, record, json_error(
                400, "EC2InstanceNotFoundException",
                f"Instance {payload['InstanceId']} could not be found."))
        zone = payload.get("AvailabilityZone")
        if zone is not None and zone != instance._placement.zone:
            return self.finish(log, record, json_error(
                400, "InvalidArgsException",
                f"Instance {instance.id} is not in availability zone {zone}."))
        if instance.state != "running":
            return self.finish(log, record, json_error(
                400, "EC2InstanceStateInvalidException",
                f"Instance {instance.id} is not in a valid state ({instance.state})."))
        return self.finish(log, record, json_answer({"RequestId": str(uuid.uuid4()), "Success": True}))

    def take_fault(self, action):
        queue = self.faults.get(action)
        if not queue:
            return None
        fault = queue[0]
        fault["count"] -= 1
        if fault["count"] <= 0:
            queue.pop(0)
        return fault

    def check_mfa(self, action, serial, code):
        if serial is None:
            if code is not None:
                return xml_error(action, 400, "ValidationError",
                                 "SerialNumber is required when TokenCode is provided")
            return None
        device = find_mfa_device(serial)
        if device is None:
            return xml_error(action, 403, "AccessDenied", MFA_SERIAL_FAILED)
        valid = {totp(device.base32_string_seed, offset=o) for o in (-1, 0, 1)}
        if code not in valid:
            return xml_error(action, 403, "AccessDenied", MFA_CODE_FAILED)
        return None

    # -- control endpoints ------------------------------------------------

    def control(self, request):
        route = (request.method, request.path)
        try:
            if route == ("GET", "/_emulator/calls"):
                with self.lock:
                    return json_response(200, dict(self.calls))
            if route == ("POST", "/_emulator/reset"):
                with self.lock:
                    self.calls.clear()
                    self.faults.clear()
                    self.ssm_requests.clear()
                    self.ssm_sessions.clear()
                    self.ec2ic_requests.clear()
                return json_response(200, {})
            if route == ("POST", "/_emulator/fault"):
                fault = request.get_json(force=True)
                fault["count"] = int(fault.get("count", 1))
                with self.lock:
                    self.faults.setdefault(fault["action"], []).append(fault)
                return json_response(200, {})
            if route == ("POST", "/_emulator/user"):
                return json_response(200, self.create_user(request.get_json(force=True)))
            if route == ("POST", "/_emulator/iam"):
                return json_response(200, self.iam_calls(request.get_json(force=True)))
            if route == ("GET", "/_emulator/ssm/sessions"):
                with self.lock:
                    return json_response(200, {"requests": list(self.ssm_requests),
                                               "sessions": dict(self.ssm_sessions)})
            if route == ("GET", "/_emulator/ec2-instance-connect/keys"):
                with self.lock:
                    return json_response(200, {"requests": list(self.ec2ic_requests)})
            if route == ("POST", "/_emulator/ec2"):
                return json_response(200, self.create_instances(request.get_json(force=True)))
            if route == ("GET", "/_emulator/totp"):
                device = find_mfa_device(request.args.get("serial", ""))
                if device is None:
                    return json_response(404, {"error": "unknown MFA serial"})
                offset = int(request.args.get("offset", "0"))
                return json_response(200, {"code": totp(device.base32_string_seed, offset=offset)})
            return json_response(404, {"error": f"no route {request.method} {request.path}"})
        except Exception as error:  # report setup problems to the test, not to stderr only
            return json_response(500, {"error": f"{type(error).__name__}: {error}"})

    def connect(self, endpoint):
        """Create the IAM client the setup shortcuts use to call moto through our own URL."""
        self.iam = boto3.session.Session().client(
            "iam", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing")

        def mark_internal(request, **_):
            request.headers[INTERNAL_HEADER] = "1"

        self.iam.meta.events.register("before-sign.iam.*", mark_internal)

    def create_instances(self, spec):
        """Put instances straight into moto's EC2 backend (no HTTP call, so no auth count)."""
        account = spec.get("account", "123456789012")
        region = spec.get("region", "us-east-1")
        backend = ec2_backends[account][region]
        created = []
        for item in spec.get("instances", []):
            kwargs = {"instance_type": item.get("instance_type", "t3.micro"),
                      "is_instance_type_default": False, "region_name": region,
                      "private_ip": item.get("private_ip"),
                      "associate_public_ip": bool(item.get("public_ip")),
                      "tags": {"instance": dict(item.get("tags", {}))}}
            if item.get("availability_zone"):
                kwargs["placement"] = item["availability_zone"]
            # One reservation per instance, so MaxResults pages count instances.
            instance = backend.run_instances(item.get("image_id", "ami-12c6146b"), 1, None, [],
                                             **kwargs).instances[0]
            # moto's default subnets hand out a random public IP; keep only the one asked for.
            instance.nics[0].public_ip = item.get("public_ip") or None
            state = item.get("state", "running")
            if state == "stopped":
                backend.stop_instances([instance.id])
            elif state == "terminated":
                backend.terminate_instances([instance.id])
            elif state != "running":
                raise ValueError(f"state must be running, stopped or terminated, not {state}")
            if item.get("ssm_connected", True) is False:
                with self.lock:
                    self.ssm_offline.add(instance.id)
            created.append({
                "InstanceId": instance.id, "State": instance.state,
                "PrivateIpAddress": instance.private_ip, "PrivateDnsName": instance.private_dns_name,
                "PublicIpAddress": instance.public_ip, "PublicDnsName": instance.public_dns_name,
                "AvailabilityZone": instance._placement.zone, "Tags": dict(item.get("tags", {}))})
        return {"instances": created}

    def iam_calls(self, spec):
        results = []
        for call in spec.get("calls", []):
            answer = getattr(self.iam, call["op"])(**call.get("args", {}))
            answer.pop("ResponseMetadata", None)
            results.append(json.loads(json.dumps(answer, default=str)))
        return {"results": results}

    def create_user(self, spec):
        iam = self.iam
        name = spec["name"]
        user = iam.create_user(UserName=name)["User"]
        key = iam.create_access_key(UserName=name)["AccessKey"]
        if spec.get("policy") is not None:
            iam.put_user_policy(UserName=name, PolicyName=f"{name}-inline",
                                PolicyDocument=json.dumps(spec["policy"]))
        serial = seed = None
        if spec.get("mfa"):
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
            serial = device["SerialNumber"]
            seed = find_mfa_device(serial).base32_string_seed
            now = time.time()
            iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                                  AuthenticationCode1=totp(seed, now, -1),
                                  AuthenticationCode2=totp(seed, now))
        return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"],
                "UserArn": user["Arn"], "MfaSerial": serial, "MfaSeed": seed}


def json_response(status, value):
    return status, "application/json", json.dumps(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    loopback_server.add_arguments(parser)
    args = parser.parse_args()

    app = Emulator()
    loopback_server.serve(app, args,
                          on_bound=lambda port: app.connect(f"http://127.0.0.1:{port}"))


if __name__ == "__main__":
    main()
