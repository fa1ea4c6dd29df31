"""The takedown lifecycle's other branches: sent → rejected, withdrawn from every state that
allows it; each step records who, when and its document, and shows in the matter's timeline;
a step the state does not allow is refused with the reason, as JSON by the API and as an
error on the page."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

import notices.services.takedowns
from evidence.models import EvidenceItem, MatterItem
from notices.models import Takedown, TakedownEvent
from notices.services.takedowns import (
    takedown_approve,
    takedown_event_record,
    takedown_send,
    takedown_send_request,
)
from optout.models import LedgerEntry
from optout.services.jobs import job_execute
from optout.services.tokens import token_create
from tests.conftest import Team
from tests.notices.takedown_world import TakedownWorld, drafted, takedown_world

pytestmark = pytest.mark.django_db

REJECTION = b"We reviewed your notice and decline to act: the upload is licensed."
WITHDRAWAL = b"We withdraw our notice of 2 January."


def _api(user: Any) -> APIClient:
    _token, key = token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _api_url(world: TakedownWorld, takedown: Takedown) -> str:
    return (
        f"/api/v1/labels/{world.label.slug}/matters/{world.matter.code}/takedowns/{takedown.code}/"
    )


def _page(world: TakedownWorld, takedown: Takedown) -> str:
    return f"/l/{world.label.slug}/notices/takedowns/{takedown.code}/"


def _matter_page(world: TakedownWorld) -> str:
    return f"/l/{world.label.slug}/evidence/matters/{world.matter.code}/"


def _timeline(html: str) -> str:
    return html.split('id="timeline-heading"', 1)[1].split("</section>", 1)[0]


def _sent(world: TakedownWorld, team: Team) -> Takedown:
    takedown = takedown_approve(takedown=drafted(world, actor=team.rights), actor=team.counsel)
    return takedown_send(takedown=takedown, actor=team.counsel)


def test_a_rejection_is_recorded_with_its_letter_then_the_takedown_is_withdrawn(
    team: Team,
) -> None:
    world = takedown_world(team.label, actor=team.rights)
    takedown = _sent(world, team)
    assert takedown.status == "sent"
    rights = team.client_for(team.rights)
    on = timezone.localdate() - timedelta(days=3)

    # Rights records the rejection on the takedown's page, with the letter received.
    letter = SimpleUploadedFile("rejection.txt", REJECTION, content_type="text/plain")
    page = rights.post(
        f"{_page(world, takedown)}events/",
        {
            "status": "rejected",
            "happened_on": on.isoformat(),
            "note": "Claims a licence",
            "file": letter,
        },
        follow=True,
    )
    assert page.status_code == 200
    assert "Step recorded." in page.content.decode()
    takedown.refresh_from_db()
    assert takedown.status == "rejected"
    event = TakedownEvent.objects.for_label(team.label).get(takedown=takedown, status="rejected")
    assert event.previous_status == "sent" and event.actor == team.rights
    assert event.happened_on == on and event.note == "Claims a licence"
    assert event.document is not None
    assert event.document.sha256 == hashlib.sha256(REJECTION).hexdigest()
    assert event.document_name == "rejection.txt"
    assert event.evidence_item is not None and event.evidence_item.kind == "takedown_response"
    # The letter joined the matter, so the matter's evidence packet carries it.
    assert (
        MatterItem.objects.for_label(team.label)
        .filter(matter=world.matter, source_key="evidence", source_code=event.evidence_item.code)
        .exists()
    )
    entry = LedgerEntry.objects.for_label(team.label).get(
        action="takedown.rejected", object_code=str(takedown.code)
    )
    assert entry.sha256 == event.document.sha256
    assert entry.data["previous_status"] == "sent" and entry.data["on"] == on.isoformat()

    # A rejected takedown can only be withdrawn: the page offers that step alone.
    detail = rights.get(_page(world, takedown)).content.decode()
    assert '<option value="withdrawn">' in detail
    assert '<option value="removed">' not in detail
    assert "rejection.txt" in detail and on.isoformat() in detail

    # The owner withdraws it through the API, with the withdrawal letter sent.
    owner = _api(team.owner)
    withdrawal = io.BytesIO(WITHDRAWAL)
    withdrawal.name = "withdrawal.txt"
    answer = owner.post(
        f"{_api_url(world, takedown)}events/",
        {"status": "withdrawn", "note": "Licence confirmed", "file": withdrawal},
        format="multipart",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "withdrawn" and body["previous_status"] == "rejected"
    assert body["actor"] == team.owner.email
    assert body["happened_on"] == timezone.localdate().isoformat()
    assert body["document_name"] == "withdrawal.txt"
    assert body["document_sha256"] == hashlib.sha256(WITHDRAWAL).hexdigest()
    sent_letter = EvidenceItem.objects.for_label(team.label).get(code=body["evidence_item"])
    assert sent_letter.kind == "correspondence"  # what the label sent, not what it received
    assert owner.get(_api_url(world, takedown)).json()["status"] == "withdrawn"
    listed = owner.get(f"{_api_url(world, takedown)}events/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(r["status"], r["actor"]) for r in rows] == [
        ("drafted", team.rights.email),
        ("approved", team.counsel.email),
        ("sent", team.counsel.email),
        ("rejected", team.rights.email),
        ("withdrawn", team.owner.email),
    ]

    # The matter's timeline shows each step: who recorded it, the date it happened when that
    # was another day, its document and its note.
    timeline = _timeline(rights.get(_matter_page(world)).content.decode())
    assert "Takedown to Tube Inc.: Rejected" in timeline
    rejected = timeline.split("Takedown to Tube Inc.: Rejected", 1)[1].split("</li>", 1)[0]
    assert team.rights.email in rejected
    assert f"Date: {on.isoformat()}" in rejected
    assert "rejection.txt" in rejected and "Claims a licence" in rejected
    assert "Takedown to Tube Inc.: Withdrawn" in timeline
    withdrawn = timeline.split("Takedown to Tube Inc.: Withdrawn", 1)[1].split("</li>", 1)[0]
    assert team.owner.email in withdrawn and "withdrawal.txt" in withdrawn
    assert "Date:" not in withdrawn  # recorded the day it happened

    # Withdrawn is the end: nothing follows it, and the page offers no step.
    assert "Record the step" not in rights.get(_page(world, takedown)).content.decode()
    refused = owner.post(
        f"{_api_url(world, takedown)}events/", {"status": "removed"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["status"] == [
        "A takedown that is “Withdrawn” cannot become “Removed”."
    ]


# The steps that take a fresh takedown to each state that may be withdrawn.
PATHS: dict[str, list[str]] = {
    "drafted": [],
    "approved": ["approved"],
    "sent": ["approved", "sent"],
    "acknowledged": ["approved", "sent", "acknowledged"],
    "removed": ["approved", "sent", "removed"],
    "rejected": ["approved", "sent", "acknowledged", "rejected"],
    "counter_notice": ["approved", "sent", "removed", "counter_notice"],
}


@pytest.mark.parametrize("state", list(PATHS))
def test_a_takedown_can_be_withdrawn_from(team: Team, state: str) -> None:
    world = takedown_world(team.label)
    takedown = drafted(world, actor=team.rights)
    for step in PATHS[state]:
        if step == "approved":
            takedown = takedown_approve(takedown=takedown, actor=team.counsel)
        elif step == "sent":
            takedown = takedown_send(takedown=takedown, actor=team.counsel)
        else:
            takedown_event_record(takedown=takedown, status=step, actor=team.rights)
    takedown.refresh_from_db()
    assert takedown.status == state
    assert '<option value="withdrawn">' in (
        team.client_for(team.rights).get(_page(world, takedown)).content.decode()
    )

    answer = _api(team.rights).post(
        f"{_api_url(world, takedown)}events/",
        {"status": "withdrawn", "note": "Settled"},
        format="json",
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["previous_status"] == state
    assert answer.json()["actor"] == team.rights.email
    takedown.refresh_from_db()
    assert takedown.status == "withdrawn"
    assert (
        LedgerEntry.objects.for_label(team.label)
        .filter(action="takedown.withdrawn", object_code=str(takedown.code))
        .get()
        .data["previous_status"]
        == state
    )
    timeline = _timeline(team.client_for(team.viewer).get(_matter_page(world)).content.decode())
    assert "Takedown to Tube Inc.: Withdrawn" in timeline and "Settled" in timeline


def test_a_takedown_withdrawn_while_its_letter_waits_to_be_sent_is_not_sent(team: Team) -> None:
    world = takedown_world(team.label)
    takedown = takedown_approve(takedown=drafted(world), actor=team.counsel)
    job = takedown_send_request(takedown=takedown, actor=team.counsel)
    takedown_event_record(takedown=takedown, status="withdrawn", actor=team.rights)
    mail.outbox.clear()
    job_execute(code=str(job.code))
    assert mail.outbox == []
    takedown.refresh_from_db()
    assert takedown.status == "withdrawn" and takedown.sent_at is None


def test_a_takedown_withdrawn_while_the_mail_server_takes_it_is_sent_then_withdrawn(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = takedown_world(team.label)
    takedown = takedown_approve(takedown=drafted(world), actor=team.counsel)
    real_connection = mail.get_connection

    class WithdrawnMeanwhile:
        """The mail server takes the letter while a member withdraws the takedown."""

        def __init__(self, **kwargs: Any) -> None:
            self.connection = real_connection(**kwargs)

        def send_messages(self, messages: list[Any]) -> int:
            takedown_event_record(
                takedown=Takedown.objects.for_label(team.label).get(pk=takedown.pk),
                status="withdrawn",
                actor=team.rights,
            )
            return int(self.connection.send_messages(messages))

    monkeypatch.setattr(notices.services.takedowns, "get_connection", WithdrawnMeanwhile)
    mail.outbox.clear()

    takedown_send(takedown=takedown, actor=team.counsel)

    assert len(mail.outbox) == 1
    takedown.refresh_from_db()
    # The letter left, and the withdrawal that came while it did is not undone.
    assert takedown.status == "withdrawn"
    assert takedown.sent_at is not None and takedown.sent_message is not None
    events = TakedownEvent.objects.for_label(team.label).filter(takedown=takedown)
    steps = set(events.values_list("status", flat=True))
    assert {"sent", "withdrawn"} <= steps


def test_steps_the_state_does_not_allow_are_refused_with_the_reason(team: Team) -> None:
    world = takedown_world(team.label)
    takedown = _sent(world, team)
    for step in ("removed", "counter_notice", "reinstated"):
        takedown_event_record(takedown=takedown, status=step, actor=team.rights)
    api = _api(team.rights)
    url = f"{_api_url(world, takedown)}events/"

    # Reinstated is the end of the road: the API says why, as JSON.
    for step, label in (("withdrawn", "Withdrawn"), ("removed", "Removed")):
        refused = api.post(url, {"status": step}, format="json")
        assert refused.status_code == 400
        assert refused["Content-Type"] == "application/json"
        error = refused.json()["error"]
        assert error["code"] == "invalid"
        assert error["fields"]["status"] == [
            f"A takedown that is “Reinstated” cannot become “{label}”."
        ]
    # Approving and sending are their own actions, not steps to record.
    for step in ("approved", "sent", "drafted", "lost"):
        refused = api.post(url, {"status": step}, format="json")
        assert refused.status_code == 400 and "status" in refused.json()["error"]["fields"]
    # A viewer may not record a step at all.
    assert _api(team.viewer).post(url, {"status": "withdrawn"}, format="json").status_code == 403
    takedown.refresh_from_db()
    assert takedown.status == "reinstated"
    assert TakedownEvent.objects.for_label(team.label).filter(takedown=takedown).count() == 6

    # On the page: a second takedown, removed; a rejection cannot follow a removal.
    other = _sent(world, team)
    takedown_event_record(takedown=other, status="removed", actor=team.rights)
    rights = team.client_for(team.rights)
    page = rights.post(f"{_page(world, other)}events/", {"status": "rejected"}, follow=True)
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        '<li class="message message-error">'
        "A takedown that is “Removed” cannot become “Rejected”.</li>"
    ) in html
    assert "Step recorded." not in html
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = rights.post(
        f"{_page(world, other)}events/",
        {"status": "counter_notice", "happened_on": future},
        follow=True,
    )
    assert "The date cannot be in the future." in page.content.decode()
    other.refresh_from_db()
    assert other.status == "removed"
    assert list(
        TakedownEvent.objects.for_label(team.label)
        .filter(takedown=other)
        .order_by("created_at", "id")
        .values_list("status", flat=True)
    ) == ["drafted", "approved", "sent", "removed"]
