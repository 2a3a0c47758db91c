#!/usr/bin/env python3
"""Loopback STS/IAM emulator for aws-runas integration tests.

Runs moto's server app (the same WSGI app as `moto_server`) on 127.0.0.1 and
wraps it with test-only behaviour:

* MFA verification like real STS: GetSessionToken/AssumeRole requests that
  carry SerialNumber must name a virtual MFA device known to moto IAM (any
  account) and a TokenCode that is the device's current RFC 6238 TOTP
  (SHA-1, 6 digits, 30 s step, +-1 step accepted). Failures get AWS's 403
  AccessDenied responses; TokenCode without SerialNumber gets a 400.
* Call counting by Action name and fault injection (status/code/delay).
* Setup shortcuts that create IAM users, access keys and MFA devices.

Control endpoints (JSON):
  GET  /_emulator/calls                -> {"GetSessionToken": 1, ...}
  POST /_emulator/reset                -> clears counters and pending faults
  POST /_emulator/fault                {"action": "AssumeRole", "status": 500,
                                        "code": "InternalFailure", "count": 2,
                                        "delay_seconds": 0.5}
       "status"/"code" may be left out to only delay; "count" defaults to 1.
  POST /_emulator/user                 {"name": "alice", "mfa": true,
                                        "policy": {...inline policy...}}
       -> {"AccessKeyId", "SecretAccessKey", "UserArn", "MfaSerial", "MfaSeed"}
  GET  /_emulator/totp?serial=ARN[&offset=-1]  -> {"code": "123456"}
  POST /_emulator/iam                  {"calls": [{"op": "create_group",
                                                   "args": {"GroupName": "ops"}}, ...]}
       runs boto3 IAM client methods in order (setup for the role crawl:
       groups, managed policies, attachments) -> {"results": [...]}

Signature checking: moto reads INITIAL_NO_AUTH_ACTION_COUNT from the
environment when it is imported; this script only passes the variable on.
Every request that reaches moto counts against it, INCLUDING the IAM calls
made by POST /_emulator/user (up to 5 per user: CreateUser, CreateAccessKey,
PutUserPolicy, CreateVirtualMFADevice, EnableMFADevice). Those calls are
signed with the dummy key "testing", which moto rejects once the count is
used up, so create users first. moto's own `POST /moto-api/reset-auth` (body:
the new count, e.g. "0") switches checking on at any later point.
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
import signal
import struct
import sys
import threading
import time
import uuid
from http import HTTPStatus
from io import BytesIO
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

# moto.settings reads INITIAL_NO_AUTH_ACTION_COUNT from os.environ at import
# time, so nothing may import moto before the environment is final. We do not
# change the environment, so importing at the top is safe.
import boto3
from moto.iam.models import iam_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server
from werkzeug.wrappers import Request

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


class Emulator:
    """WSGI middleware in front of moto's app."""

    def __init__(self):
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.lock = threading.Lock()
        self.calls = {}
        self.faults = {}  # action -> list of {"status", "code", "count", "delay_seconds"}
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
            if result is None:
                return self.moto(environ, start_response)
        status, content_type, text = result
        data = text.encode()
        start_response(f"{status} {REASONS.get(status, 'Unknown')}", [
            ("Content-Type", content_type), ("Content-Length", str(len(data)))])
        return [data]

    def intercept(self, request, body):
        """Count, inject faults and check MFA; None means 'pass on to moto'."""
        if request.headers.get(INTERNAL_HEADER):
            return None
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
                return xml_error(action, int(fault["status"]), fault.get("code", "InternalFailure"),
                                 fault.get("message", "Injected fault"))
        if action in ("GetSessionToken", "AssumeRole"):
            return self.check_mfa(action, params.get("SerialNumber"), params.get("TokenCode"))
        return None

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
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin is closed (the test runner went away)")
    args = parser.parse_args()

    app = Emulator()
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    app.connect(f"http://127.0.0.1:{server.server_port}")

    def stop(*_):
        # shutdown() waits for serve_forever() to return, so never call it on
        # the thread that runs serve_forever() (the main thread).
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_on_stdin_eof:
        def watch_stdin():
            # os.read, not sys.stdin: a daemon thread blocked inside a buffered
            # reader makes interpreter shutdown abort.
            while os.read(sys.stdin.fileno(), 4096):
                pass
            stop()
        threading.Thread(target=watch_stdin, daemon=True).start()

    print(f"PORT {server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
