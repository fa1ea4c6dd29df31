from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from evidence.models import Alert, EvidenceItem, Matter, MatterItem, Packet
from evidence.services.alerts import alert_raise
from evidence.services.matters import matter_item_add, matter_set_hold
from optout.lib.hashing import sha256_bytes
from optout.models import Label
from optout.services.jobs import job_execute
from tests.conftest import Team
from tests.evidence.conftest import make_item, make_matter

pytestmark = pytest.mark.django_db


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"evidence:{name}", kwargs={"slug": "label-a", **kwargs})


def _file(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_rights_uploads_evidence_through_the_page(team: Team) -> None:
    client = team.client_for(team.rights)
    assert client.get(_url("item_new")).status_code == 200
    data = b"Statement from the distributor, Q1 2026"
    response = client.post(
        _url("item_new"),
        {
            "file": _file(data, "statement-q1.pdf"),
            "kind": "distributor_statement",
            "document_date": "2026-04-01",
            "recordings": "",
            "works": "",
        },
    )
    item = EvidenceItem.objects.for_label(team.label).get()
    assert response.status_code == 302
    assert response["Location"] == _url("item", code=item.code)
    assert item.blob.sha256 == sha256_bytes(data) and item.title == "statement-q1.pdf"
    page = client.get(response["Location"]).content.decode()
    assert item.blob.sha256 in page and "evidence.item_added" in page


def test_an_upload_without_a_file_or_with_an_unknown_isrc_is_refused(team: Team) -> None:
    client = team.client_for(team.rights)
    response = client.post(_url("item_new"), {"kind": "other"})
    assert response.status_code == 400
    response = client.post(
        _url("item_new"),
        {"kind": "other", "file": _file(b"x", "x.txt"), "recordings": "SE-XYZ-26-99999"},
    )
    assert response.status_code == 400
    assert "SE-XYZ-26-99999" in response.content.decode()
    assert not EvidenceItem.objects.for_label(team.label).exists()


def test_a_viewer_cannot_open_the_upload_page(team: Team) -> None:
    assert team.client_for(team.viewer).get(_url("item_new")).status_code == 403


def test_the_hold_is_set_on_the_page_and_blocks_withdrawal(team: Team) -> None:
    item = make_item(team.label, team.rights)
    matter = make_matter(team.label, team.rights, title="Held matter")
    added = matter_item_add(
        matter=matter, actor=team.rights, source_key="evidence", source_code=item.code
    )
    client = team.client_for(team.rights)
    response = client.post(
        _url("matter_hold", code=matter.code), {"hold": "on", "reason": "Court order 12/26"}
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.legal_hold and matter.legal_hold_reason == "Court order 12/26"
    response = client.post(
        _url("matter_item_withdraw", code=matter.code, item=added.code),
        {"reason": "Tidy"},
        follow=True,
    )
    assert "legal hold" in response.content.decode()
    added.refresh_from_db()
    assert not added.is_withdrawn
    response = client.post(_url("item_withdraw", code=item.code), {"reason": "Tidy"}, follow=True)
    assert "Held matter" in response.content.decode()
    item.refresh_from_db()
    assert not item.is_withdrawn


def test_items_are_added_from_the_matter_page_and_other_apps_pages(team: Team) -> None:
    first = make_item(team.label, team.rights, data=b"one", title="First")
    second = make_item(team.label, team.rights, data=b"two", title="Second")
    matter = make_matter(team.label, team.rights)
    client = team.client_for(team.rights)
    page = client.get(_url("matter", code=matter.code)).content.decode()
    assert str(first.code) in page
    assert (
        client.post(
            _url("matter_item_add", code=matter.code), {"item": str(first.code)}
        ).status_code
        == 302
    )
    response = client.post(
        _url("matter_item_add", code=matter.code),
        {"source": "evidence", "code": "00000000-0000-0000-0000-000000000000"},
    )
    assert response.status_code == 400
    add_url = _url("add_to_matter", source="evidence", code=second.code)
    assert matter.title in client.get(add_url).content.decode()
    assert client.post(add_url, {"matter": str(matter.code)}).status_code == 302
    assert [i.title for i in MatterItem.objects.for_label(team.label).order_by("id")] == [
        "First",
        "Second",
    ]
    foreign = make_item(team.other_label, team.outsider)
    assert (
        client.get(_url("add_to_matter", source="evidence", code=foreign.code)).status_code == 404
    )
    assert client.get(_url("add_to_matter", source="tweet", code=second.code)).status_code == 404


def test_counsel_builds_a_packet_and_watches_it_finish(team: Team) -> None:
    matter = make_matter(team.label, team.rights)
    item = make_item(team.label, team.rights)
    matter_item_add(matter=matter, actor=team.rights, source_key="evidence", source_code=item.code)
    client = team.client_for(team.counsel)
    response = client.post(_url("packet_new", code=matter.code))
    packet = Packet.objects.for_label(team.label).get()
    assert response["Location"] == _url("packet", code=matter.code, packet=packet.code)
    polled = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and b"hx-get" in polled.content
    assert packet.job is not None
    job_execute(code=str(packet.job.code))
    finished = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert finished.status_code == 286
    download = _url("packet_download", code=matter.code, packet=packet.code)
    assert download.encode() in finished.content
    assert client.get(download).status_code == 200
    assert team.client_for(team.viewer).get(download).status_code == 403


def test_the_dashboard_shows_open_matters_and_alerts(team: Team) -> None:
    make_matter(team.label, team.rights, title="Visible matter")
    alert_raise(
        label=team.label,
        kind=Alert.Kind.BLOB_MISSING,
        key="test",
        message="The stored file of “x” is missing.",
    )
    page = team.client_for(team.viewer).get(reverse("dashboard", args=["label-a"]))
    text = page.content.decode()
    assert "Visible matter" in text and "is missing" in text
    assert reverse("evidence:index", args=["label-a"]) in text


def test_pages_render_in_swedish(team: Team) -> None:
    matter = make_matter(team.label, team.rights)
    matter_set_hold(matter=matter, actor=team.rights, hold=True, reason="Tvist")
    client = team.client_for(team.rights)
    client.cookies["django_language"] = "sv"
    page = client.get(_url("matter", code=matter.code), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Rättsligt bevarande" in page and "Häv bevarandet" in page
    assert "Legal hold" not in page


def test_the_demo_seeder_adds_a_matter_with_an_item() -> None:
    call_command("seed_demo", "--force", stdout=io.StringIO())
    label = Label.objects.get(slug="demo")
    matter = Matter.objects.for_label(label).get()
    assert MatterItem.objects.for_label(label).filter(matter=matter).count() == 1


def test_upload_pages_still_check_the_csrf_token(team: Team) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.rights)
    response = client.post(_url("item_new"), {"kind": "other", "file": _file(b"x", "x.txt")})
    assert response.status_code == 403
    response = client.post(reverse("verify_packet"), {"packet": _file(b"PK", "p.zip")})
    assert response.status_code == 403
    assert not EvidenceItem.objects.for_label(team.label).exists()
    page = client.get(_url("item_new"))
    token = page.cookies["csrftoken"].value
    response = client.post(
        _url("item_new"),
        {"kind": "other", "file": _file(b"x", "x.txt"), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
