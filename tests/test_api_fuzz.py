"""Schema-driven fuzzing of the whole API, per role, against a live gunicorn on loopback.

Schemathesis generates requests from the OpenAPI schema (valid and invalid bodies, query
strings and path parameters) for every operation and sends them as each role of label A
and as another label's member. Nothing it sends may produce a server error. The world of
objects is the matrix world (tests/matrix/), committed so the server process sees it.

Long: runs only in `make long-tests` (OPTOUT_LONG_TESTS=1).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from drf_spectacular.generators import SchemaGenerator

from optout.roles import Role
from optout.services.tokens import token_create
from tests.matrix._world import make_world

pytestmark = [pytest.mark.long, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EXAMPLES = int(os.environ.get("OPTOUT_FUZZ_EXAMPLES", "25"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    """The test database this process uses, for the server process to share."""
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/optout"))
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


@pytest.fixture
def live_api(transactional_db: Any, tmp_path: Path, settings: Any) -> Iterator[dict[str, Any]]:
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "allow_overwrite": True},
        },
    }
    world = make_world()
    users = {**world.roles, "outsider": world.outsider}
    keys = {name: token_create(user=user, name="fuzz")[1] for name, user in users.items()}
    schema = SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    # Every path names label A; the other path parameters stay generated (mostly 404s).
    (tmp_path / "schemathesis.toml").write_text(
        f'[parameters]\n"path.slug" = "{world.a.label.slug}"\n'
    )
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "OPTOUT_MEDIA_ROOT": str(media),
        "OPTOUT_API_USER_RATE": "100000/min",
    }
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "optout.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(tmp_path / "gunicorn.log"),
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield {"url": f"http://127.0.0.1:{port}", "keys": keys, "dir": tmp_path}
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("role", [*[r.value for r in Role], "outsider"])
def test_no_generated_request_is_a_server_error(live_api: dict[str, Any], role: str) -> None:
    directory: Path = live_api["dir"]
    result = subprocess.run(
        [
            str(BIN / "st"),
            "--config-file",
            str(directory / "schemathesis.toml"),
            "run",
            str(directory / "schema.json"),
            "--url",
            live_api["url"],
            "-H",
            f"Authorization: Token {live_api['keys'][role]}",
            "--phases",
            "examples,fuzzing",
            # The resumable upload's PUT body is raw bytes (application/offset+octet-stream),
            # which schemathesis cannot generate; tests/catalog/masters/test_resumable.py
            # covers that protocol.
            "--exclude-path-regex",
            r"/masters/uploads/\{code\}/$",
            "--workers",
            "2",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            "1",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        cwd=directory,
        timeout=3600,
    )
    (directory / f"schemathesis-{role}.txt").write_text(result.stdout + result.stderr)
    log = (directory / "gunicorn.log").read_text()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:] + log[-4000:]
