"""Takedowns: approval, sending to a loopback SMTP server, the lifecycle, the takedown
packet (whose inner evidence packet verifies with its own verify.py) and the Lumen export."""

from __future__ import annotations

import email
import email.policy
import hashlib
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from evidence.models import EvidenceItem, Matter, MatterItem
from notices.models import Takedown, TakedownEvent
from notices.services.takedown_packets import takedown_packet_request
from notices.services.takedowns import (
    takedown_approve,
    takedown_create,
    takedown_event_record,
    takedown_lumen,
    takedown_send,
    takedown_send_request,
)
from optout.jobs import JobFailure
from optout.models import LedgerEntry
from optout.services.blobs import blob_open
from optout.services.jobs import job_execute
from tests.conftest import Team
from tests.evidence.test_forgery import PYTHON3
from tests.notices.takedown_world import INFRINGING, drafted, takedown_world
from tests.notices.test_send import _Inbox, smtp  # noqa: F401

pytestmark = pytest.mark.django_db


def _actions(takedown: Takedown) -> list[str]:
    return list(
        LedgerEntry.objects.for_label(takedown.label)
        .filter(object_code=str(takedown.code), action__startswith="takedown.")
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_a_takedown_is_sent_only_after_approval(team: Team, smtp: _Inbox) -> None:  # noqa: F811
    world = takedown_world(team.label)
    takedown = drafted(world, actor=team.rights)
    with pytest.raises(ValidationError, match="approved"):
        takedown_send_request(takedown=takedown, actor=team.counsel)
    with pytest.raises(JobFailure, match="not approved"):
        takedown_send(takedown=takedown, actor=team.counsel)
    assert smtp.messages == []

    takedown = takedown_approve(takedown=takedown, actor=team.counsel)
    assert takedown.status == "approved" and takedown.approved_by == team.counsel
    assert takedown.pdf is not None
    with blob_open(takedown.pdf) as handle:
        rendered = handle.read()

    takedown = takedown_send(takedown=takedown, actor=team.counsel)

    assert len(smtp.messages) == 1
    _sender, recipients, raw = smtp.messages[0]
    assert recipients == ["copyright@tube.example"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    attachments = list(message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content() == rendered
    assert message["X-Optout-Takedown"] == str(takedown.code)

    assert takedown.status == "sent" and takedown.sent_via == "email"
    assert takedown.sent_message is not None
    item = EvidenceItem.objects.for_label(team.label).get(blob=takedown.sent_message)
    assert item.kind == "correspondence"
    # The sent message joined the matter, so its evidence packet carries it.
    assert (
        MatterItem.objects.for_label(team.label)
        .filter(matter=world.matter, source_key="evidence", source_code=item.code)
        .exists()
    )
    assert _actions(takedown) == [
        "takedown.drafted",
        "takedown.rendered",
        "takedown.approved",
        "takedown.sent",
    ]
    # Sending again is a no-op: the recipient gets one letter.
    takedown_send(takedown=takedown, actor=team.counsel)
    assert len(smtp.messages) == 1


def test_the_lifecycle_records_each_step_and_refuses_the_impossible(
    team: Team, tmp_path: Path
) -> None:
    from optout.uploads import HashedUploadedFile

    world = takedown_world(team.label)
    takedown = takedown_approve(takedown=drafted(world), actor=team.owner)
    with pytest.raises(ValidationError, match="cannot become"):
        takedown_event_record(takedown=takedown, status="removed", actor=team.rights)
    Takedown.objects.for_label(team.label).filter(pk=takedown.pk).update(status="sent")
    takedown.refresh_from_db()

    letter = tmp_path / "ack.txt"
    letter.write_bytes(b"We received your notice and removed the video.")
    digest = hashlib.sha256(letter.read_bytes()).hexdigest()
    from optout.lib.hashing import Digest

    upload = HashedUploadedFile(
        path=letter,
        name="ack.txt",
        content_type="text/plain",
        digest=Digest(sha256=digest, size=letter.stat().st_size, head=b""),
        charset=None,
    )
    event = takedown_event_record(
        takedown=takedown, status="acknowledged", actor=team.rights, note="Ticket 42", upload=upload
    )
    assert event.document is not None and event.document.sha256 == digest
    assert event.evidence_item is not None and event.evidence_item.kind == "takedown_response"
    for step in ("removed", "counter_notice", "reinstated"):
        takedown_event_record(takedown=takedown, status=step, actor=team.rights)
    with pytest.raises(ValidationError, match="cannot become"):
        takedown_event_record(takedown=takedown, status="withdrawn", actor=team.rights)
    with pytest.raises(ValidationError, match="own actions"):
        takedown_event_record(takedown=takedown, status="approved", actor=team.rights)
    steps = list(
        TakedownEvent.objects.for_label(team.label)
        .filter(takedown=takedown)
        .order_by("created_at", "id")
        .values_list("status", "actor__email")
    )
    assert steps == [
        ("drafted", None),
        ("approved", team.owner.email),
        ("acknowledged", team.rights.email),
        ("removed", team.rights.email),
        ("counter_notice", team.rights.email),
        ("reinstated", team.rights.email),
    ]
    takedown.refresh_from_db()
    assert takedown.status == "reinstated"
    assert _actions(takedown)[-4:] == [
        "takedown.acknowledged",
        "takedown.removed",
        "takedown.counter_notice",
        "takedown.reinstated",
    ]


def test_drafting_refuses_what_a_notice_cannot_say(team: Team) -> None:
    world = takedown_world(team.label)
    base: dict[str, Any] = {
        "matter": world.matter,
        "recipient_kind": "platform",
        "signatory": "Rita",
        "actor": None,
    }
    with pytest.raises(ValidationError) as caught:
        takedown_create(
            route="dsa",
            recipient_name="",
            infringing_urls=["javascript:alert(1)"],
            **base,
        )
    errors = caught.value.message_dict
    assert set(errors) == {"recipient_name", "infringing_urls", "explanation"}
    assert "javascript:alert(1)" in errors["infringing_urls"][0]
    world.matter.recordings.clear()
    Matter.objects.for_label(team.label).filter(pk=world.matter.pk).update(status="closed")
    world.matter.refresh_from_db()
    with pytest.raises(ValidationError, match="The matter is closed"):
        takedown_create(
            route="generic", recipient_name="Tube", infringing_urls=[INFRINGING], **base
        )
    Matter.objects.for_label(team.label).filter(pk=world.matter.pk).update(status="open")
    world.matter.refresh_from_db()
    with pytest.raises(ValidationError, match="at least one URL"):
        takedown_create(route="dmca", recipient_name="Tube", infringing_urls=[], **base)


def test_the_takedown_packet_holds_the_pdf_and_an_evidence_packet_that_verifies(
    team: Team, tmp_path: Path
) -> None:
    world = takedown_world(team.label)
    takedown = takedown_approve(takedown=drafted(world), actor=team.counsel)
    packet = takedown_packet_request(takedown=takedown, actor=team.counsel)
    assert packet.job is not None
    job_execute(code=str(packet.job.code))
    packet.refresh_from_db()
    assert packet.status == "ready", packet.error
    assert packet.blob is not None and packet.packet is not None
    target = tmp_path / "takedown.zip"
    with blob_open(packet.blob) as handle:
        target.write_bytes(handle.read())
    assert takedown.pdf is not None
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        pdf_name = f"takedown-{takedown.code}.pdf"
        inner_name = f"evidence-packet-{packet.packet.code}.zip"
        assert set(names) == {pdf_name, inner_name, "README.txt", "SHA256SUMS"}
        assert hashlib.sha256(archive.read(pdf_name)).hexdigest() == takedown.pdf.sha256
        sums = archive.read("SHA256SUMS").decode()
        assert f"{takedown.pdf.sha256}  {pdf_name}" in sums
        archive.extract(inner_name, tmp_path)
    inner = tmp_path / "inner"
    with zipfile.ZipFile(tmp_path / inner_name) as archive:
        archive.extractall(inner)
    assert (inner / "verify.py").exists()
    result = subprocess.run(
        [PYTHON3, "-I", "verify.py", "--accept-unstamped"],
        cwd=inner,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "NOT VERIFIED" not in result.stdout
    # Tampering with the extracted packet is caught by the same script.
    victim = next(p for p in (inner / "items").iterdir())
    victim.write_bytes(victim.read_bytes() + b"x")
    result = subprocess.run(
        [PYTHON3, "-I", "verify.py", "--accept-unstamped"],
        cwd=inner,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0


def test_the_lumen_export_has_the_notice_fields(team: Team) -> None:
    world = takedown_world(team.label)
    takedown = drafted(world)
    notice = takedown_lumen(takedown=takedown)["notice"]
    assert notice["type"] == "DMCA" and notice["jurisdiction_list"] == "US"
    assert notice["title"] and notice["subject"] == world.matter.title
    assert notice["date_sent"] is None  # not sent yet
    assert {"title", "type", "subject", "body", "date_sent", "jurisdiction_list"} <= set(notice)
    works = notice["works_attributes"]
    assert works[0]["description"].endswith("(ISRC SEA122600001)")
    assert works[0]["infringing_urls_attributes"] == [{"url": INFRINGING}]
    assert "copyrighted_urls_attributes" in works[0]
    roles = {r["name"]: r["entity_attributes"] for r in notice["entity_notice_roles_attributes"]}
    assert set(roles) == {"sender", "principal", "recipient"}
    assert roles["sender"]["name"] == "Label A Records AB"
    assert roles["recipient"] == {
        "name": "Tube Inc.",
        "kind": "organization",
        "email": "copyright@tube.example",
        "country_code": "US",
    }
    dsa = takedown_lumen(takedown=drafted(world, route="dsa", render=False))["notice"]
    assert dsa["type"] == "Other" and dsa["jurisdiction_list"] == "EU"


def test_a_mail_server_that_refuses_fails_the_send_with_the_reason(
    team: Team, settings: Any
) -> None:
    from tests.workers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    world = takedown_world(team.label)
    takedown = takedown_approve(takedown=drafted(world), actor=team.counsel)
    with pytest.raises(JobFailure, match="The mail server did not take the takedown"):
        takedown_send(takedown=takedown, actor=team.counsel)
    takedown.refresh_from_db()
    assert takedown.status == "approved" and takedown.send_error
    assert takedown.sent_message is None


def test_a_packet_of_an_empty_matter_is_refused_with_the_reason(team: Team) -> None:
    from evidence.services.matters import matter_item_withdraw

    world = takedown_world(team.label)
    takedown = drafted(world)
    for item in MatterItem.objects.for_label(team.label).filter(matter=world.matter):
        matter_item_withdraw(item=item, actor=team.rights, reason="Wrong file")
    with pytest.raises(ValidationError, match="no items yet"):
        takedown_packet_request(takedown=takedown, actor=team.counsel)
