#!/usr/bin/env python3
"""TUI benchmarks (see BENCHMARKS.md): first frame, filter keystroke latency, idle CPU and wake-ups,
resident memory. Runs aws-runas-tui on a pseudo-terminal with generated configs; no network.

usage: bench-tui.py PATH/TO/aws-runas-tui
"""
import os
import pty
import select
import statistics
import sys
import tempfile
import time

BINARY = sys.argv[1] if len(sys.argv) > 1 else ".build/release/aws-runas-tui"
ROWS, COLUMNS = 48, 160


def make_home(count):
    """A HOME with `count` role profiles plus [default] (so the TUI lists count + 1)."""
    home = tempfile.mkdtemp(prefix="tui-bench-")
    os.makedirs(home + "/.aws")
    with open(home + "/.aws/credentials", "w") as f:
        f.write("[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n")
    with open(home + "/.aws/config", "w") as f:
        f.write("[default]\nregion = us-east-1\n\n")
        for i in range(count):
            f.write(f"[profile team{i % 97}-app{i:05d}]\nsource_profile = default\n"
                    f"role_arn = arn:aws:iam::{100000000000 + i}:role/role{i % 13}\n"
                    + ("mfa_serial = arn:aws:iam::111111111111:mfa/me\n" if i % 3 == 0 else "") + "\n")
    return home


class Session:
    def __init__(self, home):
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            env = {"HOME": home, "PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "LANG": "C.UTF-8",
                   "LINES": str(ROWS), "COLUMNS": str(COLUMNS)}
            os.execve(BINARY, [BINARY], env)
        self.pid, self.fd = pid, fd
        import fcntl, struct, termios
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.buffer = b""

    def wait_for(self, text, timeout=10):
        deadline = time.perf_counter() + timeout
        while text.encode() not in self.buffer:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no {text!r} in output")
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                self.buffer += os.read(self.fd, 1 << 16)
        return time.perf_counter()

    def send(self, data):
        self.buffer = b""
        os.write(self.fd, data.encode())

    def drain(self, seconds):
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                self.buffer += os.read(self.fd, 1 << 16)

    def proc(self):
        ticks = wakeups = 0
        for task in os.listdir(f"/proc/{self.pid}/task"):
            with open(f"/proc/{self.pid}/task/{task}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
            with open(f"/proc/{self.pid}/task/{task}/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches") or line.startswith("nonvoluntary_ctxt_switches"):
                        wakeups += int(line.split()[1])
        with open(f"/proc/{self.pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
        return ticks, wakeups, rss

    def quit(self):
        os.write(self.fd, b"\x03")  # Ctrl-C quits from any mode
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def first_frame(count, runs=7):
    home = make_home(count)
    times = []
    for _ in range(runs):
        session = Session(home)
        done = session.wait_for(f"{count + 1} of {count + 1} profiles")
        times.append((done - session.started) * 1000)
        session.quit()
    return statistics.median(times), min(times), max(times)


def filter_keystrokes(count):
    home = make_home(count)
    session = Session(home)
    session.wait_for(f"{count + 1} of {count + 1} profiles")
    session.send("/")
    session.wait_for("/")
    latencies = []
    # Narrowing (one more character) and widening (backspace) keystrokes.
    for key in list("team12-app0") + ["\x7f"] * 11:
        start = time.perf_counter()
        session.send(key)
        # One doupdate() writes the frame; its last byte is followed by silence (no tick is due:
        # keys are sent just after a tick).
        last = None
        while True:
            ready, _, _ = select.select([session.fd], [], [], 0.004 if last else 1.0)
            if not ready:
                break
            session.buffer += os.read(session.fd, 1 << 16)
            last = time.perf_counter()
        latencies.append((last - start) * 1000)
        session.drain(0.05)
    session.quit()
    return statistics.median(latencies), statistics.quantiles(latencies, n=20)[18], max(latencies)


def idle(count, seconds=20):
    home = make_home(count)
    session = Session(home)
    session.wait_for(f"{count + 1} of {count + 1} profiles")
    session.drain(2)
    ticks0, wake0, _ = session.proc()
    session.drain(seconds)
    ticks1, wake1, rss = session.proc()
    session.quit()
    hz = os.sysconf("SC_CLK_TCK")
    return (ticks1 - ticks0) / hz / seconds * 100, (wake1 - wake0) / seconds, rss / 1024


if __name__ == "__main__":
    for count in (1000, 10000):
        median, low, high = first_frame(count)
        print(f"first frame, {count} profiles: median {median:.1f} ms (min {low:.1f}, max {high:.1f})")
    median, p95, high = filter_keystrokes(10000)
    print(f"filter keystroke → frame, 10000 profiles: median {median:.2f} ms, p95 {p95:.2f} ms, max {high:.2f} ms")
    for count in (1000, 10000):
        cpu, wakeups, rss = idle(count)
        print(f"idle {count} profiles: CPU {cpu:.2f}%, {wakeups:.1f} context switches/s (all threads), RSS {rss:.1f} MB")
