"""`make run`'s script on the embedded default: SQLite and the filesystem broker, a real
worker and beat, the demo label, and Ctrl-C stopping every process it started."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.workers import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (ROOT / ".venv" / "bin" / "celery").exists(), reason="needs the project's .venv"
)


def _embedded_env(data_dir: Path, port: int) -> dict[str, str]:
    # Nothing of the test run's PostgreSQL/Redis settings: the embedded default.
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_dir),
        "DJANGO_DEBUG": "true",
        "OPTOUT_DATA_DIR": str(data_dir),
        "OPTOUT_RUN_PORT": str(port),
    }


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


def _post_csv(url: str, token: str, body: bytes) -> dict[str, Any]:
    boundary = "optout-test-boundary"
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(url, data=payload, method="POST")
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    with urllib.request.urlopen(request, timeout=10) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def _session_processes(session: int) -> list[str]:
    found = subprocess.run(
        ["ps", "-o", "pid=,args=", "-s", str(session)], capture_output=True, text=True
    )
    return [line for line in found.stdout.splitlines() if line.strip()]


def _celery_main(script: int, command: str) -> psutil.Process | None:
    """The main process of ``celery … <command>`` that run-dev started (not a pool child)."""
    family = psutil.Process(script).children(recursive=True)
    shells = {script} | {p.pid for p in family if _is_shell(p)}
    for process in family:
        try:
            args = process.cmdline()
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
        except psutil.Error:
            continue
        is_celery = any("celery" in a for a in args[:2])
        # A pool child's parent is the celery main process, and a pool child orphaned by a
        # kill -9 is adopted by init; only the main process has a run-dev shell as parent.
        if is_celery and command in args and process.ppid() in shells:
            return process
    return None


def _is_shell(process: psutil.Process) -> bool:
    try:
        return bool(process.name() == "bash")
    except psutil.Error:
        return False


def _wait_for(check: Any, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.worker
@pytest.mark.slow
def test_make_run_serves_the_demo_label_with_a_working_worker_and_ctrl_c_stops_all(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = _embedded_env(tmp_path, port)
    log = (tmp_path / "run.log").open("w")
    run = subprocess.Popen(
        ["bash", "scripts/run-dev"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        # A terminal's shell lets Ctrl-C through; a test runner may have it ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(lambda: _get(f"{base}/accounts/login/")[0] == 200, 120, "the web server")
        printed = (tmp_path / "run.log").read_text()
        assert "owner@demo.optout.test" in printed and "password:" in printed
        # The printed link and the published signals name the port the server listens on.
        assert f"Sign in at {base}/accounts/login/" in printed
        status, robots = _get(f"{base}/s/demo/robots.txt")
        assert status == 200
        assert f"License: {base}/s/demo/license.xml" in robots.decode()
        assert (tmp_path / "optout.sqlite3").exists()  # the embedded database

        created = subprocess.run(
            [sys.executable, "manage.py", "token", "create", "owner@demo.optout.test"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        token = created.stdout.strip().splitlines()[-1]
        started = _post_csv(
            f"{base}/api/v1/labels/demo/imports/",
            token,
            b"isrc,title,artist\nSE-QS1-26-00001,Quick Start,Band\n",
        )
        job_url = f"{base}/api/v1/labels/demo/jobs/{started['job']['id']}/"

        def job_done() -> dict[str, Any] | None:
            status, body = _get(job_url, token)
            job: dict[str, Any] = json.loads(body) if status == 200 else {}
            return job if job.get("status") in {"done", "failed"} else None

        job = _wait_for(job_done, 90, "the worker to run the import")
        assert job["status"] == "done", job
        assert job["result"]["recordings_inserted"] == 1

        # A worker that dies (kill -9 of it and its pool) is started again by run-dev.
        killed = _celery_main(run.pid, "worker")
        assert killed is not None
        for process in [*killed.children(recursive=True), killed]:
            process.kill()
        restarted = _wait_for(
            lambda: (p := _celery_main(run.pid, "worker")) and p.pid != killed.pid and p,
            60,
            "the worker to be started again",
        )
        _wait_for(
            lambda: "run-dev: the worker exited (status 137)" in (tmp_path / "run.log").read_text(),
            10,
            "run-dev to report the exit",
        )
        assert restarted.is_running()
        again = _post_csv(
            f"{base}/api/v1/labels/demo/imports/",
            token,
            b"isrc,title,artist\nSE-QS1-26-00002,Quick Restart,Band\n",
        )
        job_url = f"{base}/api/v1/labels/demo/jobs/{again['job']['id']}/"
        job = _wait_for(job_done, 90, "the restarted worker to run an import")
        assert job["status"] == "done", job
    finally:
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        code = run.wait(timeout=60)
        log.close()
    assert code == 130
    _wait_for(lambda: not _session_processes(run.pid), 20, "every process to stop")
