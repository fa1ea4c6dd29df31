"""Uploading a master over loopback HTTP, end to end, against a plain ``cp`` of the file.

gunicorn (one sync worker, production settings, DEBUG off) serves the upload API on
loopback; curl streams a multipart POST of a WAV of OPTOUT_BENCH_MASTER_BYTES (default
2 GiB). The server receives the body in 1 MiB chunks, hashes each chunk as it arrives and
writes it once, checks the audio format, moves the file into the blob store and records the
master, its job and the ledger entry; curl ends when the 201 answer arrives. Each pair times
``cp`` of the same file and then the upload (whole processes), OPTOUT_BENCH_UPLOAD_PAIRS
pairs (default 7) after a warm-up pair; the ratio is cp's time over the upload's (a
throughput ratio: higher is better). Every upload sends different bytes (8 bytes change),
so it is really stored; the stored copy and cp's copy are deleted after each run.

Control: each round also sends the file with curl to a bare one-thread Python sink that
hashes and writes 1 MiB blocks (bench/_upload_sink.py), the best a Python server reaches
here at that moment; ``ratio_vs_sink`` says how close the full upload path comes to it
(on a loaded machine both fall together against cp).

Resumable: each round also sends the file through the resumable upload API (the page's
path: pieces of OPTOUT_UPLOAD_CHUNK_BYTES on one keep-alive connection, then one hash of the
assembled file; bench/_resumable_client.py), reported as its own ratio to cp.

Memory: the gunicorn worker's peak RSS during each upload (its mark is reset before).

The benchmark makes its own database (``<DATABASE_URL name>_bench_upload``, dropped at the
end), data directory and gunicorn; nothing else is touched. Targets (issue 3): >= 0.3x cp,
<= 150 MiB RSS in the web process.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg

ROOT = Path(__file__).resolve().parent.parent
SIZE = int(os.environ.get("OPTOUT_BENCH_MASTER_BYTES", str(2 * 1024**3)))
PAIRS = int(os.environ.get("OPTOUT_BENCH_UPLOAD_PAIRS", "7"))
MIB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_wav(path: Path, size: int) -> None:
    """A 16-bit stereo WAV of ``size`` bytes of noise."""
    data_size = size - 44
    header = b"RIFF" + struct.pack("<I", size - 8) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 2, 48000, 48000 * 4, 4, 16)
    header += b"data" + struct.pack("<I", data_size)
    with path.open("wb") as out:
        out.write(header)
        left = data_size
        while left:
            step = min(left, 8 * MIB)
            out.write(os.urandom(step))
            left -= step


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _database_urls() -> tuple[str, str, str]:
    """(admin URL, bench database URL, bench database name) from DATABASE_URL."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/optout")
    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'optout'}_bench_upload"
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{name}")), name


def _recreate_database(admin: str, name: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def _server_env(data_dir: Path, database_url: str) -> dict[str, str]:
    drop = {"CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE", "OPTOUT_MEDIA_ROOT",
            "OPTOUT_TEMP_DIR"}  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        DJANGO_SETTINGS_MODULE="optout.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-secret-key-not-for-production-0123456789abcdefghij",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        OPTOUT_STATIC_MANIFEST="false",
        OPTOUT_EMAIL="console",
        OPTOUT_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        # As in the production image (Dockerfile): no malloc churn on 1 MiB chunks.
        GLIBC_TUNABLES="glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824",
    )
    return env


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


class _Server:
    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.process: subprocess.Popen[bytes] | None = None
        self.worker: psutil.Process | None = None

    def start(self, log: Path) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "optout.wsgi", "-w", "1", "-k", "sync", "--timeout", "900",
             "-b", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null"],
            cwd=ROOT, env=self.env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ok = subprocess.run(
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                 f"http://127.0.0.1:{self.port}/healthz"],
                capture_output=True, text=True, check=False,
            ).stdout  # fmt: skip
            if ok == "200":
                break
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer /healthz within 60 s")
        children = psutil.Process(self.process.pid).children()
        self.worker = children[0]

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def _poke(path: Path, run: int) -> None:
    """Change 8 bytes of audio so the file is new to the blob store."""
    with path.open("r+b") as handle:
        handle.seek(44)
        handle.write(struct.pack("<Q", run + 1))


def run() -> dict[str, Any]:
    admin, database_url, database = _database_urls()
    folder = Path(tempfile.mkdtemp(prefix="bench-masters-upload-"))
    server: _Server | None = None
    sink: subprocess.Popen[bytes] | None = None
    try:
        _recreate_database(admin, database)
        data_dir = folder / "var"
        env = _server_env(data_dir, database_url)
        setup = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "_masters_setup.py"), str(PAIRS + 1)],
            capture_output=True, text=True, check=True, env=env, cwd=ROOT,
        )  # fmt: skip
        facts = json.loads(setup.stdout.strip().splitlines()[-1])
        big = folder / "master.wav"
        _write_wav(big, SIZE)
        server = _Server(env, _free_port())
        server.start(folder / "gunicorn.log")
        assert server.worker is not None
        url = f"http://127.0.0.1:{server.port}/api/v1/labels/{facts['slug']}/masters/"
        media = data_dir / "media"
        copy_target = folder / "cp-target.wav"
        sink_port = _free_port()
        sink = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "_upload_sink.py"), str(sink_port),
             str(folder / "sink-target.wav")],
        )  # fmt: skip
        time.sleep(0.5)

        ratios, sink_ratios, cp_times, upload_times, sink_times, peaks, cpu = ([] for _ in range(7))
        resumable_ratios: list[float] = []
        for index in range(PAIRS + 1):
            _poke(big, index)
            expected = _sha256(big)

            started = time.perf_counter()
            subprocess.run(["cp", str(big), str(copy_target)], check=True)
            cp_seconds = time.perf_counter() - started
            copy_target.unlink()

            started = time.perf_counter()
            sunk = subprocess.run(
                ["curl", "-sS", "-T", str(big), "-X", "POST", f"http://127.0.0.1:{sink_port}/x"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            sink_seconds = time.perf_counter() - started
            if sunk.stdout != expected:
                raise RuntimeError("the sink computed another digest")
            (folder / "sink-target.wav").unlink()

            Path(f"/proc/{server.worker.pid}/clear_refs").write_text("5")
            cpu_before = _cpu_seconds(server.worker)
            started = time.perf_counter()
            answer = subprocess.run(
                ["curl", "-sS", "-w", "\n%{http_code}",
                 "-H", f"Authorization: Token {facts['token']}",
                 "-F", f"recording={facts['isrcs'][index]}", "-F", f"file=@{big}", url],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            upload_seconds = time.perf_counter() - started
            body, _newline, status = answer.stdout.rpartition("\n")
            if status != "201":
                raise RuntimeError(f"upload answered {status}: {body[:500]}")
            received = json.loads(body)["received_sha256"]
            if received != expected:
                raise RuntimeError(f"received {received}, expected {expected}")
            peak = _peak_rss(server.worker.pid)
            cpu_used = _cpu_seconds(server.worker) - cpu_before
            (media / "blobs" / "sha256" / received[:2] / received[2:4] / received).unlink()

            _poke(big, 1000 + index)  # new bytes: not a duplicate of the upload above
            sent = subprocess.run(
                [sys.executable, str(ROOT / "bench" / "_resumable_client.py"),
                 url + "uploads/", facts["token"], facts["isrcs"][index], str(big)],
                capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            resumable = json.loads(sent.stdout.strip().splitlines()[-1])
            digest = resumable["received_sha256"]
            if digest != _sha256(big):
                raise RuntimeError("the resumable upload stored another digest")
            (media / "blobs" / "sha256" / digest[:2] / digest[2:4] / digest).unlink()
            if index == 0:
                continue  # warm-up
            resumable_ratios.append(cp_seconds / resumable["seconds"])
            cp_times.append(cp_seconds)
            upload_times.append(upload_seconds)
            sink_times.append(sink_seconds)
            ratios.append(cp_seconds / upload_seconds)
            sink_ratios.append(sink_seconds / upload_seconds)
            peaks.append(peak)
            cpu.append(cpu_used)
    finally:
        if sink is not None:
            sink.kill()
            sink.wait(timeout=10)
        if server is not None:
            server.stop()
        try:
            _recreate_database(admin, database, drop_only=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    ratio = statistics.median(ratios)
    peak_mib = max(peaks) / MIB
    return {
        "size_bytes": SIZE,
        "pairs": PAIRS,
        "cp_median_s": round(statistics.median(cp_times), 3),
        "upload_median_s": round(statistics.median(upload_times), 3),
        "upload_mb_per_s": round(SIZE / statistics.median(upload_times) / 1e6),
        "ratio_vs_cp_median": round(ratio, 3),
        "ratio_vs_cp_min": round(min(ratios), 3),
        "ratio_vs_cp_max": round(max(ratios), 3),
        "ratios": [round(r, 3) for r in ratios],
        "sink_median_s": round(statistics.median(sink_times), 3),
        "sink_ratio_vs_cp_median": round(
            statistics.median(c / s for c, s in zip(cp_times, sink_times, strict=True)), 3
        ),
        "ratio_vs_sink_median": round(statistics.median(sink_ratios), 3),
        "resumable_ratio_vs_cp_median": round(statistics.median(resumable_ratios), 3),
        "resumable_ratios": [round(r, 3) for r in resumable_ratios],
        "server_peak_rss_mib": round(peak_mib, 1),
        "server_cpu_median_s": round(statistics.median(cpu), 2),
        "target_ratio": 0.3,
        "meets_ratio": ratio >= 0.3,
        "target_rss_mib": 150,
        "meets_rss": peak_mib <= 150,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
