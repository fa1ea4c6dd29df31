from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from evidence.models import EvidenceItem, Matter, MatterItem
from evidence.services.matters import matter_item_add, matter_set_hold
from optout.lib.hashing import sha256_bytes
from optout.models import LedgerEntry
from tests.conftest import Team
from tests.evidence.conftest import make_item, make_matter

pytestmark = pytest.mark.django_db


def _url(name: str, team: Team, **kwargs: Any) -> str:
    return reverse(f"api:evidence:{name}", kwargs={"slug": team.label.slug, **kwargs})


def _file(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def _counts(team: Team) -> tuple[int, int, int]:
    return (
        EvidenceItem.objects.for_label(team.label).count(),
        MatterItem.objects.for_label(team.label).count(),
        LedgerEntry.objects.for_label(team.label).count(),
    )


def test_it_uploads_an_evidence_item_with_a_token(team: Team, api_token: str) -> None:
    data = "Brev från distributören — 3 maj".encode()
    response = Client().post(
        _url("evidence-list", team),
        {
            "file": _file(data, "brev från distributör.eml"),
            "kind": "correspondence",
            "document_date": "2026-05-03",
            "source": "Distributor",
        },
        HTTP_AUTHORIZATION=f"Token {api_token}",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == sha256_bytes(data)
    assert body["size"] == len(data)
    assert body["filename"] == "brev från distributör.eml"
    assert body["document_date"] == "2026-05-03"
    item = EvidenceItem.objects.for_label(team.label).get(code=body["id"])
    assert item.created_by == team.owner


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"kind": "correspondence"}, "file"),
        ({"file": "not a file", "kind": "correspondence"}, "file"),
        ({"kind": "gossip", "with_file": True}, "kind"),
        ({"kind": "other", "source_url": "javascript:alert(1)", "with_file": True}, "source_url"),
        ({"kind": "other", "document_date": "3 May", "with_file": True}, "document_date"),
    ],
)
def test_a_bad_upload_names_the_field_and_writes_nothing(
    team: Team, form: dict[str, Any], field: str
) -> None:
    before = _counts(team)
    if form.pop("with_file", False):
        form["file"] = _file(b"content", "x.txt")
    response = team.client_for(team.rights).post(_url("evidence-list", team), form)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert _counts(team) == before


def test_it_refuses_an_empty_file(team: Team) -> None:
    response = team.client_for(team.rights).post(
        _url("evidence-list", team), {"kind": "other", "file": _file(b"", "empty.txt")}
    )
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_a_viewer_cannot_upload(team: Team) -> None:
    before = _counts(team)
    response = team.client_for(team.viewer).post(
        _url("evidence-list", team), {"kind": "other", "file": _file(b"x", "x.txt")}
    )
    assert response.status_code == 403
    assert _counts(team) == before


def test_it_adds_an_item_to_a_matter_by_id(team: Team) -> None:
    item = make_item(team.label, team.rights)
    matter = make_matter(team.label, team.rights)
    response = team.client_for(team.rights).post(
        _url("matter-items", team, matter_id=matter.code),
        {"evidence": str(item.code)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["source_id"], body["sha256"]) == (
        "evidence",
        str(item.code),
        item.blob.sha256,
    )
    listed = team.client_for(team.viewer).get(_url("matter-items", team, matter_id=matter.code))
    assert [row["id"] for row in listed.json()["results"]] == [body["id"]]


@pytest.mark.parametrize(
    "body",
    [
        "other-label",
        {"evidence": "not-a-uuid"},
        {"evidence": "00000000-0000-0000-0000-000000000000"},
        {"tweet": "00000000-0000-0000-0000-000000000000"},
        {},
        [],
    ],
)
def test_a_bad_add_request_is_refused_with_no_rows_written(team: Team, body: Any) -> None:
    matter = make_matter(team.label, team.rights)
    if body == "other-label":
        body = {"evidence": str(make_item(team.other_label, team.outsider).code)}
    before = _counts(team)
    response = team.client_for(team.rights).post(
        _url("matter-items", team, matter_id=matter.code), body, content_type="application/json"
    )
    assert response.status_code in (400, 404), response.content
    assert response.json()["error"]["message"]
    assert _counts(team) == before


def test_withdrawing_under_legal_hold_is_a_conflict(team: Team) -> None:
    item = make_item(team.label, team.rights)
    matter = make_matter(team.label, team.rights)
    added = matter_item_add(
        matter=matter, actor=team.rights, source_key="evidence", source_code=item.code
    )
    matter_set_hold(matter=matter, actor=team.rights, hold=True, reason="Court order")
    client = team.client_for(team.rights)
    response = client.post(
        _url("matter-item-withdraw", team, matter_id=matter.code, id=added.code),
        {"reason": "Not needed"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "legal_hold"
    response = client.post(
        _url("evidence-withdraw", team, id=item.code),
        {"reason": "Not needed"},
        content_type="application/json",
    )
    assert response.status_code == 409
    item.refresh_from_db()
    assert not item.is_withdrawn


def test_it_puts_a_matter_on_hold_and_lifts_it(team: Team) -> None:
    matter = make_matter(team.label, team.rights)
    client = team.client_for(team.rights)
    url = _url("matter-hold", team, id=matter.code)
    response = client.post(url, {"hold": True}, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    response = client.post(
        url, {"hold": True, "reason": "Preservation letter"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["legal_hold"] is True
    response = client.post(
        url, {"hold": False, "reason": "Case closed"}, content_type="application/json"
    )
    assert response.json()["legal_hold"] is False


def test_a_matter_owner_from_another_label_is_a_field_error(team: Team) -> None:
    response = team.client_for(team.rights).post(
        _url("matter-list", team),
        {"title": "Case", "owner": str(team.outsider.code)},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "owner" in response.json()["error"]["fields"]
    assert Matter.objects.for_label(team.label).count() == 0
    # Counsel reads a matter but cannot add its notes and items: not an owner who runs it.
    response = team.client_for(team.rights).post(
        _url("matter-list", team),
        {"title": "Case", "owner": str(team.counsel.code), "territory": "se"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "owner" in response.json()["error"]["fields"]
    response = team.client_for(team.rights).post(
        _url("matter-list", team),
        {"title": "Case", "owner": str(team.owner.code), "territory": "se"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (response.json()["owner_email"], response.json()["territory"]) == (
        team.owner.email,
        "SE",
    )


def test_a_download_is_an_attachment_and_a_custody_event(team: Team) -> None:
    item = make_item(team.label, team.rights, data=b"<html><script>x</script>", name="page.html")
    response = team.client_for(team.viewer).get(_url("evidence-download", team, id=item.code))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == b"<html><script>x</script>"  # type: ignore[attr-defined]
    entry = LedgerEntry.objects.for_label(team.label).order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.actor, entry.object_code) == (
        "blob.downloaded",
        team.viewer,
        str(item.code),
    )


def test_lists_never_show_another_labels_rows(team: Team) -> None:
    make_item(team.other_label, team.outsider, title="Secret of label B")
    make_matter(team.other_label, team.outsider, title="Secret matter of label B")
    client = team.client_for(team.owner)
    for name in ("evidence-list", "matter-list", "alerts"):
        response = client.get(_url(name, team))
        assert response.status_code == 200
        assert b"label B" not in response.content
