"""Serves a WSGI emulator on 127.0.0.1 the way the Swift launchers expect, for every emulator in
this folder: `--port 0` picks a free port, one "PORT <n>" line on stdout once listening,
SIGTERM/SIGINT stop it, and with `--exit-on-stdin-eof` it exits when the test runner that holds
its stdin goes away."""

import argparse
import json
import os
import signal
import sys
import threading

from werkzeug.serving import make_server


def add_arguments(parser):
    """The options `serve` reads: --port and --exit-on-stdin-eof."""
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin is closed (the test runner went away)")


def serve(app, args, request_handler=None, on_bound=None):
    """Runs `app` until stopped; `on_bound(port)` runs after binding, before the PORT line."""
    server = make_server("127.0.0.1", args.port, app, threaded=True,
                         request_handler=request_handler)
    if on_bound is not None:
        on_bound(server.server_port)

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


def main(name, description, make_emulator, check_config, config_errors=(ValueError,)):
    """The command line of an emulator: the options `serve` reads plus `--config FILE.json` (a
    body like POST /_emulator/config takes), checked with `check_config` before serving
    `make_emulator(config)`; a bad file exits 2 naming it."""
    parser = argparse.ArgumentParser(prog=name, description=description)
    add_arguments(parser)
    parser.add_argument("--config", help="a JSON file like POST /_emulator/config takes")
    args = parser.parse_args()
    config = None
    if args.config:
        try:
            with open(args.config) as file:
                config = json.load(file)
            check_config(config)
        except (OSError, ValueError, *config_errors) as error:
            print(f"{name}: --config {args.config}: {error}", file=sys.stderr)
            sys.exit(2)
    serve(make_emulator(config), args)
