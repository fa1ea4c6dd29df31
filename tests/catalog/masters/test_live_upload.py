"""A large master streamed over real HTTP (curl → live server), and a real Celery worker
taking an upload from received to ready."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from catalog.models import Master, Recording
from optout.services.tokens import token_create
from tests.audio import write_wav
from tests.catalog.masters.conftest import (
    api_masters_url,
    leftovers,
    post_file,
    sha256sum,
    stored_path,
)
from tests.conftest import Team
from tests.workers import RedisServer, Worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BIG = 128 * 1024 * 1024


def _status() -> dict[str, int]:
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _sep, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def test_a_large_upload_streams_over_http_and_is_hashed_on_arrival(
    live_server: Any,
    team: Team,
    recording: Recording,
    tmp_path: Path,
    private_redis: RedisServer,
    _media_root: Path,
    _private_upload_dir: Path,
) -> None:
    big = tmp_path / "session master.wav"
    write_wav(big, size=BIG)
    _token, key = token_create(user=team.a_r, name="upload")
    # The server runs in this process: reset its peak memory mark, upload, read the peak.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status()["VmRSS"]
    done = subprocess.run(
        [
            "curl", "-sS", "--fail-with-body", "-H", f"Authorization: Token {key}",
            "-F", f"recording={recording.isrc}", "-F", f"file=@{big}",
            f"{live_server.url}{api_masters_url(team)}",
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    growth = _status()["VmHWM"] - before
    assert done.returncode == 0, done.stdout + done.stderr
    body = json.loads(done.stdout)
    expected = sha256sum(big)
    assert body["received_sha256"] == expected
    assert body["size"] == BIG and body["original_name"] == "session master.wav"
    assert body["job"]["status"] == "pending"
    assert sha256sum(stored_path(_media_root, expected)) == expected
    assert leftovers(_private_upload_dir) == []
    # 128 MiB went through; memory grew by a small, fixed amount (1 MiB chunks).
    assert growth < 48 * 1024 * 1024, growth
    assert private_redis.queue_length() == 1


def test_a_real_worker_takes_an_upload_from_received_to_ready(
    team: Team,
    recording: Recording,
    samples: dict[str, Path],
    celery_worker: Worker,
) -> None:
    client = team.client_for(team.a_r)
    with transaction.atomic():
        response = post_file(
            client, api_masters_url(team), samples["flac"], recording=str(recording.code)
        )
    assert response.status_code == 201, response.content
    master: Master = Master.objects.for_label(team.label).get(code=response.json()["id"])

    def settled() -> bool:
        # The master settles inside the job; the job is marked done when its handler returns.
        master.refresh_from_db()
        if master.job is not None:
            master.job.refresh_from_db()
        return (
            master.is_final and master.job is not None and master.job.status in ("done", "failed")
        )

    wait_for(settled, timeout=60, what="the worker to process the master")
    assert master.status == Master.Status.READY, celery_worker.output()
    assert master.verified_sha256 == master.received_sha256 == sha256sum(samples["flac"])
    assert master.format == "flac" and master.is_current
    assert master.job is not None
    master.job.refresh_from_db()
    assert master.job.status == "done" and master.job.progress == 100
