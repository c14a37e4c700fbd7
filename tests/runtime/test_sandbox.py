"""What a handler can reach: no credential of this shell under scan, no variable of this
shell anywhere unless asked, and nothing it starts outlives its invocation."""

import base64
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from support.projects import sam_api
from support.serving import serve

#: an access key id per credential source of this shell; none may sign a request
SHELL_KEYS = {
    "environment": "AKIASHELLENVIRONMENT",
    "credentials file": "AKIASHELLCREDENTIALS",
    "config file": "AKIASHELLCONFIGFILE1",
    "~/.boto": "AKIASHELLBOTOHOMEDIR",
    "BOTO_CONFIG": "AKIASHELLBOTOCONFIG1",
}
BEARER = "shell-bedrock-bearer-token-secret"


@contextmanager
def stand_in_for_aws() -> Iterator[tuple[str, list[str]]]:
    """A loopback listener that records every request's Authorization header."""
    seen: list[str] = []

    class Record(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            seen.append(str(self.headers.get("Authorization")))
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def shell_with_every_credential(home: Path, endpoint: str) -> dict[str, str]:
    """A shell whose every source botocore reads holds its own fake account."""
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text(
        f"[default]\naws_access_key_id = {SHELL_KEYS['credentials file']}\n"
        "aws_secret_access_key = shell-secret\n"
    )
    (home / ".aws" / "config").write_text(
        "[profile other]\nregion = us-east-1\n"
        f"aws_access_key_id = {SHELL_KEYS['config file']}\naws_secret_access_key = s\n"
    )
    (home / ".boto").write_text(
        f"[Credentials]\naws_access_key_id = {SHELL_KEYS['~/.boto']}\n"
        "aws_secret_access_key = shell-secret\n"
    )
    (home / "boto.cfg").write_text(
        f"[Credentials]\naws_access_key_id = {SHELL_KEYS['BOTO_CONFIG']}\n"
        "aws_secret_access_key = shell-secret\n"
    )
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "APIGW_DOCTOR_PYTHON": sys.executable,
        "AWS_ACCESS_KEY_ID": SHELL_KEYS["environment"],
        "AWS_SECRET_ACCESS_KEY": "shell-secret",
        "AWS_PROFILE": "default",
        "BOTO_CONFIG": str(home / "boto.cfg"),
        "AWS_CREDENTIAL_FILE": str(home / ".aws" / "credentials"),
        "AWS_BEARER_TOKEN_BEDROCK": BEARER,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": "us-east-1",
    }


def scan_json(folder: Path, env: dict[str, str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, "-m", "apigw_doctor", "scan", str(folder), "--format", "json", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def test_no_credential_of_the_shell_reaches_a_handler_under_scan(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    sam_api(code)
    with stand_in_for_aws() as (endpoint, seen):
        (code / "app.py").write_text(
            "import boto3\n\n"
            "def handler(event, context):\n"
            f"    boto3.client('sts', endpoint_url={endpoint!r}).get_caller_identity()\n"
            "    return {'statusCode': 200, 'body': 'called'}\n"
        )
        shell = shell_with_every_credential(tmp_path, endpoint)
        scan_json(code, shell)
    signed = "\n".join(seen)
    assert seen, "the handler's call never reached the listener"
    for source, key in SHELL_KEYS.items():
        assert key not in signed, f"the shell's {source} signed a request"
    assert BEARER not in signed
    assert "AKIAAPIGWDOCTORLOCAL" in signed  # the placeholder, nothing else


def test_a_call_to_aws_under_scan_is_named_and_not_checked(tmp_path: Path) -> None:
    sam_api(tmp_path)
    (tmp_path / "app.py").write_text(
        "import boto3\n\n"
        "def handler(event, context):\n"
        "    items = boto3.client('dynamodb', region_name='us-east-1').scan(TableName='t')\n"
        "    return {'statusCode': 200, 'body': str(items['Count'])}\n"
    )
    with stand_in_for_aws() as (endpoint, seen):
        status, report = scan_json(tmp_path, shell_with_every_credential(tmp_path, endpoint))
    (handler,) = report["handlers"]
    assert status == 0 and not handler["failing"] and not seen  # the shell's endpoint unused
    assert "the handler called AWS: dynamodb Scan" in handler["notCheckedHere"]
    assert "--mock-aws" in handler["notCheckedHere"]


def test_handlers_see_the_templates_variables_not_the_shells(tmp_path: Path) -> None:
    sam_api(tmp_path, properties="      CodeUri: .\n      Environment: {Variables: {TABLE: t}}\n")
    (tmp_path / "app.py").write_text(
        "import os\n\n"
        "def handler(event, context):\n"
        "    seen = [os.environ.get(n, '-') for n in ('TABLE', 'DATABASE_URL', 'TZ')]\n"
        "    return {'statusCode': 200, 'body': ' '.join(seen)}\n"
    )
    shell = {**os.environ, "DATABASE_URL": "postgres://secret@db", "TZ": "Europe/Paris"}

    def body(*args: str) -> str:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "apigw_doctor",
                "invoke",
                "Fn",
                "GET",
                "/",
                "--format",
                "json",
                "--no-aws",
                *args,
            ],
            capture_output=True,
            text=True,
            env=shell,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return base64.b64decode(json.loads(done.stdout)["body_base64"]).decode()

    assert body() == "t - :UTC"  # as in Lambda: TZ is :UTC, the shell's secrets stay home
    assert body("--inherit-env") == "t postgres://secret@db Europe/Paris"


def test_a_module_reading_a_variable_the_template_never_sets_says_which(tmp_path: Path) -> None:
    sam_api(tmp_path)
    (tmp_path / "app.py").write_text(
        "import os\nTABLE = os.environ['ORDERS_TABLE']\n\n"
        "def handler(event, context):\n    return {'statusCode': 200, 'body': TABLE}\n"
    )
    status, report = scan_json(tmp_path, {**os.environ, "ORDERS_TABLE": "from-the-shell"})
    (handler,) = report["handlers"]
    assert status == 0 and not handler["failing"]
    assert "ORDERS_TABLE" in handler["notCheckedHere"]
    assert "Environment Variables" in handler["notCheckedHere"]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux /proc")
def test_what_an_invocation_starts_ends_with_it(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    (tmp_path / "app.py").write_text(
        "import subprocess, sys\n\n"
        "def handler(event, context):\n"
        "    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'],\n"
        "                             start_new_session=True)  # leaves the worker's group\n"
        f"    open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "    return {'statusCode': 200, 'body': 'started'}\n"
    )
    process, base = serve("app.py:handler", cwd=tmp_path)
    try:
        assert httpx.get(base + "/").text == "started"
        pid = int(pid_file.read_text())
        deadline = time.monotonic() + 10
        while alive(pid):
            assert time.monotonic() < deadline, "the handler's child outlived its invocation"
            time.sleep(0.1)
        assert httpx.get(base + "/").text == "started"  # the worker serves on
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert not alive(int(pid_file.read_text()))


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="Linux /proc")
def test_the_memory_of_the_handlers_children_counts(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import subprocess, sys, time\n\n"
        "def handler(event, context):\n"
        "    code = 'import time; b = bytearray(400 * 2**20); b[::4096] = b\"x\" * len(b[::4096]);'"
        " ' time.sleep(5)'\n"
        "    subprocess.Popen([sys.executable, '-c', code], start_new_session=True)\n"
        "    time.sleep(3)\n"
        "    return {'statusCode': 200, 'body': 'fits?'}\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "apigw_doctor",
            "invoke",
            "app.py:handler",
            "GET",
            "/",
            "--memory",
            "128",
            "--timeout",
            "10",
            "--format",
            "json",
            "--no-aws",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    verdict = json.loads(done.stdout)
    assert done.returncode == 1 and verdict["status"] == 502
    assert "Runtime.OutOfMemory" in done.stdout
