"""Hundreds of corrupt, mutated and polyglot files through what the upload and the job run:
every file is either refused with a reason (the upload's format check) or accepted and then
read as audio or failed with a reason (the job's probe and payload hash). Nothing else
escapes, nothing hangs.

The whole corpus goes through those functions directly; one file per format also goes the
whole way (HTTP upload, page or API, then the job), and must end exactly as the direct run
said it would."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from catalog.audio import AudioInfo, BadAudio, payload_sha256, probe_many
from catalog.models import Master, Recording
from catalog.services.masters import MasterUploadError, audio_format
from optout.models import Job
from tests.catalog.audio.conftest import FORMATS
from tests.catalog.masters.conftest import api_masters_url, masters_url, post_file, run_job
from tests.conftest import Team

# One xdist process runs this module: its module-scoped corpus and its outcomes are built once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("corrupt-uploads")]

MUTANTS_PER_SAMPLE = 22
MAGICS = [b"RIFF", b"RF64", b"FORM", b"fLaC", b"OggS", b"ID3\x04", b"\xff\xfb\x90", b"\x00\x00"]
POLYGLOTS = [
    b"%PDF-1.7\n",
    b"PK\x03\x04" + bytes(26),
    b"GIF89a" + bytes(10),
    b"<html><script>alert(1)</script></html>",
    b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
]


def _size_fields(data: bytes, rng: random.Random) -> bytes:
    """Absurd sizes in the structure headers the formats use."""
    out = bytearray(data)
    for marker, order in ((b"data", "little"), (b"fmt ", "little"), (b"ds64", "little"),
                          (b"SSND", "big"), (b"COMM", "big"), (b"mdat", "big"),
                          (b"moov", "big")):  # fmt: skip
        position = out.find(marker)
        if position < 4 or rng.random() < 0.5:
            continue
        value = rng.choice([0xFFFFFFFF, 0x7FFFFFFF, 0, 1])
        if marker in (b"mdat", b"moov"):
            out[position - 4 : position] = value.to_bytes(4, "big")
        else:
            out[position + 4 : position + 8] = value.to_bytes(4, order)  # type: ignore[arg-type]
    return bytes(out)


def _mutants(data: bytes, rng: random.Random) -> list[bytes]:
    result = []
    for index in range(MUTANTS_PER_SAMPLE):
        kind = index % 6
        if kind == 0:
            result.append(data[: rng.randrange(1, len(data))])
        elif kind == 1:
            out = bytearray(data)
            for _ in range(rng.choice([1, 8, 64])):
                spot = rng.randrange(min(len(out), 2048) if rng.random() < 0.7 else len(out))
                out[spot] ^= 1 << rng.randrange(8)
            result.append(bytes(out))
        elif kind == 2:
            out = bytearray(data)
            start = rng.randrange(len(out) - 128)
            out[start : start + 128] = rng.randbytes(128)
            result.append(bytes(out))
        elif kind == 3:
            result.append(_size_fields(data, rng))
        elif kind == 4:
            magic = rng.choice(MAGICS)
            result.append(magic + data[len(magic) :])
        else:
            other = rng.choice(POLYGLOTS)
            result.append(
                rng.choice([other + data, data + other * 20, data[:256] + other + data[256:]])
            )
    return result


@pytest.fixture(scope="module")
def corpus(samples: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    rng = random.Random(20261126)
    folder = tmp_path_factory.mktemp("corrupt-uploads")
    paths = []
    for name, path in samples.items():
        for index, data in enumerate(_mutants(path.read_bytes(), rng)):
            # Some keep their name, some get another format's extension.
            suffix = path.suffix if index % 3 else rng.choice([".wav", ".mp3", ".flac", ".bin"])
            target = folder / f"{name}-{index}{suffix}"
            target.write_bytes(data)
            paths.append(target)
    tiny = [
        b"\x00",
        b"RIFF",
        b"RIFF\x04\x00\x00\x00WAVE",
        b"fLaC",
        b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f",
        b"\xff\xfb" * 3,
        b"\x00\x00\x00\x00ftypM4A ",
        b"OggS" + bytes(23),
        b"FORM\x00\x00\x00\x04AIFF",
        b"RF64\xff\xff\xff\xffWAVE",
    ]
    for index, data in enumerate(tiny):
        target = folder / f"tiny-{index}.wav"
        target.write_bytes(data)
        paths.append(target)
    return paths


FAILURE_CODES = {"damaged", "truncated", "no_audio", "too_complex", "unknown_format",
                 "unsupported", "memory_limit"}  # fmt: skip


def _format_of(path: Path) -> str:
    return path.name.rsplit("-", 1)[0]


@pytest.fixture(scope="module")
def expected(corpus: list[Path]) -> dict[Path, str]:
    """What each file comes to, by the functions the upload and the job call: ``refused``
    (the upload's format check), ``ready`` or ``failed:<code>`` (the job's probe, then
    the payload hash; the probe runs for all accepted files in one sandbox batch)."""
    outcomes: dict[Path, str] = {}
    accepted: list[Path] = []
    for path in corpus:
        try:
            audio_format(path, path.stat().st_size)
        except MasterUploadError as error:
            assert error.message and error.field == "file", path.name
            outcomes[path] = "refused"
        else:
            accepted.append(path)
    for path, probed in zip(
        accepted, probe_many(accepted, names=[p.name for p in accepted]), strict=True
    ):
        assert isinstance(probed, AudioInfo | BadAudio), path.name
        try:
            if isinstance(probed, BadAudio):
                raise probed
            assert len(payload_sha256(path)) == 64
        except BadAudio as error:
            assert error.reason, path.name
            outcomes[path] = f"failed:{error.code}"
        else:
            outcomes[path] = "ready"
    return outcomes


@pytest.fixture(scope="module")
def end_to_end(corpus: list[Path], expected: dict[Path, str]) -> dict[str, Path]:
    """One file per format for the whole path, taking turns at being refused, read and
    failed (the first of its format with that outcome, else its format's first)."""
    chosen = {}
    for index, fmt in enumerate(FORMATS):
        own = [p for p in corpus if _format_of(p) == fmt]
        wanted = ("refused", "ready", "failed")[index % 3]
        fits = [p for p in own if expected[p].startswith(wanted)]
        chosen[fmt] = (fits or own)[0]
    return chosen


def test_every_corrupt_file_is_refused_or_read_or_failed_with_a_reason(
    corpus: list[Path], expected: dict[Path, str], end_to_end: dict[str, Path]
) -> None:
    assert len(corpus) >= 200
    outcomes = Counter(expected[path] for path in corpus)
    assert outcomes["refused"] > 20
    assert outcomes["ready"] > 20
    assert sum(n for k, n in outcomes.items() if k.startswith("failed:")) > 20
    failure_codes = {k.split(":", 1)[1] for k in outcomes if k.startswith("failed:")}
    assert failure_codes <= FAILURE_CODES, outcomes
    # The files that also go the whole way cover every outcome.
    kinds = {expected[path].split(":", 1)[0] for path in end_to_end.values()}
    assert kinds == {"refused", "ready", "failed"}, {
        p.name: expected[p] for p in end_to_end.values()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_corrupt_upload_ends_over_http_as_the_parsers_said(
    fmt: str,
    team: Team,
    recording: Recording,
    expected: dict[Path, str],
    end_to_end: dict[str, Path],
) -> None:
    path = end_to_end[fmt]
    via_page = FORMATS.index(fmt) % 2 == 0
    url = masters_url(team) if via_page else api_masters_url(team)
    client = team.client_for(team.a_r)
    response = post_file(
        client, url, path, recording=str(recording.code), HTTP_ACCEPT="application/json"
    )
    assert response.status_code in (201, 400), (path.name, response.status_code)
    body = response.json()
    if response.status_code == 400:
        messages = body["error"]["fields"]["file"]
        assert messages and all(messages), path.name
        assert expected[path] == "refused", path.name
        assert not Master.objects.for_label(team.label).exists()
        return
    master = Master.objects.for_label(team.label).get(code=body["id"])
    job = run_job(master.job)
    master.refresh_from_db()
    # Done, or failed for good with a reason: never an unexpected error left to retry.
    assert job.status in (Job.Status.DONE, Job.Status.FAILED), (path.name, job.error)
    assert job.attempts == 1, (path.name, job.error)
    if job.status == Job.Status.FAILED:
        assert master.status == Master.Status.FAILED, path.name
        assert job.error and job.error == master.problem_message, path.name
        assert expected[path] == f"failed:{master.problem['code']}", path.name
    else:
        assert master.status == Master.Status.READY, path.name
        assert expected[path] == "ready", path.name
