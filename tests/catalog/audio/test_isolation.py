from __future__ import annotations

import time

import pytest

from catalog.audio import BadAudio, probe, probe_many
from catalog.audio.isolation import Item, Limits, Outcome, run_isolated

STANDINS = "tests.catalog.audio.standins"
# A generous wall clock so that the CPU and memory limits act first even on a busy machine;
# the wall-clock test uses a short one.
LIMITS = Limits(memory_bytes=256 * 1024 * 1024, cpu_seconds=1, timeout_seconds=20)
FAST = Limits(memory_bytes=256 * 1024 * 1024, cpu_seconds=1, timeout_seconds=3)


def _run(behaviours: list[str], limits: Limits = LIMITS) -> tuple[list[Outcome], float]:
    items = [
        Item({"behaviour": b, "value": i}, limits.cpu_seconds, limits.timeout_seconds)
        for i, b in enumerate(behaviours)
    ]
    started = time.monotonic()
    outcomes = run_isolated(items, limits=limits, target=f"{STANDINS}:by_request")
    return outcomes, time.monotonic() - started


def _code(outcome: Outcome) -> str:
    assert isinstance(outcome, BadAudio), outcome
    assert outcome.reason  # a sentence for the user
    return outcome.code


def test_a_parser_that_loops_forever_is_stopped_by_the_cpu_limit():
    (outcome,), elapsed = _run(["spin"])
    assert _code(outcome) == "cpu_limit"
    assert elapsed < LIMITS.timeout_seconds


def test_a_parser_that_blocks_forever_is_killed_at_the_wall_clock_limit():
    (outcome,), elapsed = _run(["sleep"], FAST)
    assert _code(outcome) == "timeout"
    assert isinstance(outcome, BadAudio)
    assert outcome.params == {"seconds": 3}
    assert FAST.timeout_seconds <= elapsed < FAST.timeout_seconds + 5


def test_a_parser_that_allocates_without_limit_is_stopped_by_the_memory_limit():
    (outcome,), elapsed = _run(["hoard"])
    assert _code(outcome) == "memory_limit"
    assert elapsed < LIMITS.timeout_seconds


def test_a_crashing_parser_is_reported_not_propagated():
    (outcome,), _elapsed = _run(["crash"])
    assert _code(outcome) == "crashed"


@pytest.mark.parametrize("behaviour", ["babble", "flood"])
def test_garbage_instead_of_an_answer_is_rejected(behaviour):
    (outcome,), _elapsed = _run([behaviour])
    assert _code(outcome) == "isolation_failed"


def test_one_bad_file_costs_only_itself_in_a_batch():
    outcomes, _elapsed = _run(["ok", "spin", "ok", "hoard", "ok", "crash", "ok", "babble", "ok"])
    codes = [o["echo"] if isinstance(o, dict) else o.code for o in outcomes]
    assert codes == [0, "cpu_limit", 2, "memory_limit", 4, "crashed", 6, "isolation_failed", 8]


def test_the_sandbox_gets_no_secrets_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "do-not-leak")
    (outcome,) = run_isolated([Item({}, 2, 10)], limits=LIMITS, target=f"{STANDINS}:environment")
    assert isinstance(outcome, dict)
    assert "DJANGO_SECRET_KEY" not in outcome["environ"]
    assert "DATABASE_URL" not in outcome["environ"]


def test_a_probing_sandbox_cannot_write_files(tmp_path):
    target = tmp_path / "written.bin"
    (outcome,) = run_isolated(
        [Item({"path": str(target)}, 2, 10)], limits=LIMITS, target=f"{STANDINS}:write_file"
    )
    assert isinstance(outcome, BadAudio)
    assert target.stat().st_size == 0


def test_probe_limits_come_from_settings(settings, samples):
    settings.OPTOUT_AUDIO_TIMEOUT_SECONDS = 0.001
    with pytest.raises(BadAudio) as caught:
        probe(samples["flac"])
    assert caught.value.code == "timeout"
    settings.OPTOUT_AUDIO_TIMEOUT_SECONDS = 30
    assert probe(samples["flac"]).format == "flac"


def test_files_that_cannot_be_opened_are_bad_audio_without_a_sandbox(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    outcomes = probe_many([tmp_path / "missing.wav", empty, tmp_path])
    assert [o.code for o in outcomes if isinstance(o, BadAudio)] == [
        "unreadable_file", "empty", "unreadable_file",
    ]  # fmt: skip
