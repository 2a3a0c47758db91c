#!/usr/bin/env python3
"""Plays the user in the Chromium that aws-runas's browser provider started.

The tests give aws-runas a wrapper as `auth_browser` (Tests/Support/bin/headless-chromium) that
writes the browser's arguments to $BROWSER_ARGS_FILE and runs Chromium headless. This script
waits for that file, reads the profile directory from `--user-data-dir=`, then the DevTools port
from `<profile>/DevToolsActivePort`, and opens its own DevTools session (websocket-client from
PyPI) next to aws-runas's, as a second DevTools client:

  --action sign-in    waits for Keycloak's login form in the page, fills `username` and
                      `password` and submits it, as a person would;
  --action close-tab  waits for the login form, then closes the tab (Target.closeTarget);
  --action close-browser  waits for the login form, then closes the browser (Browser.close);
  --action interrupt  waits for the login form, then sends SIGINT to the browser's parent
                      (aws-runas), as Ctrl-C at the terminal would.

Prints "DONE <action>" and exits 0, or a line saying what it was waiting for and exits 1.
"""

import argparse
import json
import os
import signal
import sys
import time

import websocket


class DevTools:
    def __init__(self, url):
        self.socket = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            answer = json.loads(self.socket.recv())
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})


def wait_for(what, probe, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    print(f"browser_user: gave up waiting for {what}", file=sys.stderr)
    sys.exit(1)


def read_parent(args_file):
    with open(args_file) as handle:
        for line in handle.read().splitlines():
            if line.startswith("#parent "):
                return int(line.split()[1])
    raise RuntimeError("the wrapper recorded no parent")


def read_profile_directory(args_file):
    try:
        with open(args_file) as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        if line.startswith("--user-data-dir="):
            return line.split("=", 1)[1]
    return None


def read_port_file(profile):
    try:
        with open(os.path.join(profile, "DevToolsActivePort")) as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return None
    return lines if len(lines) >= 2 else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--args-file", required=True)
    parser.add_argument("--action", choices=["sign-in", "close-tab", "close-browser", "interrupt"], required=True)
    parser.add_argument("--username", default="alice")
    parser.add_argument("--password", default="alice-password")
    parser.add_argument("--timeout", type=float, default=60)
    options = parser.parse_args()

    profile = wait_for("the browser's arguments", lambda: read_profile_directory(options.args_file), options.timeout)
    port, path = wait_for("DevToolsActivePort", lambda: read_port_file(profile), options.timeout)
    devtools = DevTools(f"ws://127.0.0.1:{port}{path}")

    def login_page():
        for target in devtools.send("Target.getTargets")["targetInfos"]:
            if target["type"] == "page" and "/realms/" in target["url"]:
                return target["targetId"]
        return None

    target = wait_for("the identity provider's page", login_page, options.timeout)
    session = devtools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def evaluate(expression):
        result = devtools.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        return result.get("result", {}).get("value")

    wait_for("the login form", lambda: evaluate("!!document.getElementById('kc-form-login')"), options.timeout)
    if options.action == "sign-in":
        evaluate(
            "document.getElementById('username').value = %s;"
            "document.getElementById('password').value = %s;"
            "document.getElementById('kc-form-login').submit(); true"
            % (json.dumps(options.username), json.dumps(options.password))
        )
    elif options.action == "interrupt":
        os.kill(read_parent(options.args_file), signal.SIGINT)
    elif options.action == "close-tab":
        devtools.send("Target.closeTarget", {"targetId": target})
    else:
        try:
            devtools.send("Browser.close")
        except (websocket.WebSocketException, OSError):
            pass  # the browser may go before it answers
    print(f"DONE {options.action}")


if __name__ == "__main__":
    main()
