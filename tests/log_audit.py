#!/usr/bin/env python3
"""The log audit of a whole test run (issue 9).

CTest runs `log_audit.py reset DIR` before and `log_audit.py check DIR` after every test that
starts a server (a CTest fixture). Tests keep the logs of the servers and commands they run in
DIR (tests/support/log_audit.h) and the secrets they use in DIR/secrets-*.txt. The check fails
when any log line holds a password, an API token, a session id, an email address or an
Authorization header, or when a request line is not JSON with the fields of docs/operations.md.
"""
import json
import pathlib
import re
import shutil
import sys

REQUEST_FIELDS = ("time", "level", "method", "route", "status", "duration_ms", "bytes",
                  "account", "request_id")
PATTERNS = {
    "an API token": re.compile(r"coh_[A-Za-z0-9_-]{16,}"),
    "a session id": re.compile(r"cohort_session=|cs_[A-Za-z0-9_-]{16,}"),
    "an email address": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    "an Authorization header": re.compile(r"Bearer\s"),
    "a password field": re.compile(r"\"(password|current_password|new_password)\"\s*:"),
}


def check(directory: pathlib.Path) -> int:
    secrets = set()
    for path in directory.glob("secrets-*.txt"):
        secrets.update(s for s in path.read_text(errors="replace").splitlines() if s)
    problems = []
    files = sorted(directory.glob("*.log"))
    lines = requests = 0
    for path in files:
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            lines += 1
            where = f"{path.name}:{number}"
            for secret in secrets:
                if secret in line:
                    problems.append(f"{where}: holds a secret a test used ({secret[:4]}…): {line[:200]}")
            for what, pattern in PATTERNS.items():
                if pattern.search(line):
                    problems.append(f"{where}: holds {what}: {line[:200]}")
            if '"msg":"request"' not in line:
                continue
            requests += 1
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{where}: a request line that is not JSON ({e}): {line[:200]}")
                continue
            missing = [f for f in REQUEST_FIELDS if f not in entry]
            if missing:
                problems.append(f"{where}: request line without {', '.join(missing)}: {line[:200]}")
            elif not isinstance(entry["status"], int) or not 100 <= entry["status"] <= 599:
                problems.append(f"{where}: request line with a bad status: {line[:200]}")
    print(f"log audit: {len(files)} logs, {lines} lines, {requests} request lines, "
          f"{len(secrets)} secrets checked")
    if requests == 0:
        problems.append("no request line at all: the tests' logs were not collected")
    for p in problems[:50]:
        print("log audit: " + p)
    if len(problems) > 50:
        print(f"log audit: ... and {len(problems) - 50} more")
    return 1 if problems else 0


def selftest() -> int:
    """The audit must catch each kind of leak, and pass clean logs."""
    import tempfile
    good = ('{"time":"t","level":"info","msg":"request","method":"GET","route":"/healthz",'
            '"status":200,"duration_ms":0.1,"bytes":2,"account":"","request_id":"r1"}')
    cases = {
        "clean": ([good], [], 0),
        "token": ([good, 'x coh_AAAAAAAAAAAAAAAAAAAAAAAA y'], [], 1),
        "email": ([good, '{"msg":"oops","who":"ann@acme.example"}'], [], 1),
        "bearer": ([good, "Authorization: Bearer abc"], [], 1),
        "session": ([good, "cookie cohort_session=x"], [], 1),
        "password field": ([good, '{"password":"x"}'], [], 1),
        "recorded secret": ([good, "hunter2-long"], ["hunter2-long"], 1),
        "request line not JSON": ([good, '{"msg":"request", broken'], [], 1),
        "request line without a field": ([good.replace('"bytes":2,', "")], [], 1),
        "no request line": (["{}"], [], 1),
    }
    failed = 0
    for name, (lines, secrets, expected) in cases.items():
        with tempfile.TemporaryDirectory() as d:
            directory = pathlib.Path(d)
            (directory / "a.log").write_text("\n".join(lines) + "\n")
            (directory / "secrets-1.txt").write_text("\n".join(secrets) + "\n")
            got = check(directory)
        if got != expected:
            print(f"log audit selftest: {name}: check gave {got}, expected {expected}")
            failed += 1
    print(f"log audit selftest: {len(cases) - failed} of {len(cases)} cases right")
    return 1 if failed else 0


def main() -> int:
    if len(sys.argv) == 2 and sys.argv[1] == "selftest":
        return selftest()
    if len(sys.argv) != 3 or sys.argv[1] not in ("reset", "check"):
        print("usage: log_audit.py reset|check DIR | selftest", file=sys.stderr)
        return 2
    directory = pathlib.Path(sys.argv[2])
    if sys.argv[1] == "reset":
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        return 0
    return check(directory)


if __name__ == "__main__":
    sys.exit(main())
