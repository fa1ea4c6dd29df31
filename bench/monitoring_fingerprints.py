"""Fingerprinting throughput, recall and precision on the transformation set, and what the
chroma soundalike leads find and miss.

* ``throughput``: audio seconds per CPU second (this process and its FFmpeg children) of
  ``monitoring.audio.fingerprint_file`` (what matching needs) and ``analyse_file`` (what the
  master job does: fingerprint, chroma and waveform from one read), against
  ``fpcalc -raw -length 0`` on the same 240 s 16-bit stereo 44.1 kHz WAV files, and on
  their FLAC encodings (decoded by FFmpeg on our side). Goal: fingerprint >= 0.8x fpcalc.
* ``recall``: every catalog track under each transformation of the issue (MP3 128k, AAC,
  mono, ±6 dB, a 30 s clip from a random place, white noise at 20 dB SNR, low-pass 8 kHz,
  ±4 % speed), searched the way the suspect job does (at each of its rates): right
  recording, master offset within 1 s.
* ``precision``: unrelated tracks (other seeds) and their transformations against the same
  index: any match is a false one. Also, for the positives, any other recording matched.
* ``leads``: each catalog track re-recorded (organ instead of plucked strings, no drums,
  another tempo, transposed with sox, a 30 s excerpt): the rank of its original among the
  catalog by chroma likeness; and the best likeness an unrelated track reaches.
"""

from __future__ import annotations

import resource
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CATALOG = 12
NEGATIVES = 24
SECONDS = 45.0
THROUGHPUT_FILES = 3


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _throughput(folder: Path) -> dict[str, Any]:
    from monitoring.audio import analyse_file, fingerprint_file

    files = []
    for number in range(THROUGHPUT_FILES):
        path = folder / f"long-{number}.wav"
        subprocess.run(
            ["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", str(path), "synth", "240",
             "pluck", f"{220 + 40 * number}", "sine", f"{110 + 20 * number}",
             "tremolo", "3", "40", "vol", "0.5"],
            check=True, capture_output=True,
        )  # fmt: skip
        files.append(path)
    audio_seconds = 240.0 * len(files)

    def measure(work: Any) -> float:
        best = float("inf")
        for _ in range(3):
            before = _cpu()
            for path in files:
                work(path)
            best = min(best, _cpu() - before)
        return audio_seconds / best

    def fpcalc(path: Path) -> None:
        done = subprocess.run(
            ["fpcalc", "-raw", "-length", "0", str(path)], capture_output=True, check=False
        )
        if done.returncode not in (0, 3):  # 3: "end of file" on every file (stack.md §5)
            raise RuntimeError(done.stderr.decode())

    baseline = measure(fpcalc)
    ours = measure(fingerprint_file)
    job = measure(analyse_file)
    flacs = []
    for path in files:
        flac = path.with_suffix(".flac")
        subprocess.run(["sox", str(path), str(flac)], check=True, capture_output=True)
        flacs.append(flac)
    files[:] = flacs
    flac_baseline = measure(fpcalc)
    flac_ours = measure(fingerprint_file)
    return {
        "files": len(files),
        "audio_seconds": audio_seconds,
        "wav": {
            "fpcalc_audio_s_per_cpu_s": round(baseline, 1),
            "fingerprint_audio_s_per_cpu_s": round(ours, 1),
            "ratio": round(ours / baseline, 3),
            "master_job_audio_s_per_cpu_s": round(job, 1),
            "master_job_ratio": round(job / baseline, 3),
        },
        "flac": {
            "fpcalc_audio_s_per_cpu_s": round(flac_baseline, 1),
            "fingerprint_audio_s_per_cpu_s": round(flac_ours, 1),
            "ratio": round(flac_ours / flac_baseline, 3),
        },
        "goal_ratio": 0.8,
    }


def _variants(
    source: Path, folder: Path, offset: float, only: tuple[str, ...] = ()
) -> dict[str, tuple[Path, float]]:
    """name -> (the transformed file, where in the master it starts); ``only`` those."""
    from tests.monitoring.audio import ffmpeg, sox, with_noise

    makers: dict[str, Any] = {
        "mp3-128k": lambda: (ffmpeg(source, folder / "copy.mp3", "-b:a", "128k"), 0.0),
        "aac": lambda: (ffmpeg(source, folder / "copy.m4a", "-c:a", "aac", "-b:a", "128k"), 0.0),
        "mono": lambda: (ffmpeg(source, folder / "mono.wav", "-ac", "1"), 0.0),
        "plus-6dB": lambda: (sox(source, folder / "louder.wav", "gain", "-l", "6"), 0.0),
        "minus-6dB": lambda: (sox(source, folder / "quieter.wav", "vol", "-6dB"), 0.0),
        "clip-30s": lambda: (
            sox(source, folder / "clip.wav", "trim", f"{offset}", "30"),
            offset,
        ),
        "noise-20dB": lambda: (with_noise(source, folder / "noisy.wav", snr_db=20), 0.0),
        "lowpass-8k": lambda: (sox(source, folder / "lowpass.wav", "lowpass", "8000"), 0.0),
        "faster-4pct": lambda: (sox(source, folder / "faster.wav", "speed", "1.04"), 0.0),
        "slower-4pct": lambda: (sox(source, folder / "slower.wav", "speed", "0.96"), 0.0),
        # Halfway between two of the speeds searched: the farthest a copy can be from one.
        "faster-2.75pct": lambda: (sox(source, folder / "faster2.wav", "speed", "1.0275"), 0.0),
        "slower-1.75pct": lambda: (sox(source, folder / "slower2.wav", "speed", "0.9825"), 0.0),
    }
    return {name: make() for name, make in makers.items() if not only or name in only}


def _search(index: Any, path: Path) -> dict[int, Any]:
    """The suspect job's search: every rate, the best hit per recording."""
    from monitoring.audio import fingerprint_file
    from monitoring.services.suspects import RATES

    best: dict[int, Any] = {}
    for rate in RATES:
        for hit in index.search(fingerprint_file(path, rate=rate).values):
            if hit.key not in best or hit.ber < best[hit.key].ber:
                best[hit.key] = hit
    return best


def _matching(folder: Path, catalog: dict[int, Path]) -> dict[str, Any]:
    import random

    from monitoring.audio import fingerprint_file
    from monitoring.index import ReferenceIndex
    from tests.monitoring.audio import sox, synth_track

    index = ReferenceIndex((seed, fingerprint_file(path).values) for seed, path in catalog.items())
    rng = random.Random(5)
    table: dict[str, dict[str, int]] = {}
    wrong_recording = 0
    for seed, path in catalog.items():
        stereo = sox(path, folder / f"stereo-{seed}.wav", "remix", "1", "1v0.8", "rate", "44100")
        work = folder / f"v-{seed}"
        work.mkdir()
        for name, (variant, offset) in _variants(
            stereo, work, rng.uniform(0, SECONDS - 31)
        ).items():
            row = table.setdefault(name, {"found": 0, "missed": 0, "false": 0})
            hits = _search(index, variant)
            hit = hits.get(seed)
            if hit is not None and abs(hit.reference_offset - offset) <= 1.0:
                row["found"] += 1
            else:
                row["missed"] += 1
            others = [key for key in hits if key != seed]
            row["false"] += len(others)
            wrong_recording += len(others)
    negatives = {"queries": 0, "false_matches": 0}
    for number in range(NEGATIVES):
        other = synth_track(folder / f"neg-{number}.wav", seed=1000 + number, seconds=SECONDS)
        work = folder / f"n-{number}"
        work.mkdir()
        unrelated = ("mp3-128k", "noise-20dB", "faster-4pct")
        for variant, _offset in _variants(other, work, 5.0, unrelated).values():
            negatives["queries"] += 1
            negatives["false_matches"] += len(_search(index, variant))
    positives = sum(row["found"] + row["missed"] for row in table.values())
    found = sum(row["found"] for row in table.values())
    false = wrong_recording + negatives["false_matches"]
    lines = ["| transformation | found | missed | false matches |", "|---|---|---|---|"]
    lines += [
        f"| {name} | {row['found']} | {row['missed']} | {row['false']} |"
        for name, row in table.items()
    ]
    print("\n".join(lines), flush=True)
    return {
        "catalog_tracks": len(catalog),
        "table": table,
        "recall": round(found / positives, 4),
        "precision": round(found / (found + false), 4) if found + false else 1.0,
        "unrelated": negatives,
        "table_markdown": lines,
    }


def _leads(folder: Path, catalog: dict[int, Path]) -> dict[str, Any]:
    import random

    from monitoring.audio import decode
    from monitoring.chroma import chroma, rank
    from tests.monitoring.audio import sox, synth_track

    masters = [(seed, chroma(decode(path))) for seed, path in catalog.items()]
    rng = random.Random(9)
    ranks: list[int] = []
    details = []
    started = time.perf_counter()
    comparisons = 0
    for seed in catalog:
        tempo = rng.choice((0.9, 0.95, 1.05, 1.1))
        cents = rng.choice((-500, -300, -200, 200, 300, 400))
        cover = synth_track(
            folder / f"cover-{seed}.wav", seed=seed, seconds=SECONDS, timbre="organ",
            drums=False, tempo=tempo,
        )  # fmt: skip
        start = rng.uniform(0, SECONDS / tempo - 31)
        excerpt = sox(cover, folder / f"cover-{seed}-x.wav", "pitch", f"{cents}", "reverb",
                      "40", "trim", f"{start:.1f}", "30")  # fmt: skip
        ranked = rank(chroma(decode(excerpt)), masters, top=len(masters))
        comparisons += len(masters)
        position = [key for key, _likeness in ranked].index(seed) + 1
        ranks.append(position)
        details.append(
            {"seed": seed, "tempo": tempo, "semitones": cents / 100, "rank": position,
             "score": ranked[position - 1][1].score,
             "next_best": max((lk.score for key, lk in ranked if key != seed), default=0.0)}
        )  # fmt: skip
    seconds_per_comparison = (time.perf_counter() - started) / max(comparisons, 1)
    unrelated = []
    for number in range(6):
        other = synth_track(folder / f"lead-neg-{number}.wav", seed=2000 + number, seconds=30)
        unrelated.append(rank(chroma(decode(other)), masters, top=1)[0][1].score)
    return {
        "covers": len(ranks),
        "original_first": sum(r == 1 for r in ranks),
        "original_in_top_3": sum(r <= 3 for r in ranks),
        "missed_top_3": [d for d in details if d["rank"] > 3],
        "per_cover": details,
        "best_score_of_unrelated_tracks": [round(s, 4) for s in unrelated],
        "seconds_per_catalog_track_compared": round(seconds_per_comparison, 4),
    }


def run() -> dict[str, Any]:
    import django

    django.setup()
    from tests.monitoring.audio import synth_track

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        figures["throughput"] = _throughput(folder)
        catalog = {
            seed: synth_track(folder / f"track-{seed}.wav", seed=seed, seconds=SECONDS)
            for seed in range(101, 101 + CATALOG)
        }
        figures["matching"] = _matching(folder, catalog)
        figures["leads"] = _leads(folder, catalog)
    return figures
