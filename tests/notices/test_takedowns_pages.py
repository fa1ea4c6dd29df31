"""Takedown pages: the matter's section and timeline, drafting, approval (counsel, not
rights; two-factor), the lifecycle form, downloads; hostile text escaped on pages and
printed, never loaded, in the PDF."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from notices.models import Takedown
from notices.services.takedowns import takedown_approve, takedown_create, takedown_render
from optout.services.blobs import blob_open
from optout.services.jobs import job_execute
from tests.conftest import Team
from tests.evidence.test_pdf_safety import _Counting
from tests.notices.conftest import pdf_text
from tests.notices.takedown_world import INFRINGING, drafted, takedown_world

pytestmark = pytest.mark.django_db


def test_draft_from_the_matter_page_then_approve_as_counsel(team: Team) -> None:
    world = takedown_world(team.label)
    rights = team.client_for(team.rights)
    matter_url = f"/l/{team.label.slug}/evidence/matters/{world.matter.code}/"
    page = rights.get(matter_url)
    assert page.status_code == 200
    assert b"Takedowns" in page.content and b"Draft the takedown" in page.content

    missing = rights.post(
        f"/l/{team.label.slug}/notices/matters/{world.matter.code}/takedowns/new/",
        {"route": "dsa", "recipient_name": "Tube", "recipient_kind": "platform", "signatory": "R"},
    )
    assert missing.status_code == 400
    assert "explain why the content is illegal" in missing.content.decode()

    created = rights.post(
        f"/l/{team.label.slug}/notices/matters/{world.matter.code}/takedowns/new/",
        {
            "route": "dmca",
            "recipient_name": "Tube Inc.",
            "recipient_kind": "platform",
            "recipient_email": "copyright@tube.example",
            "infringing_urls": f"{INFRINGING}\n",
            "recordings": [str(world.recordings[0].code)],
            "signatory": "Rita Rights",
        },
    )
    assert created.status_code == 302, created.content
    takedown = Takedown.objects.for_label(team.label).get()
    assert created["Location"].endswith(f"/notices/takedowns/{takedown.code}/")
    assert [r["isrc"] for r in takedown.facts["recordings"]] == [world.recordings[0].isrc]
    assert takedown.job is not None
    job_execute(code=str(takedown.job.code))

    detail = f"/l/{team.label.slug}/notices/takedowns/{takedown.code}/"
    page = rights.get(detail)
    assert page.status_code == 200 and b"Download the PDF" in page.content
    assert b'action="' + f"{detail}approve/".encode() not in page.content  # not for rights
    assert rights.post(f"{detail}approve/").status_code == 403
    assert rights.post(f"{detail}send/").status_code == 403

    counsel = team.client_for(team.counsel)
    assert f"{detail}approve/" in counsel.get(detail).content.decode()
    approved = counsel.post(f"{detail}approve/")
    assert approved.status_code == 302
    takedown.refresh_from_db()
    assert takedown.status == "approved" and takedown.approved_by == team.counsel

    # Every step shows in the matter's timeline.
    timeline = rights.get(matter_url).content.decode()
    assert "Takedown to Tube Inc.: Drafted" in timeline
    assert "Takedown to Tube Inc.: Approved" in timeline

    pdf = rights.get(f"{detail}pdf/")
    assert pdf.status_code == 200
    lumen = rights.get(f"{detail}lumen/")
    assert json.loads(lumen.content)["notice"]["type"] == "DMCA"


def test_approval_asks_counsel_for_the_second_factor(team: Team) -> None:
    world = takedown_world(team.label)
    takedown = drafted(world)
    team.label.require_mfa = True
    team.label.save(update_fields=["require_mfa"])
    counsel = team.client_for(team.counsel)
    answer = counsel.post(f"/l/{team.label.slug}/notices/takedowns/{takedown.code}/approve/")
    assert answer.status_code == 302 and "/accounts/2fa/" in answer["Location"]
    takedown.refresh_from_db()
    assert takedown.status == "drafted"


def test_lifecycle_form_records_a_step_with_its_letter_and_refuses_a_wrong_one(
    team: Team,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    world = takedown_world(team.label)
    takedown = takedown_approve(takedown=drafted(world), actor=team.owner)
    Takedown.objects.for_label(team.label).filter(pk=takedown.pk).update(status="sent")
    rights = team.client_for(team.rights)
    url = f"/l/{team.label.slug}/notices/takedowns/{takedown.code}/"
    wrong = rights.post(f"{url}events/", {"status": "reinstated"}, follow=True)
    assert (
        "cannot become" in wrong.content.decode()
        or "Select a valid choice" in wrong.content.decode()
    )
    letter = SimpleUploadedFile("reply.txt", b"Removed as requested.", content_type="text/plain")
    done = rights.post(
        f"{url}events/", {"status": "removed", "note": "Done", "file": letter}, follow=True
    )
    assert done.status_code == 200
    takedown.refresh_from_db()
    assert takedown.status == "removed"
    assert "reply.txt" in done.content.decode()


def test_hostile_text_is_escaped_on_pages_and_never_loaded_by_the_pdf(
    team: Team, server: str, tmp_path: Path
) -> None:
    world = takedown_world(team.label)
    name = f'<img src="{server}/img"><style>body{{background:url({server}/bg)}}</style>Evil & Co'
    takedown = takedown_create(
        matter=world.matter,
        route="dmca",
        recipient_name=name,
        recipient_kind="host",
        recipient_address=f'<link rel="stylesheet" href="{server}/css">',
        infringing_urls=[f"{server}/watch?<script>alert(1)</script>"],
        recordings=world.recordings,
        explanation=f'<iframe src="{server}/frame"></iframe>',
        signatory=f"<svg><image href='{server}/svg'/></svg>",
        actor=None,
    )
    takedown = takedown_render(takedown=takedown, actor=None)
    assert takedown.pdf is not None
    with blob_open(takedown.pdf) as handle:
        text = pdf_text(handle.read(), tmp_path)
    assert _Counting.hits == []
    assert "<img src=" in text and "Evil & Co" in text
    assert re.sub(r"\s+", "", f'<iframe src="{server}/frame"></iframe>') in re.sub(r"\s+", "", text)

    page = team.client_for(team.owner).get(
        f"/l/{team.label.slug}/notices/takedowns/{takedown.code}/"
    )
    html = page.content.decode()
    assert "<img src=" not in html and "&lt;img src=" in html
    assert "<script>alert(1)</script>" not in html
    assert "<iframe" not in html
    matter = team.client_for(team.owner).get(
        f"/l/{team.label.slug}/evidence/matters/{world.matter.code}/"
    )
    assert "<img src=" not in matter.content.decode()


def test_the_takedown_pages_speak_swedish(team: Team) -> None:
    world = takedown_world(team.label)
    takedown = drafted(world)
    client = team.client_for(team.counsel)
    client.cookies["django_language"] = "sv"
    matter = client.get(
        f"/l/{team.label.slug}/evidence/matters/{world.matter.code}/", HTTP_ACCEPT_LANGUAGE="sv"
    ).content.decode()
    assert "Nedtagningar" in matter and "Tidslinje" in matter
    assert "Nedtagningsbegäran till Tube Inc.: Utkast" in matter  # the timeline entry
    detail = client.get(
        f"/l/{team.label.slug}/notices/takedowns/{takedown.code}/", HTTP_ACCEPT_LANGUAGE="sv"
    ).content.decode()
    assert "Nedtagningsbegäran till Tube Inc." in detail
    assert "Godkänn" in detail and "Förlopp" in detail
    assert "USA: DMCA" in detail and "Nedtagningspaket" in detail
