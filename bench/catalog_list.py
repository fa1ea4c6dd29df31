"""Recording list and search API at 500,000 recordings, against a bare DRF list.

Both are served by gunicorn (2 sync workers) on loopback and loaded with
``wrk -t1 -c4 -d10s --latency`` (performance.md §6). The baseline is DRF's ListAPIView
with CursorPagination over the same table and no authentication
(bench/bare_urls.py). Ours is the real endpoint: token authentication, label access,
throttling (with a rate far above the load), filters, keyset pages of 50.
"""

from __future__ import annotations

import os
import random
import re
import socket
import subprocess
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

RECORDINGS = 500_000
OTHER_LABEL = 20_000
DURATION = "10s"
ROOT = Path(__file__).resolve().parent.parent


def _load(label_id: int, count: int, seed: int, prefix: str) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.catalog_data import WORDS

    rnd = random.Random(seed)
    now = timezone.now()
    columns = (
        "label_id, code, created_at, updated_at, isrc, title, version, display_artist, "
        "duration_ms, p_line, ai_vocals, ai_instrumentation, ai_composition, "
        "ai_post_production, ai_lyrics, notes"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy(f"COPY catalog_recording ({columns}) FROM STDIN") as copy:
            for i in range(count):
                title = " ".join(rnd.choice(WORDS) for _ in range(3)).title()
                artist = f"{rnd.choice(WORDS).title()} {rnd.choice(['Band', 'Trio', 'Collective'])}"
                copy.write_row(
                    (
                        label_id,
                        uuid.uuid4(),
                        now,
                        now,
                        f"{prefix}{i // 100000:02d}26{i % 100000:05d}",
                        title,
                        "",
                        artist,
                        rnd.randrange(60_000, 400_000),
                        "",
                        "unknown",
                        "unknown",
                        "unknown",
                        "unknown",
                        "unknown",
                        "",
                    )
                )
        cursor.execute("ANALYZE catalog_recording")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(env: dict[str, str], settings_module: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    server_env = {**env, "DJANGO_SETTINGS_MODULE": settings_module}
    gunicorn = str(Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "gunicorn")
    if not Path(gunicorn).exists():
        gunicorn = "gunicorn"
    process = subprocess.Popen(
        [
            gunicorn,
            "optout.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
        ],
        env=server_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def _wrk(url: str, headers: dict[str, str]) -> dict[str, Any]:
    command = ["wrk", "-t1", "-c4", f"-d{DURATION}", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", output)
    assert p99 is not None, output
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {
        "requests_per_second": rps,
        "p99_ms": round(float(p99.group(1)) * scale, 2),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def _check(url: str, headers: dict[str, str]) -> dict[str, Any]:
    import json

    command = ["curl", "-sf", "--max-time", "60"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, check=True).stdout
    return dict(json.loads(output))


def run() -> dict[str, Any]:
    from bench._database import bench_database

    with bench_database() as env:
        return _run(env)


def _run(env: dict[str, str]) -> dict[str, Any]:
    from optout.models import Label
    from optout.services.labels import label_create, user_get_or_create
    from optout.services.tokens import token_create

    owner, _ = user_get_or_create(email="bench-list@example.test")
    label = Label.objects.filter(slug="bench-list").first() or label_create(
        slug="bench-list", name="Bench list", owner=owner, actor=owner
    )
    other_owner, _ = user_get_or_create(email="bench-other@example.test")
    other = Label.objects.filter(slug="bench-other").first() or label_create(
        slug="bench-other", name="Bench other", owner=other_owner, actor=other_owner
    )
    _load(label.pk, RECORDINGS, 1, "SEA")
    _load(other.pk, OTHER_LABEL, 2, "NOA")
    # A database in use has statistics and a visibility map: autovacuum gathers the one
    # and sets the other after a bulk load (its insert threshold). The search plans depend
    # on the statistics, and the index-only walk of a common-word search on the map.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE catalog_recording")
    _token, key = token_create(user=owner, name="bench")
    auth = {"Authorization": f"Token {key}"}
    results: dict[str, Any] = {"recordings": RECORDINGS, "other_label_recordings": OTHER_LABEL}

    server, port = _serve(env, "bench.bare_settings")
    try:
        base = f"http://127.0.0.1:{port}/bare/recordings/"
        _check(base, {})
        _wrk(base, {})  # warm-up
        results["bare_drf_cursor_list"] = _wrk(base, {})
    finally:
        server.terminate()
        server.wait(timeout=30)

    server, port = _serve(env, "tests.settings")
    try:
        api = f"http://127.0.0.1:{port}/api/v1/labels/{label.slug}/recordings/"
        first = _check(api, auth)
        assert len(first["results"]) == 50
        deep_cursor = urllib.parse.parse_qs(urllib.parse.urlsplit(first["next"]).query)["cursor"][0]
        cases = {
            "list": api,
            "list_sorted_by_artist": f"{api}?sort=artist",
            "list_deep_page": f"{api}?cursor={deep_cursor}",
            "search_common_word": f"{api}?q=river",
            "search_two_words": f"{api}?q=velvet+shadow",
            "search_no_match": f"{api}?q=zzqx",
            "search_isrc": f"{api}?q=SE-A02-26-12345",
        }
        _wrk(api, auth)  # warm-up
        for name, url in cases.items():
            results[name] = _wrk(url, auth)
    finally:
        server.terminate()
        server.wait(timeout=30)
    baseline = results["bare_drf_cursor_list"]["requests_per_second"]
    results["ratios_vs_bare"] = {
        name: round(results[name]["requests_per_second"] / baseline, 3) for name in cases
    }
    results["goal"] = ">= 0.5x the bare list, p99 <= 50 ms"
    return results
