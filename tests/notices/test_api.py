"""The notices API: create with ids or identifiers, read, send (202 + job), PDF (202 while
rendering, then the file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from notices.models import PartnerNotice
from notices.services.notices import notice_create, notice_render
from optout.models import Job
from optout.services.tokens import token_create
from tests.notices.conftest import World, sent_notice
from tests.notices.test_respond import ANSWERS
from tests.polling import assert_pollable

pytestmark = pytest.mark.django_db


def _client(user: Any) -> APIClient:
    _token, key = token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _base(world: World) -> str:
    return f"/api/v1/labels/{world.label.slug}/notices/"


def test_create_with_isrcs_then_read_send_and_download(world: World) -> None:
    client = _client(world.team.rights)
    isrc = world.recordings[0].isrc
    created = client.post(
        _base(world),
        {
            "partner": str(world.partner.code),
            "scope": "recordings",
            "recordings": [f"{isrc[:2]}-{isrc[2:5]}-{isrc[5:7]}-{isrc[7:]}".lower()],
            "language": "ja",
            "deadline": "2099-01-31",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["job"]["kind"] == "notices.render" and body["status"] == "draft"
    assert [r["isrc"] for r in body["covered"]["recordings"]] == [isrc]
    assert body["deadline"] == "2099-01-31" and body["language"] == "ja"

    pending = client.get(f"{_base(world)}{body['id']}/pdf/")
    assert pending.status_code == 202
    job = f"/api/v1/labels/{world.label.slug}/jobs/{body['job']['id']}/"
    assert pending["Location"] == f"http://testserver{job}"
    assert_pollable(client, pending, same_id=body["job"]["id"])

    notice = PartnerNotice.objects.for_label(world.label).get(code=body["id"])
    notice_render(notice=notice, actor=None)
    pdf = client.get(f"{_base(world)}{body['id']}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]

    assert client.get(_base(world)).json()["results"][0]["id"] == body["id"]
    sent = client.post(f"{_base(world)}{body['id']}/send/", format="json")
    assert sent.status_code == 202 and sent.json()["kind"] == "notices.send"
    # The answer is the sending job; Location names it.
    assert_pollable(client, sent, same_id=sent.json()["id"])
    detail = client.get(f"{_base(world)}{body['id']}/").json()
    assert detail["job"]["id"] == sent.json()["id"]


def test_bad_input_is_a_400_naming_the_field(world: World) -> None:
    client = _client(world.team.rights)
    unknown = client.post(
        _base(world),
        {"partner": str(world.partner.code), "scope": "releases", "releases": ["0000000009999"]},
        format="json",
    )
    assert unknown.status_code == 400
    assert "0000000009999" in str(unknown.json()["error"]["fields"]["releases"])
    foreign = client.post(
        _base(world), {"partner": str(world.team.label.code), "scope": "catalog"}, format="json"
    )
    assert foreign.status_code == 400 and "partner" in foreign.json()["error"]["fields"]
    assert not PartnerNotice.objects.for_label(world.label).exists()


def test_viewer_cannot_create_or_send(world: World) -> None:
    client = _client(world.team.viewer)
    assert client.get(_base(world)).status_code == 200
    denied = client.post(
        _base(world), {"partner": str(world.partner.code), "scope": "catalog"}, format="json"
    )
    assert denied.status_code == 403
    assert not Job.objects.for_label(world.label).exists()


def test_a_pdf_with_no_job_to_follow_names_its_own_url(world: World) -> None:
    # ``render=False`` is how the bulk job makes a notice before it renders it: until then
    # there is no job, and the PDF's URL is what answers once there is a PDF.
    notice = notice_create(
        label=world.label,
        partner=world.partner,
        scope=PartnerNotice.Scope.CATALOG,
        language="en",
        actor=world.team.rights,
        render=False,
    )
    client = _client(world.team.viewer)
    url = f"{_base(world)}{notice.code}/pdf/"
    pending = client.get(url)
    assert pending.status_code == 202 and pending.json() == {}
    assert pending["Location"] == f"http://testserver{url}"
    assert_pollable(client, pending)
    notice_render(notice=notice, actor=None)
    ready = client.get(pending["Location"])
    assert ready.status_code == 200 and b"".join(ready.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_the_detail_returns_the_answers_the_partner_gave_through_the_link(
    world: World, tmp_path: Path
) -> None:
    notice, token = sent_notice(world, tmp_path)
    client = _client(world.team.viewer)
    url = f"{_base(world)}{notice.code}/"
    before = client.get(url).json()
    assert before["status"] == "sent" and before["answers"] == {}
    assert before["answered_at"] is None and before["answer_source"] == ""

    answered = Client().post(f"/n/{token}/", ANSWERS)
    assert answered.status_code == 302

    detail = client.get(url)
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "answered" and body["answer_source"] == "link"
    assert body["answered_at"]
    # Every question's answer and explanation, as the partner gave them (JSON is not HTML:
    # the text comes back as written).
    assert body["answers"] == {
        "ai_training": {
            "answer": "yes",
            "explanation": "<script>alert(1)</script> We licensed stems to a lab.",
        },
        "sublicensing": {"answer": "no", "explanation": ""},
        "datasets": {"answer": "no", "explanation": ""},
        "signals": {
            "answer": ["robots_txt", "tdmrep"],
            "explanation": "<img src=http://127.0.0.1:9/x>",
        },
    }
    # The list gives the same answers.
    listed = client.get(_base(world)).json()["results"]
    assert [n["answers"] for n in listed if n["id"] == str(notice.code)] == [body["answers"]]
