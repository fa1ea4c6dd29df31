"""Real Celery workers and a private Redis for the tests that cross the worker boundary."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis
from django.conf import settings

from optout.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Any, *, timeout: float, interval: float = 0.1, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what or predicate}")


@dataclass
class RedisServer:
    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: _pings(client), timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        """Like the machine's Redis: nothing survives a restart."""
        self.stop()
        self.start()

    def queue_length(self, queue: str = "celery") -> int:
        return int(redis.Redis.from_url(self.url).llen(queue))


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at ``url`` (jobs created here are queued there)."""
    app: Any = celery_app  # the settings and pools touched here are not in the stubs
    old = app.conf.broker_url, app.conf.broker_write_url

    # kombu keeps connection pools per broker URL; dropping the app's references makes it
    # pick (or create) the pool of the new URL. Closing them would break the shared ones.
    def reset_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = app.conf.broker_write_url = url
    reset_pools()
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_url, app.conf.broker_write_url = old


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Worker:
    """``celery worker -B`` (with the sweeper on beat) as a separate process."""

    def __init__(self, *, broker_url: str, tmp: Path, media_root: Path, concurrency: int = 1):
        self.broker_url = broker_url
        self.tmp = tmp
        self.media_root = media_root
        self.concurrency = concurrency
        self.log = tmp / f"worker-{time.monotonic_ns()}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.settings",
            DATABASE_URL=_database_url(),
            CELERY_BROKER_URL=self.broker_url,
            OPTOUT_MEDIA_ROOT=str(self.media_root),
            OPTOUT_DATA_DIR=str(self.tmp / "var"),
            PYTHONUNBUFFERED="1",
        )
        return env

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.worker_app",
                "worker",
                "-B",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--schedule={self.tmp / 'beat-schedule'}",
                f"--hostname=test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: b" ready." in self.log.read_bytes() or self._died(),
            timeout=60,
            what="the worker to be ready",
        )
        assert not self._died(), self.log.read_text()

    def _died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def pool_children(self) -> list[psutil.Process]:
        assert self.process is not None
        children: list[psutil.Process] = psutil.Process(self.process.pid).children(recursive=True)
        return children

    def kill_everything(self) -> None:
        """kill -9 of the whole worker: main process, pool children and beat."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill_everything()
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(port=free_port(), directory=directory)
    server.start()
    try:
        with celery_broker(server.url):
            yield server
    finally:
        server.stop()


@pytest.fixture
def worker_factory(
    private_redis: RedisServer, tmp_path: Path, _media_root: Path, transactional_db: Any
) -> Iterator[Any]:
    started: list[Worker] = []

    def start(**kwargs: Any) -> Worker:
        worker = Worker(
            broker_url=private_redis.url, tmp=tmp_path, media_root=_media_root, **kwargs
        )
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def celery_worker(worker_factory: Any) -> Worker:
    worker: Worker = worker_factory()
    return worker
