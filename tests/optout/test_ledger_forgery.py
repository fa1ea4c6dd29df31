"""Rewriting the custody ledger: each attack docs/security.md lists ("Ledger rewrites") is
refused or found.

The chain alone cannot catch someone who edits an entry and recomputes every later hash
and the head, or cuts the tail and rewinds the head: the chain is then self-consistent.
Heads timestamped by the label's TSA (a real RFC 3161 authority on loopback, openssl) and
entry MACs under a key outside the database catch them; the application's DML-only role
cannot attempt them at all.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from evidence.services.settings import evidence_settings_update
from optout.models import Job, LedgerAnchor, LedgerEntry, LedgerHead
from optout.services.blobs import blob_store_bytes
from optout.services.jobs import job_execute
from optout.services.ledger import entry_hash, entry_record, ledger_append, ledger_verify
from optout.services.ledger_anchors import (
    ANCHOR_JOB,
    ledger_anchor_create,
    ledger_anchor_due,
    ledger_anchors_schedule,
)
from optout.tasks import anchor_ledgers
from tests.conftest import Team
from tests.evidence.tsa import LocalTsa

pytestmark = pytest.mark.django_db


def _append(team: Team, n: int) -> list[LedgerEntry]:
    return [
        ledger_append(label=team.label, actor=team.owner, action="test.event", data={"i": i})
        for i in range(n)
    ]


def _use_tsa(team: Team, tsa: LocalTsa) -> None:
    evidence_settings_update(
        label=team.label, actor=team.owner, tsa_url=tsa.url, tsa_certificates=tsa.ca_pem
    )


@contextmanager
def superuser_without_triggers() -> Iterator[Any]:
    """What an attacker with the database superuser (the old deployment's app user) can do."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE optout_ledgerentry DISABLE TRIGGER USER")
        try:
            yield cursor
        finally:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE optout_ledgerentry ENABLE TRIGGER USER")


def _rewrite_from(team: Team, seq: int, data: dict[str, Any]) -> None:
    """Change entry ``seq``'s data and recompute every later hash and the head."""
    label_code = str(team.label.code)
    entries = list(LedgerEntry.objects.for_label(team.label).order_by("seq"))
    prev = entries[seq - 2].entry_hash if seq > 1 else "0" * 64
    with superuser_without_triggers() as cursor:
        for entry in entries[seq - 1 :]:
            if entry.seq == seq:
                entry.data = data
            digest = entry_hash(entry_record(entry, label_code=label_code), prev)
            cursor.execute(
                "UPDATE optout_ledgerentry SET data = %s, prev_hash = %s, entry_hash = %s "
                "WHERE id = %s",
                [Jsonb(entry.data), prev, digest, entry.pk],
            )
            prev = digest
        cursor.execute(
            "UPDATE optout_ledgerhead SET entry_hash = %s WHERE label_id = %s",
            [prev, team.label.pk],
        )


def test_an_edit_with_the_chain_recomputed_is_found_at_the_anchored_head(
    team: Team, local_tsa: LocalTsa, capsys: pytest.CaptureFixture[str]
) -> None:
    _use_tsa(team, local_tsa)
    entries = _append(team, 10)
    anchor = ledger_anchor_create(label=team.label)
    assert anchor is not None and anchor.seq == entries[-1].seq
    later = _append(team, 3)
    report = ledger_verify(label=team.label)
    assert report.ok and report.anchors_checked == 1

    _rewrite_from(team, entries[4].seq, {"i": 999, "forged": True})

    # The chain is self-consistent again: only the timestamped head gives it away.
    report = ledger_verify(label=team.label)
    assert report.problem is not None
    assert report.problem.seq == anchor.seq
    assert "timestamped" in report.problem.reason and "rewritten" in report.problem.reason
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_ledger", label=team.label.slug)
    assert exit_info.value.code == 1
    assert f"#{anchor.seq}" in capsys.readouterr().err
    # An edit after the newest anchor is not dated yet: the next anchor covers it.
    assert later[-1].seq > anchor.seq


def test_a_cut_tail_with_the_head_rewound_is_found_by_the_anchor_beyond_it(
    team: Team, local_tsa: LocalTsa
) -> None:
    _use_tsa(team, local_tsa)
    entries = _append(team, 10)
    anchor = ledger_anchor_create(label=team.label)
    assert anchor is not None
    keep = entries[5]
    with superuser_without_triggers() as cursor:
        cursor.execute(
            "DELETE FROM optout_ledgerentry WHERE label_id = %s AND seq > %s",
            [team.label.pk, keep.seq],
        )
        cursor.execute(
            "UPDATE optout_ledgerhead SET seq = %s, entry_hash = %s WHERE label_id = %s",
            [keep.seq, keep.entry_hash, team.label.pk],
        )
    report = ledger_verify(label=team.label)
    assert report.problem is not None and report.problem.seq == keep.seq + 1
    assert f"a head at #{anchor.seq} was timestamped" in report.problem.reason


def test_an_anchor_token_that_does_not_verify_is_named(team: Team, local_tsa: LocalTsa) -> None:
    _use_tsa(team, local_tsa)
    _append(team, 3)
    anchor = ledger_anchor_create(label=team.label)
    assert anchor is not None
    evidence_settings_update(
        label=team.label,
        actor=team.owner,
        tsa_url=local_tsa.url,
        tsa_certificates=local_tsa.pki.other_ca_pem,
    )
    report = ledger_verify(label=team.label)
    assert report.problem is not None and report.problem.seq == anchor.seq
    assert "does not verify" in report.problem.reason
    # The chain check alone (no files, no tokens) still passes: the token was the problem.
    assert ledger_verify(label=team.label, check_files=False).ok


def test_anchors_are_due_only_for_new_entries_and_scheduled_as_jobs(
    team: Team, local_tsa: LocalTsa
) -> None:
    schedule = django_settings.CELERY_BEAT_SCHEDULE["anchor-ledgers"]
    assert schedule["task"] == anchor_ledgers.name and schedule["schedule"] > 0
    anchor_ledgers()  # the beat task
    assert not Job.objects.for_label(team.label).filter(kind=ANCHOR_JOB).exists()  # no TSA
    _use_tsa(team, local_tsa)
    assert ledger_anchor_due(label=team.label)
    anchor_ledgers()
    assert ledger_anchors_schedule() == 0  # one queued job is enough
    job = Job.objects.for_label(team.label).get(kind=ANCHOR_JOB)
    job_execute(code=str(job.code))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    anchor = LedgerAnchor.objects.for_label(team.label).get()
    assert anchor.seq == job.result["seq"] and local_tsa.requests() == 1
    # The anchor's own stored record and token do not make another one due.
    assert not ledger_anchor_due(label=team.label)
    _append(team, 1)
    assert ledger_anchor_due(label=team.label)


def test_anchors_are_append_only(team: Team, local_tsa: LocalTsa) -> None:
    _use_tsa(team, local_tsa)
    anchor = ledger_anchor_create(label=team.label)
    assert anchor is not None
    for statement in ("UPDATE optout_ledgeranchor SET seq = 1", "DELETE FROM optout_ledgeranchor"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


@pytest.mark.parametrize("table", ["optout_ledgerentry", "optout_ledgeranchor"])
def test_truncate_is_refused_even_to_the_owner(team: Team, table: str) -> None:
    before = LedgerEntry.objects.for_label(team.label).count()
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # this test's own inserts
        cursor.execute(f"TRUNCATE {table}")
    assert LedgerEntry.objects.for_label(team.label).count() == before


def test_with_a_ledger_key_a_forged_extension_fails_the_mac(team: Team, settings: Any) -> None:
    settings.OPTOUT_LEDGER_KEY = "a key kept outside the database"
    keyed = _append(team, 3)
    expected = hmac.new(
        b"a key kept outside the database", keyed[0].entry_hash.encode(), hashlib.sha256
    ).hexdigest()
    assert keyed[0].mac == expected
    assert ledger_verify(label=team.label).ok

    def forge(mac: str) -> LedgerEntry:
        # Everything a database-only attacker can compute: the record, its link, its hash.
        head = LedgerHead.objects.get(label=team.label)
        entry = LedgerEntry(
            label=team.label,
            seq=head.seq + 1,
            recorded_at=timezone.now(),
            action="member.added",
            data={"email": "intruder@example.com"},
            prev_hash=head.entry_hash,
        )
        entry.entry_hash = entry_hash(
            entry_record(entry, label_code=str(team.label.code)), head.entry_hash
        )
        entry.mac = mac
        entry.save()
        LedgerHead.objects.filter(pk=head.pk).update(seq=entry.seq, entry_hash=entry.entry_hash)
        return entry

    unsigned = forge("")
    report = ledger_verify(label=team.label)
    assert report.problem is not None and report.problem.seq == unsigned.seq
    assert "no MAC" in report.problem.reason


def test_with_a_ledger_key_a_mac_under_another_key_is_found(team: Team, settings: Any) -> None:
    settings.OPTOUT_LEDGER_KEY = "the other key"
    forged = _append(team, 1)[0]  # written as if by someone holding another key
    settings.OPTOUT_LEDGER_KEY = "the real key"
    report = ledger_verify(label=team.label)
    assert report.problem is not None and report.problem.seq == forged.seq
    assert "does not match OPTOUT_LEDGER_KEY" in report.problem.reason


# --- the application's DML-only role --------------------------------------------------------


@pytest.fixture
def app_role(transactional_db: Any, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The role ``db_roles`` creates, in the test database; dropped afterwards."""
    role = f"app_{connection.settings_dict['NAME']}"[:63]
    password = "app-role-password"
    secret = tmp_path / "db_app_password"
    secret.write_text(password + "\n")
    call_command("db_roles", app_role=role, password_file=secret)
    try:
        yield role, password
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')


@contextmanager
def django_as(role: str, password: str) -> Iterator[None]:
    """Django's own connection logged in as ``role``, as the web server and worker are."""
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(USER=role, PASSWORD=password)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)


_ATTACKS = (
    "UPDATE optout_ledgerentry SET action = 'forged'",
    "DELETE FROM optout_ledgerentry",
    "TRUNCATE optout_ledgerentry",
    "UPDATE optout_ledgeranchor SET seq = 1",
    "DELETE FROM optout_ledgeranchor",
    "TRUNCATE optout_ledgeranchor",
    "ALTER TABLE optout_ledgerentry DISABLE TRIGGER USER",
    "ALTER TABLE optout_ledgerentry DISABLE TRIGGER optout_ledger_no_update",
    "DROP TRIGGER optout_ledger_no_update ON optout_ledgerentry",
    "SET session_replication_role = replica",
)


def test_the_app_role_cannot_rewrite_the_ledger(team: Team, app_role: tuple[str, str]) -> None:
    role, password = app_role
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        dbname=db["NAME"],
        user=role,
        password=password,
        autocommit=True,
    ) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (role,)
        for statement in _ATTACKS:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
                pytest.fail(f"{statement!r} was allowed")
        assert conn.execute("SHOW session_replication_role").fetchone() == ("origin",)
    assert ledger_verify(label=team.label).ok


def test_the_app_role_appends_and_does_its_ordinary_work(
    team: Team, app_role: tuple[str, str]
) -> None:
    role, password = app_role
    with django_as(role, password):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (role,)
        blob = blob_store_bytes(label=team.label, data=b"a contract", actor=team.owner)
        entry = ledger_append(label=team.label, actor=team.owner, action="test.event", blob=blob)
        assert entry.seq == LedgerHead.objects.get(label=team.label).seq
        team.label.refresh_from_db()
        team.label.name = "Renamed by the app"
        team.label.save()  # an ordinary table: data rights in full
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            LedgerEntry.objects.for_label(team.label).filter(pk=entry.pk).update(action="x")
        assert ledger_verify(label=team.label).ok


def test_db_roles_is_idempotent_and_refuses_the_owner(
    app_role: tuple[str, str], tmp_path: Path
) -> None:
    role, _password = app_role
    secret = tmp_path / "again"
    secret.write_text("another password")
    call_command("db_roles", app_role=role, password_file=secret)
    owner = connection.settings_dict["USER"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="owner"):
        call_command("db_roles", app_role=owner, password_file=secret)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("db_roles", app_role=role, password_file=tmp_path / "missing")
