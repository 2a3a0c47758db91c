#!/usr/bin/env python3
"""Writes Linking/startup-order.txt: the symbols a cache hit, --version and --help touch, in the order they
first touch them. Release links (Package.swift) give it to lld as
--symbol-ordering-file, which places that code and data together at the start of their sections,
so start-up maps a few dozen pages instead of one or two in every 64 KB of a 24 MB text.

Regenerate after changes to the start-up path (a stale list only costs page faults), then relink
(SwiftPM does not know the list is an input of the link):
    swift build -c release --static-swift-stdlib --product aws-runas
    python3 scripts/startup-order.py [binary] [output]
    rm .build/release/aws-runas .build/release/aws-runas-tui && make release
Needs valgrind (lackey traces every instruction and data access) and binutils (nm, strip).
"""
import bisect
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/aws-runas")
OUTPUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "Linking/startup-order.txt")
# The hot invocations first: their symbols lead the list.
COMMANDS = [["-O", "json", "bench"], ["bench"], ["--version"], ["--help"]]


def write_sandbox(home):
    aws = os.path.join(home, ".aws")
    os.makedirs(aws)
    files = {
        "config": "[default]\nregion = us-east-1\n\n[profile bench]\nsource_profile = default\n"
        "role_arn = arn:aws:iam::123456789012:role/bench\n",
        "credentials": "[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE01\n"
        "aws_secret_access_key = secretsecretsecretsecretsecretsecret0001\n",
        ".aws_assume_role_bench": '{"AccessKeyId":"ASIAEXAMPLE000000001","Expiration":"2999-01-01T00:00:00Z",'
        '"SecretAccessKey":"rolesecretrolesecretrolesecretrolesecret",'
        '"SessionToken":"EXAMPLETOKENEXAMPLETOKENEXAMPLETOKEN","MfaSerial":""}\n',
    }
    for name, text in files.items():
        with open(os.path.join(aws, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(aws, name), 0o600)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "AWS_CONFIG_FILE": os.path.join(aws, "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(aws, "credentials"),
    }


def symbols(binary):
    """(sorted start addresses, names) of every defined symbol."""
    out = subprocess.run(["nm", "-n", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    starts, names = [], []
    for line in out.splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) == 3:
            starts.append(int(parts[0], 16))
            names.append(parts[2])
    return starts, names


def touched_addresses(binary, arguments, environment, trace):
    """Every instruction and data address the run touches, in order (valgrind lackey)."""
    subprocess.run(
        ["valgrind", "--tool=lackey", "--trace-mem=yes", f"--log-file={trace}", binary, *arguments],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    with open(trace) as f:
        for line in f:
            # "I  0040a300,4", " L 04c2f5a0,8", " S …", " M …"
            if line[:2] in ("I ", " L", " S", " M"):
                yield int(line[3:].split(",", 1)[0], 16)


def main():
    starts, names = symbols(BINARY)
    end = max(starts)
    order, seen = [], set()
    with tempfile.TemporaryDirectory() as work:
        # valgrind cannot read the release binary's debug information; the layout is unchanged.
        stripped = os.path.join(work, "aws-runas")
        subprocess.run(["strip", "--strip-debug", "-o", stripped, BINARY], check=True)
        environment = write_sandbox(os.path.join(work, "home"))
        for arguments in COMMANDS:
            for address in touched_addresses(stripped, arguments, environment, os.path.join(work, "trace")):
                if address < starts[0] or address > end:
                    continue
                name = names[bisect.bisect_right(starts, address) - 1]
                if name not in seen:
                    seen.add(name)
                    order.append(name)
    with open(OUTPUT, "w") as f:
        f.write("\n".join(order) + "\n")
    print(f"{OUTPUT}: {len(order)} symbols")


if __name__ == "__main__":
    main()
