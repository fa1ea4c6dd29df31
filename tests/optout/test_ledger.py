from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from optout.models import GENESIS_HASH, LedgerEntry
from optout.services.blobs import blob_store_bytes
from optout.services.ledger import entry_hash, entry_record, ledger_append, ledger_verify
from tests.conftest import Team

pytestmark = pytest.mark.django_db


def _append(team: Team, n: int) -> list[LedgerEntry]:
    return [
        ledger_append(
            label=team.label,
            actor=team.owner,
            action="test.event",
            data={"i": i, "note": f"event {i} — ÅÄÖ"},
        )
        for i in range(n)
    ]


@contextmanager
def triggers_disabled():
    """What an attacker with a superuser database shell could do."""
    with connection.cursor() as cursor:
        # Deferred foreign-key checks from this test's inserts must run before ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE optout_ledgerentry DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE optout_ledgerentry ENABLE TRIGGER USER")


def test_it_chains_each_entry_to_the_previous_one(team: Team) -> None:
    entries = LedgerEntry.objects.for_label(team.label).order_by("seq")
    first = entries.first()
    assert first is not None and first.seq == 1 and first.prev_hash == GENESIS_HASH
    previous = GENESIS_HASH
    for entry in entries:
        record = entry_record(entry, label_code=str(team.label.code))
        assert entry.prev_hash == previous
        assert entry.entry_hash == entry_hash(record, previous)
        previous = entry.entry_hash
    assert ledger_verify(label=team.label).ok


def test_it_keeps_one_chain_per_label(team: Team) -> None:
    _append(team, 3)
    other = LedgerEntry.objects.for_label(team.other_label).order_by("seq")
    assert [e.seq for e in other] == list(range(1, other.count() + 1))
    assert ledger_verify(label=team.other_label).ok
    assert ledger_verify(label=team.label).ok


def test_it_logs_membership_changes_and_blob_writes_from_day_one(team: Team) -> None:
    actions = list(
        LedgerEntry.objects.for_label(team.label).order_by("seq").values_list("action", flat=True)
    )
    assert actions[:2] == ["label.created", "member.added"]
    assert actions.count("member.added") == 5  # the owner and four invited roles
    blob = blob_store_bytes(label=team.label, data=b"contract bytes", actor=team.owner)
    last = LedgerEntry.objects.for_label(team.label).order_by("-seq").first()
    assert last is not None
    assert (last.action, last.sha256, last.blob_id) == ("blob.stored", blob.sha256, blob.pk)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE optout_ledgerentry SET action = 'forged'",
        "DELETE FROM optout_ledgerentry",
    ],
)
def test_the_database_refuses_update_and_delete_in_raw_sql(team: Team, statement: str) -> None:
    before = list(LedgerEntry.objects.for_label(team.label).values_list("action", flat=True))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    after = list(LedgerEntry.objects.for_label(team.label).values_list("action", flat=True))
    assert after == before


def test_the_database_refuses_orm_changes(team: Team) -> None:
    entry = LedgerEntry.objects.for_label(team.label).first()
    assert entry is not None
    entry.action = "forged"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.for_label(team.label).update(action="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.for_label(team.label).delete()
    assert not LedgerEntry.objects.for_label(team.label).filter(action="forged").exists()


def test_an_edited_payload_is_found_at_its_exact_index(team: Team) -> None:
    entries = _append(team, 20)
    target = entries[9]
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE optout_ledgerentry SET data = %s WHERE id = %s",
            ['{"i": 999, "note": "forged"}', target.pk],
        )
    report = ledger_verify(label=team.label)
    assert not report.ok and report.problem is not None
    assert report.problem.seq == target.seq
    assert "altered" in report.problem.reason


def test_a_deleted_entry_is_found(team: Team) -> None:
    entries = _append(team, 10)
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM optout_ledgerentry WHERE id = %s", [entries[4].pk])
    report = ledger_verify(label=team.label)
    assert report.problem is not None and report.problem.seq == entries[4].seq
    assert "missing" in report.problem.reason


def test_an_inserted_entry_is_found(team: Team) -> None:
    entries = _append(team, 5)
    with triggers_disabled(), connection.cursor() as cursor:
        # Make room after entry 3 and slip a forged entry into its place.
        cursor.execute(
            "UPDATE optout_ledgerentry SET seq = seq + 1000 WHERE label_id = %s AND seq > %s",
            [team.label.pk, entries[2].seq],
        )
        cursor.execute(
            "UPDATE optout_ledgerentry SET seq = seq - 999 WHERE label_id = %s AND seq > 1000",
            [team.label.pk],
        )
    forged_seq = entries[2].seq + 1
    LedgerEntry.objects.create(
        label=team.label,
        seq=forged_seq,
        recorded_at=entries[2].recorded_at,
        action="forged",
        prev_hash=entries[2].entry_hash,
        entry_hash="f" * 64,
        data={},
    )
    report = ledger_verify(label=team.label)
    assert report.problem is not None and report.problem.seq == forged_seq


def test_reordered_entries_are_found(team: Team) -> None:
    entries = _append(team, 6)
    a, b = entries[2], entries[3]
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute("UPDATE optout_ledgerentry SET seq = 0 WHERE id = %s", [a.pk])
        cursor.execute("UPDATE optout_ledgerentry SET seq = %s WHERE id = %s", [a.seq, b.pk])
        cursor.execute("UPDATE optout_ledgerentry SET seq = %s WHERE id = %s", [b.seq, a.pk])
    report = ledger_verify(label=team.label)
    assert report.problem is not None and report.problem.seq == a.seq


def test_a_cut_tail_is_found(team: Team) -> None:
    entries = _append(team, 6)
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM optout_ledgerentry WHERE label_id = %s AND seq >= %s",
            [team.label.pk, entries[4].seq],
        )
    report = ledger_verify(label=team.label)
    assert report.problem is not None and report.problem.seq == entries[4].seq


def test_a_changed_or_missing_file_is_found(team: Team, _media_root: Path) -> None:
    blob = blob_store_bytes(label=team.label, data=b"master bytes " * 100, actor=team.owner)
    _append(team, 2)
    stored = _media_root / blob.storage_name
    stored.chmod(0o644)
    data = bytearray(stored.read_bytes())
    data[50] ^= 0x01
    stored.write_bytes(bytes(data))
    entry = LedgerEntry.objects.for_label(team.label).get(blob=blob)
    report = ledger_verify(label=team.label)
    assert report.problem is not None and report.problem.seq == entry.seq
    assert "changed" in report.problem.reason
    assert ledger_verify(label=team.label, check_files=False).ok
    stored.unlink()
    report = ledger_verify(label=team.label)
    assert report.problem is not None and "missing" in report.problem.reason


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(index=st.integers(min_value=0, max_value=11), flip=st.integers(min_value=0, max_value=63))
def test_any_single_hash_edit_is_found(team: Team, index: int, flip: int) -> None:
    with transaction.atomic():
        entries = list(LedgerEntry.objects.for_label(team.label).order_by("seq"))
        while len(entries) < 12:
            entries.append(ledger_append(label=team.label, actor=None, action="fill"))
        target = entries[index]
        digits = list(target.entry_hash)
        digits[flip] = "0" if digits[flip] != "0" else "1"
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE optout_ledgerentry SET entry_hash = %s WHERE id = %s",
                ["".join(digits), target.pk],
            )
        report = ledger_verify(label=team.label, check_files=False)
        assert report.problem is not None and report.problem.seq == target.seq
        transaction.set_rollback(True)


def test_verify_ledger_command_exit_status(team: Team, capsys) -> None:
    call_command("verify_ledger", label=team.label.slug)
    assert "intact" in capsys.readouterr().out
    entries = _append(team, 3)
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute("UPDATE optout_ledgerentry SET action = 'x' WHERE id = %s", [entries[1].pk])
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_ledger", label=team.label.slug)
    assert exit_info.value.code == 1
    assert f"#{entries[1].seq}" in capsys.readouterr().err


def test_verify_ledger_command_runs_as_a_process(team: Team, transactional_db) -> None:
    # The real command line, exit status included (the team fixture was committed).
    from django.conf import settings

    env = {"DATABASE_URL": _test_database_url(settings), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run(
        [sys.executable, "manage.py", "verify_ledger", "--label", team.label.slug],
        env={**_base_env(), **env},
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    missing = subprocess.run(
        [sys.executable, "manage.py", "verify_ledger", "--label", "nope"],
        env={**_base_env(), **env},
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0 and "No label" in missing.stderr


def _base_env() -> dict[str, str]:
    import os

    keep = ("CELERY_BROKER_URL", "CACHE_URL", "HOME", "LANG")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    return env


def _test_database_url(settings) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
