"""Shared part of the stand-in executables in Tests/Support/bin (test doubles for
`session-manager-plugin` and `docker`).

Each invocation appends JSON lines to the file named by RUNAS_STANDIN_LOG (nothing is
written when it is unset). The "start" record holds what a real program would receive:

  {"program": "docker", "event": "start", "argv": [...], "env": {name: value, ...},
   "stdin": "..." or null, "stdin_is_tty": false, "cwd": "...", "pid": 1, "ppid": 1,
   "contract": {...what the program made of argv...}, "contract_errors": [...],
   "exit_status": 0}

argv[0] is the path the program was started as. stdin is read to EOF (UTF-8, errors
replaced) unless it is a terminal or the program waits for a signal. A program
waiting for a signal (RUNAS_STANDIN_WAIT=signal) adds {"event": "signal", "signal":
"SIGINT", "pid": n, "exit_status": n} when one of SIGINT/SIGTERM/SIGHUP arrives.

Environment knobs:
  RUNAS_STANDIN_LOG          JSON-lines file to append to
  RUNAS_STANDIN_EXIT_STATUS  exit status when the contract holds (default 0)
  RUNAS_STANDIN_WAIT         "signal": after the start record, wait for SIGINT/SIGTERM/SIGHUP
A broken contract (e.g. a secret in argv) exits 64 with one line on stderr.
"""

import fcntl
import json
import os
import signal
import sys

CONTRACT_VIOLATION = 64
WAIT_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def exit_status():
    try:
        return int(os.environ.get("RUNAS_STANDIN_EXIT_STATUS", "0"))
    except ValueError:
        return 0


def waits_for_signal():
    return os.environ.get("RUNAS_STANDIN_WAIT") == "signal"


def read_stdin():
    """(text or None, is_tty)."""
    try:
        if os.isatty(0):
            return None, True
        return _read_all(0), False
    except OSError:  # stdin closed
        return None, False


def _read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks).decode("utf-8", "replace")
        chunks.append(chunk)


def append(record):
    path = os.environ.get("RUNAS_STANDIN_LOG")
    if not path:
        return
    line = json.dumps(record, sort_keys=True) + "\n"
    with open(path, "a", encoding="utf-8") as log:
        fcntl.flock(log, fcntl.LOCK_EX)  # several stand-ins may log at once
        log.write(line)
        log.flush()


def start_record(program, stdin, stdin_is_tty, contract, errors, status):
    return {
        "program": program, "event": "start", "argv": list(sys.argv),
        "env": dict(os.environ), "stdin": stdin, "stdin_is_tty": stdin_is_tty,
        "cwd": os.getcwd(), "pid": os.getpid(), "ppid": os.getppid(),
        "contract": contract, "contract_errors": errors, "exit_status": status,
    }


def handle_signals(program, status, on_signal=None):
    """On SIGINT/SIGTERM/SIGHUP: log it, run on_signal, exit with status.

    Install before writing the start record, so a test that signals as soon as it sees
    that record always finds the handler in place."""
    def handle(number, _frame):
        append({"program": program, "event": "signal", "signal": signal.Signals(number).name,
                "pid": os.getpid(), "exit_status": status})
        if on_signal:
            on_signal()
        sys.stdout.flush()
        os._exit(status)

    for number in WAIT_SIGNALS:
        signal.signal(number, handle)


def pause_forever():
    while True:
        signal.pause()
