"""The takedowns API: draft with ISRCs, approve (counsel, not rights; two-factor), send,
lifecycle steps, PDF and packet (202 while being made), Lumen export."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from notices.models import Takedown
from notices.services.takedowns import takedown_render
from optout.services.jobs import job_execute
from optout.services.tokens import token_create
from tests.conftest import Team
from tests.notices.takedown_world import INFRINGING, TakedownWorld, takedown_world
from tests.polling import assert_pollable

pytestmark = pytest.mark.django_db


def _client(user: Any) -> APIClient:
    _token, key = token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _base(world: TakedownWorld) -> str:
    return f"/api/v1/labels/{world.label.slug}/matters/{world.matter.code}/takedowns/"


def _draft(world: TakedownWorld, client: APIClient, **extra: Any) -> dict[str, Any]:
    isrc = world.recordings[0].isrc
    created = client.post(
        _base(world),
        {
            "route": "dmca",
            "recipient": {
                "name": "Tube Inc.",
                "kind": "platform",
                "email": "copyright@tube.example",
                "country": "us",
            },
            "infringing_urls": [INFRINGING],
            "recordings": [f"{isrc[:2]}-{isrc[2:5]}-{isrc[5:7]}-{isrc[7:]}".lower()],
            **extra,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body: dict[str, Any] = created.json()
    return body


def test_draft_approve_send_and_follow_a_takedown(team: Team) -> None:
    world = takedown_world(team.label)
    rights, counsel = _client(team.rights), _client(team.counsel)
    body = _draft(world, rights)
    assert body["status"] == "drafted" and body["job"]["kind"] == "notices.takedown_render"
    assert [r["isrc"] for r in body["facts"]["recordings"]] == [world.recordings[0].isrc]
    assert body["recipient"]["country"] == "US"
    assert body["signatory"] == team.rights.get_full_name()
    url = f"{_base(world)}{body['id']}/"

    pending = rights.get(f"{url}pdf/")
    assert pending.status_code == 202 and pending["Location"].endswith(f"{url}pdf/")
    assert pending.json()["job"]["id"] == body["job"]["id"]
    assert_pollable(rights, pending, same_id=body["id"])
    job_execute(code=body["job"]["id"])
    pdf = rights.get(f"{url}pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]

    # Rights drafts but may not approve or send; counsel may not draft.
    assert rights.post(f"{url}approve/", format="json").status_code == 403
    assert rights.post(f"{url}send/", {"via": "email"}, format="json").status_code == 403
    assert counsel.post(_base(world), {}, format="json").status_code == 403
    # Sending before approval is refused with the reason.
    refused = counsel.post(f"{url}send/", {"via": "email"}, format="json")
    assert (
        refused.status_code == 400 and "approve" in refused.json()["error"]["fields"]["status"][0]
    )

    approved = counsel.post(f"{url}approve/", format="json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == team.counsel.email
    again = counsel.post(f"{url}approve/", format="json")
    assert (
        again.status_code == 400 and "cannot become" in again.json()["error"]["fields"]["status"][0]
    )

    sending = counsel.post(f"{url}send/", {"via": "email"}, format="json")
    assert sending.status_code == 202
    assert sending.json()["job"]["kind"] == "notices.takedown_send"
    job_id = sending.json()["job"]["id"]
    assert sending["Location"].endswith(f"/api/v1/labels/{team.label.slug}/jobs/{job_id}/")
    # The answer is the takedown; Location names its sending job.
    assert_pollable(counsel, sending, same_id=job_id)
    job_execute(code=sending.json()["job"]["id"])  # Django's test mail outbox
    assert rights.get(url).json()["status"] == "sent"

    bad = rights.post(f"{url}events/", {"status": "reinstated"}, format="json")
    assert bad.status_code == 400 and "cannot become" in bad.json()["error"]["fields"]["status"][0]
    step = rights.post(
        f"{url}events/",
        {"status": "removed", "note": "Gone", "happened_on": "2026-01-02"},
        format="json",
    )
    assert step.status_code == 201, step.content
    assert step.json()["actor"] == team.rights.email
    events = rights.get(f"{url}events/").json()
    rows = events["results"] if isinstance(events, dict) else events
    assert [e["status"] for e in rows] == ["drafted", "approved", "sent", "removed"]

    lumen = rights.get(f"{url}lumen/")
    assert lumen.status_code == 200
    notice = lumen.json()["notice"]
    assert notice["type"] == "DMCA" and notice["date_sent"]
    assert notice["works_attributes"][0]["infringing_urls_attributes"] == [{"url": INFRINGING}]


def test_a_portal_filing_needs_its_confirmation(team: Team) -> None:
    import io

    world = takedown_world(team.label)
    owner = _client(team.owner)
    body = _draft(world, owner)
    job_execute(code=body["job"]["id"])
    url = f"{_base(world)}{body['id']}/"
    assert owner.post(f"{url}approve/", format="json").status_code == 200
    missing = owner.post(f"{url}send/", {"via": "portal"}, format="multipart")
    assert (
        missing.status_code == 400
        and "confirmation" in missing.json()["error"]["fields"]["file"][0]
    )
    receipt = io.BytesIO(b"Portal receipt #123")
    receipt.name = "receipt.txt"
    sent = owner.post(
        f"{url}send/", {"via": "portal", "file": receipt, "note": "Ticket 123"}, format="multipart"
    )
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "sent" and sent.json()["sent_via"] == "portal"
    events = owner.get(f"{url}events/").json()
    rows = events["results"] if isinstance(events, dict) else events
    assert rows[-1]["document_name"] == "receipt.txt" and rows[-1]["evidence_item"]


def test_approving_needs_two_factor_where_the_label_asks(team: Team) -> None:
    world = takedown_world(team.label)
    body = _draft(world, _client(team.rights))
    takedown = Takedown.objects.for_label(team.label).get(code=body["id"])
    takedown_render(takedown=takedown, actor=None)
    team.label.require_mfa = True
    team.label.save(update_fields=["require_mfa"])
    session = APIClient()
    session.force_login(team.counsel)
    answer = session.post(f"{_base(world)}{body['id']}/approve/", format="json")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "mfa_required"
    takedown.refresh_from_db()
    assert takedown.status == "drafted"


def test_the_packet_is_a_job_then_a_zip(team: Team) -> None:
    world = takedown_world(team.label)
    counsel = _client(team.counsel)
    body = _draft(world, _client(team.rights))
    url = f"{_base(world)}{body['id']}/packet/"
    assert counsel.get(url).status_code == 409  # nothing built yet
    early = counsel.post(url, format="json")
    assert early.status_code == 400  # the PDF is not rendered yet
    job_execute(code=body["job"]["id"])
    started = counsel.post(url, format="json")
    assert started.status_code == 202 and started["Location"].endswith(url)
    packet = started.json()
    assert packet["status"] == "building" and packet["job"]["kind"] == "notices.takedown_packet"
    assert_pollable(counsel, started, same_id=packet["id"])
    assert_pollable(counsel, counsel.get(url), same_id=packet["id"])
    job_execute(code=packet["job"]["id"])
    done = counsel.get(url)
    assert done.status_code == 200
    assert b"".join(done.streaming_content)[:2] == b"PK"  # type: ignore[attr-defined]
    assert _client(team.rights).get(url).status_code == 403
