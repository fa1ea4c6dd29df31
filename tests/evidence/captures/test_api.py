"""The capture API: requests, refusals with the fetcher's typed reason, files, matters."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from evidence.models import Capture, EvidenceItem, MatterItem
from optout.models import Job, LedgerEntry
from tests.conftest import Team
from tests.evidence.captures.conftest import Site, html, run_capture
from tests.evidence.conftest import make_matter
from tests.polling import assert_pollable

pytestmark = pytest.mark.django_db

HOST = "host_not_allowed"
# The refusal matrix of reliability.md §b.1 (47 URLs, plus the %20-encoded spelling of the
# whitespace case), with the reason the API must name. "{port}" is a live loopback server
# that must never be reached.
MATRIX: list[tuple[str, str]] = [
    ("file:///etc/passwd", "scheme_not_allowed"),
    ("file:/etc/passwd", "scheme_not_allowed"),
    ("FILE:///etc/passwd", "scheme_not_allowed"),
    ("file://localhost/etc/passwd", "scheme_not_allowed"),
    ("source:file:///etc/passwd", "scheme_not_allowed"),
    ("gopher://127.0.0.1:6379/_INFO", "scheme_not_allowed"),
    ("dict://127.0.0.1:6379/INFO", "scheme_not_allowed"),
    ("ftp://127.0.0.1/", "scheme_not_allowed"),
    ("data:text/html,<b>x", "scheme_not_allowed"),
    ("javascript:alert(1)", "scheme_not_allowed"),
    ("  http://127.0.0.1:{port}/", "invalid_url"),
    ("%20%20http://127.0.0.1:{port}/", "invalid_url"),
    ("http://127.0.0.1:{port}/", HOST),
    ("http://127.1:{port}/", HOST),
    ("http://0x7f000001:{port}/", HOST),
    ("http://0x7f.0.0.1:{port}/", HOST),
    ("http://2130706433:{port}/", HOST),
    ("http://017700000001:{port}/", HOST),
    ("http://0:{port}/", HOST),
    ("http://0.0.0.0:{port}/", HOST),
    ("http://[::1]:{port}/", HOST),
    ("http://[::]:{port}/", HOST),
    ("http://[::ffff:127.0.0.1]:{port}/", HOST),
    ("http://[::127.0.0.1]:{port}/", HOST),
    ("http://localhost:{port}/", HOST),
    ("http://LOCALHOST.:{port}/", HOST),
    ("http://169.254.169.254/latest/meta-data/", HOST),
    ("http://[fd00:ec2::254]/", HOST),
    ("http://100.100.100.200/", HOST),
    ("http://[64:ff9b::a9fe:a9fe]/", HOST),
    ("http://10.0.0.1/", HOST),
    ("http://172.16.0.1/", HOST),
    ("http://192.168.1.1/", HOST),
    ("http://100.64.0.1/", HOST),
    ("http://198.18.0.1/", HOST),
    ("http://[fc00::1]/", HOST),
    ("http://[fe80::1%25lo]/", "invalid_url"),
    ("http://[2002:7f00:1::]/", HOST),
    ("http://224.0.0.1/", HOST),
    ("http://255.255.255.255/", HOST),
    ("http://example.test@127.0.0.1:{port}/", "invalid_url"),
    ("http://127.0.0.1:{port}#@example.test/", HOST),
    ("http://127.0.0.1:80\\@example.test/", "invalid_url"),
    ("http://127\u30020\u30020\u30021:{port}/", "invalid_url"),
    ("http://[::1]:6379/", HOST),
    ("http://allowed.test:6379/", "port_not_allowed"),
    ("http://allowed.test/" + "a" * 10_000, "invalid_url"),
    ("http://allowed.test:{port}/\x00", "invalid_url"),
]


def _api(team: Team, user: Any = None) -> Client:
    return team.client_for(user or team.rights)


def _post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(data), content_type="application/json")


def test_the_matrix_has_every_url_of_the_reliability_plan() -> None:
    assert len(MATRIX) == 48
    assert len({url for url, _ in MATRIX}) == 48


def test_it_refuses_the_whole_matrix_with_the_typed_reason_and_writes_nothing(
    team: Team, secret_site: Site, outbound_attempts: list[Any]
) -> None:
    client = _api(team)
    path = f"/api/v1/labels/{team.label.slug}/captures/"
    captures = Capture.objects.for_label(team.label).count()
    jobs = Job.objects.for_label(team.label).count()
    ledger = LedgerEntry.objects.for_label(team.label).count()
    for url, reason in MATRIX:
        started = time.monotonic()
        response = _post(
            client, path, {"url": url.replace("{port}", str(secret_site.port)), "purpose": "other"}
        )
        assert time.monotonic() - started < 1, url
        assert response.status_code == 400, url
        error = response.json()["error"]
        # An address with the loopback server's port may be refused for either reason.
        allowed = {reason, "port_not_allowed"} if "{port}" in url and reason == HOST else {reason}
        assert error["code"] in allowed, (url, error)
        assert error["fields"]["url"], url
        assert error["message"]
    assert Capture.objects.for_label(team.label).count() == captures
    assert Job.objects.for_label(team.label).count() == jobs
    assert LedgerEntry.objects.for_label(team.label).count() == ledger
    assert secret_site.total_hits == 0
    assert outbound_attempts == []


def test_it_names_why_an_address_is_refused(team: Team) -> None:
    response = _post(
        _api(team),
        f"/api/v1/labels/{team.label.slug}/captures/",
        {"url": "http://169.254.169.254/latest/meta-data/", "purpose": "other"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "host_not_allowed"
    assert response.json()["error"]["reason"] == "link_local"


def test_it_accepts_a_capture_with_its_job_and_answers_bad_fields_by_name(
    team: Team, site: Site
) -> None:
    client = _api(team)
    path = f"/api/v1/labels/{team.label.slug}/captures/"
    response = _post(client, path, {"url": site.url("/terms"), "purpose": "partner_terms"})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert body["purpose"] == "partner_terms"
    assert body["job"]["kind"] == "evidence.capture"
    assert Job.objects.for_label(team.label).filter(code=body["job"]["id"]).exists()
    # Location names the new capture, still pending while its job waits.
    polled = assert_pollable(client, response, same_id=body["id"])
    assert polled.json()["status"] == "pending"

    bad = _post(client, path, {"url": site.url("/terms"), "purpose": "gossip"})
    assert bad.status_code == 400
    assert "purpose" in bad.json()["error"]["fields"]
    missing = _post(client, path, {"purpose": "other"})
    assert missing.status_code == 400
    assert "url" in missing.json()["error"]["fields"]

    viewer = _post(_api(team, team.viewer), path, {"url": site.url("/x"), "purpose": "other"})
    assert viewer.status_code == 403


def test_it_recaptures_adds_to_a_matter_and_makes_an_evidence_item(
    team: Team, site: Site, settings: Any
) -> None:
    settings.OPTOUT_CAPTURE_RENDER = False  # the browser is covered elsewhere; keep this fast
    site.routes["/policy"] = html("<p>We may train on uploads.</p>")
    client = _api(team)
    base = f"/api/v1/labels/{team.label.slug}/captures/"
    first = _post(client, base, {"url": site.url("/policy"), "purpose": "partner_terms"}).json()
    capture = run_capture(Capture.objects.for_label(team.label).get(code=first["id"]))
    matter = make_matter(team.label, team.rights)

    # A capture not yet done cannot go into a matter.
    again = _post(client, f"{base}{capture.code}/recapture/", {})
    assert again.status_code == 202
    pending = again.json()["id"]
    # Location names the new capture, not the one it repeats.
    assert_pollable(client, again, same_id=pending)
    items = f"/api/v1/labels/{team.label.slug}/matters/{matter.code}/items/"
    assert _post(client, items, {"capture": pending}).status_code == 400

    added = _post(client, items, {"capture": str(capture.code)})
    assert added.status_code == 201, added.content
    item = MatterItem.objects.for_label(team.label).get(code=added.json()["id"])
    assert item.blob_id == capture.bundle_id
    assert item.source_url == site.url("/policy")
    assert capture.warc is not None and capture.captured_at is not None
    assert item.provenance["outputs"]["warc"]["sha256"] == capture.warc.sha256
    # Another label's matter: 404, nothing written.
    other = make_matter(team.other_label, team.outsider)
    foreign = f"/api/v1/labels/{team.other_label.slug}/matters/{other.code}/items/"
    assert _post(client, foreign, {"capture": str(capture.code)}).status_code == 404

    made = _post(client, f"{base}{capture.code}/evidence-item/", {"kind": "screenshot"})
    assert made.status_code == 201
    evidence = EvidenceItem.objects.for_label(team.label).get(code=made.json()["id"])
    assert evidence.blob_id == capture.bundle_id
    assert evidence.kind == "screenshot"
    assert evidence.document_date == capture.captured_at.date()

    detail = client.get(f"{base}{capture.code}/").json()
    assert detail["status"] == "done"
    assert set(detail["files"]) == {"warc", "provenance", "bundle"}
    download = client.get(detail["files"]["warc"]["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download.getvalue()[:2] == b"\x1f\x8b"
    assert (
        LedgerEntry.objects.for_label(team.label)
        .filter(action="blob.downloaded", object_code=str(capture.code))
        .exists()
    )


def test_it_keeps_other_labels_captures_out_of_reach(team: Team, site: Site) -> None:
    site.routes["/t"] = html("<p>t</p>")
    from evidence.services.captures import capture_request

    theirs = capture_request(
        label=team.other_label, actor=team.outsider, url=site.url("/t"), purpose="other"
    )
    client = _api(team, team.owner)
    listing = client.get(f"/api/v1/labels/{team.label.slug}/captures/").json()
    assert str(theirs.code) not in json.dumps(listing)
    mine = f"/api/v1/labels/{team.label.slug}/captures/{theirs.code}/"
    assert client.get(mine).status_code == 404
    assert _post(client, mine + "recapture/", {}).status_code == 404
    assert client.get(mine + "files/warc/").status_code == 404
    assert client.get(f"/api/v1/labels/{team.other_label.slug}/captures/").status_code == 404
