"""Audio library figures, each as a ratio to a baseline run on the same file in the same run.

* payload hash of a 512 MiB WAV vs ``openssl dgst -sha256`` of the whole file (throughput);
* a rights-tagged copy of that WAV (sandbox + kernel copy + payload check of both files)
  vs a plain ``cp`` of it (time);
* sandboxed ``probe_many`` over 300 small WAV and FLAC files vs a bare in-process mutagen
  loop reading the same files (files per second).

Run with ``python bench/run.py audio``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import struct
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

SIZE = 512 * 1024 * 1024
RUNS = 3
SMALL_FILES = 150  # of each kind


def _timed(function: Any) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _big_wav(path: Path) -> None:
    header = b"RIFF" + struct.pack("<I", 36 + SIZE) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 2, 48000, 192000, 4, 16
    ) + b"data" + struct.pack("<I", SIZE)  # fmt: skip
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as handle:
        handle.write(header)
        for index in range(SIZE // len(block)):
            handle.write(block[index % 7 :] + block[: index % 7])


def run() -> dict[str, Any]:
    import django

    django.setup()
    from catalog.audio import RightsMetadata, payload_sha256, probe_many, write_tagged_copy

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        big = folder / "big.wav"
        _big_wav(big)
        ours, openssl = [], []
        for _ in range(RUNS):
            ours.append(_timed(lambda: payload_sha256(big)))
            openssl.append(_timed(lambda: subprocess.run(
                ["openssl", "dgst", "-sha256", str(big)], check=True, capture_output=True
            )))  # fmt: skip
        figures["payload_hash_seconds"] = round(statistics.median(ours), 3)
        figures["openssl_seconds"] = round(statistics.median(openssl), 3)
        figures["payload_hash_vs_openssl_throughput"] = round(
            statistics.median(o / p for p, o in zip(ours, openssl, strict=True)), 3
        )
        metadata = RightsMetadata(isrc="USRC17607839", c_line="2026 Example Records Ltd",
                                  reservation_note="No AI training.")  # fmt: skip
        tagged, copied = [], []
        for index in range(RUNS):
            target = folder / f"tagged-{index}.wav"
            tagged.append(_timed(lambda t=target: write_tagged_copy(  # type: ignore[misc]
                source=big, target=t, metadata=metadata)))  # fmt: skip
            target.unlink()
            plain = folder / f"copy-{index}.wav"
            copied.append(_timed(lambda p=plain: subprocess.run(  # type: ignore[misc]
                ["cp", str(big), str(p)], check=True)))  # fmt: skip
            plain.unlink()
        figures["tagged_copy_seconds"] = round(statistics.median(tagged), 3)
        figures["cp_seconds"] = round(statistics.median(copied), 3)
        figures["tagged_copy_time_vs_cp"] = round(
            statistics.median(t / c for t, c in zip(tagged, copied, strict=True)), 3
        )
        big.unlink()

        source = folder / "small.wav"
        subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", str(source),
                        "synth", "1", "sine", "440"], check=True)  # fmt: skip
        subprocess.run(["sox", str(source), str(folder / "small.flac")], check=True)
        paths = []
        for index in range(SMALL_FILES):
            for suffix in (".wav", ".flac"):
                path = folder / f"s{index}{suffix}"
                shutil.copyfile(folder / f"small{suffix}", path)
                paths.append(path)
        import mutagen

        bare = _timed(lambda: [mutagen.File(p).info.length for p in paths])  # type: ignore[attr-defined]
        sandboxed = _timed(lambda: probe_many(paths))
        figures["probe_files"] = len(paths)
        figures["bare_mutagen_files_per_second"] = round(len(paths) / bare)
        figures["probe_many_files_per_second"] = round(len(paths) / sandboxed)
        figures["probe_many_vs_bare_mutagen"] = round(bare / sandboxed, 3)
    return figures
