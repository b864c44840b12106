#!/usr/bin/env python3
"""The API contract run (`make contract`, a step of `make test`).

Starts the local portal on a free loopback port over a fresh data folder, checks that the
OpenAPI document it serves is valid OpenAPI 3.1 (openapi-spec-validator), then runs Schemathesis
against that document, signed in once as a fresh applicant and once as a fresh officer, with
every check (response-schema conformance among them), a fixed seed and a bounded number of
examples. It prints the findings grouped by operation and check and exits non-zero on any.

The applicant registers through the API (the confirmation code from local mode's outbox); the
officer is created with the admin CLI, the supported way to make one, before the portal starts
(one process at a time owns the embedded store); both enrol an authenticator, whose codes are
computed here (RFC 6238), and sign in. `POST /api/auth/logout` ends every session of its caller,
`POST /api/auth/end-session` and `DELETE /api/me/sessions/{id}` the caller's own, so each caller's
sign-outs are tested in a run of their own, after everything else.

Run it from the repository root with the project venv's Python:
    .venv/bin/python tests/contract/run.py [--portal target/debug/portal] [--seed N] ...
"""

from __future__ import annotations

import argparse
import base64
import collections
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PASSWORD = "contract run passphrase"
# The routes that end the caller's own session (`DELETE /api/me/sessions/{id}` does when its
# id is the caller's: the stateful phase finds it in `GET /api/me/sessions`).
SIGN_OUTS = ["Logout", "EndThisSession", "EndSession"]
OWN_PROFILE = "UpdateMe"
# Cheap password hashing: the run measures the contract, not Argon2.
CHEAP_HASHING = {"PORTAL_ARGON2_MEMORY_KIB": "1024", "PORTAL_ARGON2_ITERATIONS": "1"}


def log(message: str) -> None:
    print(f"[contract] {message}", flush=True)


# --- HTTP -------------------------------------------------------------------------------------


def call(base: str, method: str, path: str, body: object = None, token: str | None = None):
    """One request; returns (status, headers, parsed JSON or None)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    if data is not None:
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, error.headers, error.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, headers, parsed


def expect(base: str, method: str, path: str, body: object, status: int, token: str | None = None):
    """A request that must answer `status`. A rate limit (429) is waited out as its Retry-After
    says, up to two minutes; `body` may be a function, called again for each attempt (a TOTP
    code computed before the wait would be stale after it)."""
    for _ in range(5):
        got, headers, parsed = call(base, method, path, body() if callable(body) else body, token)
        wait = int(headers.get("retry-after", "0")) if headers.get("retry-after", "").isdigit() else 0
        if got == 429 and 0 < wait <= 120:
            log(f"{method} {path} is rate limited; waiting {wait + 1} s as Retry-After says")
            time.sleep(wait + 1)
            continue
        if got != status:
            raise RuntimeError(f"{method} {path} answered {got}, expected {status}: {parsed}")
        return parsed
    raise RuntimeError(f"{method} {path} stayed rate limited")


# --- TOTP (RFC 6238: SHA-1, 30-second steps, 6 digits), as an authenticator app computes it ----


def totp(secret: str, step: int) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


@dataclass
class Account:
    role: str
    email: str
    secret: str = ""
    token: str = ""
    last_step: int = -1  # the portal refuses a code used before: each sign-in takes a new step

    def code(self) -> str:
        step = int(time.time()) // 30
        while step <= self.last_step:
            time.sleep(1)
            step = int(time.time()) // 30
        self.last_step = step
        return totp(self.secret, step)


def sign_in(base: str, account: Account) -> None:
    """Password, then the authenticator: enrolled at the first sign-in, asked at the next."""
    answer = expect(base, "POST", "/api/auth/login", {"email": account.email, "password": PASSWORD}, 200)
    if answer["challenge"] == "MFA_SETUP":
        setup = expect(base, "POST", "/api/auth/mfa/setup", {"session": answer["session"]}, 200)
        account.secret = setup["secret"]
        body = lambda: {"session": setup["session"], "code": account.code()}  # noqa: E731
        tokens = expect(base, "POST", "/api/auth/mfa/setup/verify", body, 200)
    else:
        body = lambda: {"session": answer["session"], "code": account.code()}  # noqa: E731
        tokens = expect(base, "POST", "/api/auth/mfa", body, 200)
    account.token = tokens["accessToken"]


def signed_in(base: str, account: Account) -> None:
    """Signs in again if the token expired (15 minutes) since it was issued."""
    if call(base, "GET", "/api/me", token=account.token)[0] != 200:
        log(f"the {account.role}'s token is no longer accepted: signing in again")
        sign_in(base, account)


def register_applicant(base: str) -> Account:
    account = Account("applicant", f"applicant-{secrets.token_hex(4)}@contract.test")
    body = {
        "email": account.email,
        "password": PASSWORD,
        "givenName": "Contract",
        "familyName": "Applicant",
        "preferredLanguage": "en",
    }
    expect(base, "POST", "/api/auth/register", body, 201)
    outbox = expect(base, "GET", "/api/dev/outbox", None, 200)
    code = next(m["code"] for m in outbox if m["to"] == account.email and m.get("code"))
    expect(base, "POST", "/api/auth/confirm", {"email": account.email, "code": code}, 204)
    sign_in(base, account)
    return account


def seed(base: str, applicant: Account, report_dir: Path) -> Path:
    """A draft with a document and a message, so that generated paths can name real ids.

    Schemathesis draws each id from these known ones half of the time (and generates one
    otherwise): with ids alone, every case read would be a 404 and never reach its handler.
    """
    token = applicant.token
    draft = expect(base, "POST", "/api/applications", {"type": "visitor-visa"}, 201, token)
    known = [draft["id"]]
    declared = {"kind": "passport", "fileName": "passport.pdf", "contentType": "application/pdf", "size": 5}
    upload = call(base, "POST", f"/api/applications/{draft['id']}/documents", declared, token)
    if upload[0] == 201 and upload[2]:
        known.append(upload[2]["documentId"])
    message = call(base, "POST", f"/api/applications/{draft['id']}/messages", {"body": "Hello"}, token)
    if message[0] == 201 and message[2]:
        known.append(message[2].get("id") or message[2].get("messageId"))
    log(f"seeded ids: {', '.join(map(str, known))}")
    config = report_dir / "schemathesis.toml"
    bindings = "\n".join(f'"path.{name}" = {{ dictionary = "known-ids", probability = 0.5 }}'
                         for name in ("id", "docId", "messageId"))
    rules = (Path(__file__).parent / "schemathesis.toml").read_text()
    config.write_text(f"{rules}\n[dictionaries.known-ids]\nvalues = {json.dumps(known)}\n\n[parameters]\n{bindings}\n")
    return config


def create_officer(admin: Path, env: dict[str, str]) -> Account:
    """With the admin CLI, before the portal starts: the only way officers are made."""
    account = Account("officer", f"officer-{secrets.token_hex(4)}@contract.test")
    command = [str(admin), "create-officer", "--email", account.email, "--given-name", "Contract",
               "--family-name", "Officer"]
    subprocess.run(command, env={**env, "PORTAL_ADMIN_PASSWORD": PASSWORD}, check=True,
                   stdout=subprocess.DEVNULL)
    return account


# --- The portal -------------------------------------------------------------------------------


class Portal:
    """The portal binary on a free loopback port; its output is kept in a log file."""

    def __init__(self, binary: Path, env: dict[str, str], log_path: Path):
        self.log_path = log_path
        self.process = subprocess.Popen([str(binary)], env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        found = threading.Event()
        self.url = ""

        def read() -> None:  # keeps reading: a full pipe would block the portal
            with open(log_path, "w") as out:
                for line in self.process.stdout:
                    out.write(line)
                    out.flush()
                    if not self.url:
                        words = [w for w in line.split() if w.startswith("http://")]
                        if words:
                            self.url = words[0].rstrip("/")
                            found.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + 60
        while not found.wait(0.2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the portal did not start (see {log_path})")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # lets requests in flight finish
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def panics(self) -> list[str]:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines() if "panicked" in line]


# --- The meta-schema check --------------------------------------------------------------------


def check_document(base: str) -> list[str]:
    """Problems of the served document as OpenAPI 3.1 (empty when it is valid)."""
    from openapi_spec_validator import OpenAPIV31SpecValidator

    status, headers, document = call(base, "GET", "/api/openapi.json")
    if status != 200 or document is None:
        return [f"GET /api/openapi.json answered {status}"]
    problems = []
    if not str(document.get("openapi", "")).startswith("3.1."):
        problems.append(f"the document says openapi {document.get('openapi')!r}, not 3.1.x")
    validator = OpenAPIV31SpecValidator(document)
    problems += [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                 for e in validator.iter_errors()]
    return problems


# --- Schemathesis -----------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    account: Account
    selection: list[str]
    exit_code: int = 0
    seconds: float = 0.0
    findings: dict = field(default_factory=lambda: collections.defaultdict(list))
    errors: list[str] = field(default_factory=list)


def schemathesis(base: str, run: Run, options: argparse.Namespace, report_dir: Path) -> None:
    ndjson = report_dir / f"{run.name}.ndjson"
    command = [
        str(VENV_BIN / "schemathesis"), "--config-file", str(options.config), "run", f"{base}/api/openapi.json",
        "--header", f"Authorization: Bearer {run.account.token}",
        # Every check: the defaults (all of them in Schemathesis 4) and, named by being
        # included, response_schema_conformance, whatever the defaults become.
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--mode", "all",  # valid and invalid requests
        "--seed", str(options.seed),
        "--max-examples", str(options.max_examples),
        "--workers", str(options.workers),
        "--generation-database", "none",  # each run from its seed alone, no .hypothesis folder
        "--request-timeout", "30",
        "--no-color",
        "--report", "ndjson", "--report-ndjson-path", str(ndjson),
        *run.selection,
    ]
    started = time.monotonic()
    with open(report_dir / f"{run.name}.log", "w") as out:
        completed = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, cwd=report_dir)
    run.seconds = time.monotonic() - started
    run.exit_code = completed.returncode
    if ndjson.exists():
        read_findings(ndjson, run)
    if run.exit_code != 0 and not run.findings and not run.errors:
        run.errors.append(f"schemathesis exited {run.exit_code} (see {report_dir / (run.name + '.log')})")


def read_findings(ndjson: Path, run: Run) -> None:
    """Failed checks by (operation, check), with the status and body of one example each."""
    seen = set()
    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        if "NonFatalError" in event or "FatalError" in event:
            error = event.get("NonFatalError") or event.get("FatalError")
            run.errors.append(f"{error.get('label', '')}: {error.get('info', error)}"[:500])
            continue
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished["recorder"]
        for case_id, checks in recorder.get("checks", {}).items():
            for check in checks:
                if check["status"] != "failure":
                    continue
                failure = check["failure_info"]["failure"]
                key = (recorder["label"], check["name"])
                signature = (key, failure.get("title"), failure.get("message"))
                if signature in seen:
                    continue
                seen.add(signature)
                run.findings[key].append({
                    "title": failure.get("title", ""),
                    "message": failure.get("message", ""),
                    "case": case_id,
                    **interaction(recorder, case_id),
                })


def interaction(recorder: dict, case_id: str) -> dict:
    found = recorder.get("interactions", {}).get(case_id)
    if not found or not found.get("response"):
        return {}
    request, response = found["request"], found["response"]
    content = response.get("content") or {}
    body = base64.b64decode(content["$base64"]).decode(errors="replace") if "$base64" in content else ""
    return {
        "request": f"{request['method']} {request['uri']}",
        "status": response["status_code"],
        "body": body[:300],
    }


def report(runs: list[Run], document_problems: list[str], panics: list[str]) -> int:
    print()
    print("=" * 100)
    print("API contract run: summary")
    print("=" * 100)
    if document_problems:
        print(f"\nOpenAPI 3.1 meta-schema: {len(document_problems)} problem(s)")
        for problem in document_problems:
            print(f"  - {problem}")
    else:
        print("\nOpenAPI 3.1 meta-schema: the served document is valid")
    total = len(document_problems) + len(panics)
    for run in runs:
        count = sum(len(v) for v in run.findings.values())
        total += count + len(run.errors)
        print(f"\n[{run.name}] exit {run.exit_code}, {run.seconds:.0f} s, {count} finding(s) "
              f"in {len(run.findings)} operation/check pair(s)")
        for (operation, check), items in sorted(run.findings.items()):
            print(f"  {operation}  ·  {check}")
            for item in items[:3]:
                print(f"      {item['title']}: {item['message'].splitlines()[0] if item['message'] else ''}")
                if "status" in item:
                    print(f"        e.g. {item['request']} -> {item['status']} {item['body'][:160]}")
            if len(items) > 3:
                print(f"      … and {len(items) - 3} more")
        for error in run.errors:
            print(f"  error: {error}")
    if panics:
        print("\nThe portal panicked:")
        for line in panics[:10]:
            print(f"  {line[:300]}")
    by_check = collections.Counter(check for run in runs for (_, check), v in run.findings.items()
                                   for _ in v)
    if by_check:
        print("\nFindings by check: " + ", ".join(f"{c} {n}" for c, n in by_check.most_common()))
    print(f"\n{'PASSED: zero findings' if total == 0 else f'FAILED: {total} finding(s) or error(s)'}")
    return 0 if total == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portal", type=Path,
                        default=Path(os.environ.get("PORTAL_BIN", ROOT / "target/debug/portal")))
    parser.add_argument("--admin", type=Path,
                        default=Path(os.environ.get("PORTAL_ADMIN_BIN", ROOT / "target/debug/portal-admin")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CONTRACT_SEED", "20261201")))
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("CONTRACT_MAX_EXAMPLES", "50")))
    # One worker: Debian's Python 3.11.7 has CPython's gh-106905 (a spurious "AST constructor
    # recursion depth mismatch" SystemError, fixed in 3.11.8), which two workers' threads hit
    # now and then inside Schemathesis; one thread has not.
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--report-dir", type=Path, default=None,
                        help="keep Schemathesis's logs and NDJSON reports there (default: a temporary folder)")
    parser.add_argument("--only", choices=["applicant", "officer"], default=None,
                        help="run one caller's runs only")
    options = parser.parse_args()

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="portal-contract-"))
    report_dir = options.report_dir.resolve() if options.report_dir else work / "reports"
    report_dir.mkdir(parents=True, exist_ok=True)
    (work / "site").mkdir()  # the web app is not under test
    env = {
        **os.environ,
        "PORTAL_ADDR": "127.0.0.1:0",
        "PORTAL_DATA_DIR": str(work / "data"),
        "PORTAL_FRONTEND_DIR": str(work / "site"),
        "PORTAL_ECHO_MESSAGES": "false",
        "RUST_LOG": "warn",
        **CHEAP_HASHING,
    }
    # A SIGTERM (make or CI stopping the run) unwinds like Ctrl-C, so the portal is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    portal = None
    try:
        officer = create_officer(options.admin, env)
        portal = Portal(options.portal, env, report_dir / "portal.log")
        base = portal.url
        log(f"portal at {base}; reports in {report_dir}")
        problems = check_document(base)
        log(f"OpenAPI 3.1 meta-schema: {'valid' if not problems else f'{len(problems)} problem(s)'}")
        applicant = register_applicant(base)
        sign_in(base, officer)
        log(f"signed in: {applicant.email} (applicant), {officer.email} (officer)")
        options.config = seed(base, applicant, report_dir)

        public = public_operations(base)
        runs = [
            # Everything but the sign-out, as the applicant; officer routes answer them 403.
            Run("applicant", applicant, excluding(SIGN_OUTS)),
            # What needs a token, as the officer (routes without one were tested above). The
            # caller's own profile change is one code path for every caller and is tested above
            # too; run again as the officer, Schemathesis 4.32.5's coverage phase takes optional
            # properties of `MePatch` for required ones and reports `{}` as invalid data accepted.
            Run("officer", officer, excluding([*SIGN_OUTS, OWN_PROFILE, *public])),
            # Last: signing out ends the caller's sessions, so every later request is a 401.
            Run("applicant-sign-out", applicant, including(SIGN_OUTS)),
            Run("officer-sign-out", officer, including(SIGN_OUTS)),
        ]
        if options.only:
            runs = [r for r in runs if r.account.role == options.only]
        for run in runs:
            signed_in(base, run.account)
            log(f"schemathesis: {run.name} (seed {options.seed}, at most {options.max_examples} examples an operation)")
            schemathesis(base, run, options, report_dir)
            log(f"{run.name}: exit {run.exit_code} in {run.seconds:.0f} s")
    finally:
        if portal:
            portal.stop()
        shutil.rmtree(work / "data", ignore_errors=True)
    outcome = report(runs, problems, portal.panics())
    if not options.report_dir and outcome == 0:
        shutil.rmtree(work, ignore_errors=True)
        print(f"Took {time.monotonic() - started:.0f} s.")
    else:
        print(f"Took {time.monotonic() - started:.0f} s. Logs and NDJSON reports: {report_dir}")
    return outcome


def excluding(operations: list[str]) -> list[str]:
    return [a for op in operations for a in ("--exclude-operation-id", op)]


def including(operations: list[str]) -> list[str]:
    return [a for op in operations for a in ("--include-operation-id", op)]


def public_operations(base: str) -> list[str]:
    """Operation ids of the document that take no token."""
    _, _, document = call(base, "GET", "/api/openapi.json")
    return sorted(
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation and not operation.get("security")
    )


if __name__ == "__main__":
    sys.exit(main())
