"""A capture of a loopback site, end to end: fetch, WARC, rendering, provenance, ledger."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from warcio.archiveiterator import ArchiveIterator

from evidence.models import Capture
from optout.lib.version import optout_version
from optout.models import Blob, Job, LedgerEntry
from optout.services.blobs import blob_local_path, blob_open, blob_verify
from tests.conftest import Team
from tests.evidence.captures.conftest import Site, capture_now, html, png_bytes

pytestmark = pytest.mark.django_db


def _read(blob: Blob | None) -> bytes:
    assert blob is not None
    with blob_open(blob) as handle:
        return handle.read()


def _warc_records(blob: Blob | None) -> list[dict[str, Any]]:
    assert blob is not None
    records = []
    with blob_open(blob) as handle:
        for record in ArchiveIterator(handle):
            payload = record.content_stream().read()
            records.append(
                {
                    "type": record.rec_type,
                    "uri": record.rec_headers.get_header("WARC-Target-URI"),
                    "ip": record.rec_headers.get_header("WARC-IP-Address"),
                    "payload_digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                    "status": record.http_headers.get_statuscode() if record.http_headers else None,
                    "payload": payload,
                    "raw_payload": record.raw_stream,
                }
            )
    return records


def _terms_site(site: Site) -> None:
    site.routes["/old-terms"] = (301, [("Location", "/terms")], b"")
    site.routes["/terms"] = html(
        "<h1>Terms of use</h1><p>No AI training on our recordings.</p>"
        "<img src='/logo.png' alt='logo'><p>Section 2: contact rights@label.test</p>",
        head="<link rel='stylesheet' href='/style.css'>",
    )
    site.routes["/style.css"] = (200, [("Content-Type", "text/css")], b"h1 { color: #123456 }")
    site.routes["/logo.png"] = (200, [("Content-Type", "image/png")], png_bytes())


def test_it_captures_a_page_with_every_output_hashed_and_in_the_ledger(
    team: Team, site: Site, settings: Any
) -> None:
    settings.OPTOUT_COMMIT = "89abcdef0123456789abcdef0123456789abcdef"
    _terms_site(site)
    capture = capture_now(team.label, team.rights, site.url("/old-terms"))

    assert capture.status == Capture.Status.DONE, capture.error
    assert capture.job is not None and capture.job.status == Job.Status.DONE
    assert capture.http_status == 200
    assert capture.final_url == site.url("/terms")
    assert capture.peer_ip == "127.0.0.1"
    assert capture.page_title == "Terms of use"
    assert capture.rendered is True
    assert "No AI training on our recordings." in capture.text.splitlines()
    assert capture.captured_at is not None
    assert capture.captured_at.utcoffset() == timedelta(0)

    outputs = {
        "warc": capture.warc,
        "screenshot": capture.screenshot,
        "pdf": capture.pdf,
        "provenance": capture.provenance,
        "bundle": capture.bundle,
    }
    stored = {
        entry.data["output"]: entry
        for entry in LedgerEntry.objects.for_label(team.label).filter(
            action="capture.output_stored", object_code=str(capture.code)
        )
    }
    for name, blob in outputs.items():
        assert blob is not None, name
        assert blob_verify(blob=blob) == blob.sha256, name
        assert hashlib.sha256(_read(blob)).hexdigest() == blob.sha256
        assert stored[name].sha256 == blob.sha256, name
        assert stored[name].blob_id == blob.pk
    assert capture.provenance is not None and capture.pdf is not None
    assert (
        LedgerEntry.objects.for_label(team.label)
        .filter(
            action="capture.done", object_code=str(capture.code), sha256=capture.provenance.sha256
        )
        .exists()
    )

    # The provenance record names every other output by its hash.
    provenance = json.loads(_read(capture.provenance))
    assert provenance["url"] == site.url("/old-terms")
    assert provenance["final_url"] == site.url("/terms")
    assert provenance["redirect_chain"] == [site.url("/old-terms"), site.url("/terms")]
    assert provenance["peer_ip"] == "127.0.0.1"
    assert provenance["captured_at"].endswith("Z")
    assert ["Content-Type", "text/html; charset=utf-8"] in provenance["response_headers"]
    assert provenance["software"]["browser"].startswith("Chromium ")
    assert provenance["software"]["warcio"]
    assert provenance["software"]["optout"] == optout_version() != "unknown"
    assert provenance["software"]["optout_commit"] == settings.OPTOUT_COMMIT
    for name in ("warc", "screenshot", "pdf"):
        blob = outputs[name]
        assert blob is not None
        assert provenance["outputs"][name]["sha256"] == blob.sha256
    assert provenance["rendering"]["rendered"] is True

    # The WARC, read back: warcinfo first, then request and response of every hop.
    records = _warc_records(capture.warc)
    assert records[0]["type"] == "warcinfo"
    assert b"warcio" in records[0]["payload"]
    software = f"software: optout {optout_version()} (commit {settings.OPTOUT_COMMIT})"
    assert software.encode() in records[0]["payload"]
    responses = {r["uri"]: r for r in records if r["type"] == "response"}
    requests = {r["uri"] for r in records if r["type"] == "request"}
    for path in ("/old-terms", "/terms", "/style.css", "/logo.png"):
        assert site.url(path) in responses, path
        assert site.url(path) in requests, path
        assert responses[site.url(path)]["ip"] == "127.0.0.1"
    assert responses[site.url("/old-terms")]["status"] == "301"
    page = responses[site.url("/terms")]
    assert b"No AI training on our recordings." in page["payload"]
    algorithm, _, value = page["payload_digest"].partition(":")
    assert algorithm == "sha1"
    assert base64.b32decode(value) == hashlib.sha1(page["payload"]).digest()

    # The rendering: a real PNG, and a PDF whose text is the page's.
    image = Image.open(io.BytesIO(_read(capture.screenshot)))
    assert image.format == "PNG" and image.width == 1280 and image.height > 100
    with blob_local_path(capture.pdf) as pdf_path:
        text = subprocess.run(
            ["pdftotext", str(pdf_path), "-"], capture_output=True, check=True, text=True
        ).stdout
    assert "No AI training on our recordings." in text

    # The bundle holds every file and sums that `sha256sum -c` would accept.
    with zipfile.ZipFile(io.BytesIO(_read(capture.bundle))) as bundle:
        names = bundle.namelist()
        sums = bundle.read("SHA256SUMS").decode().splitlines()
        for line in sums:
            digest, member = line.split("  ", 1)
            assert hashlib.sha256(bundle.read(member)).hexdigest() == digest
    assert {Path(line.split("  ", 1)[1]).suffix for line in sums} == {
        ".gz",
        ".png",
        ".pdf",
        ".json",
    }
    assert "README.txt" in names


def test_it_renders_with_refused_subresources_and_no_connection_outside_loopback(
    team: Team, site: Site, secret_site: Site, outbound_attempts: list[Any]
) -> None:
    secret = secret_site.url("/secret")
    site.routes["/listing"] = html(
        "<h1>Stream our catalogue</h1>"
        "<img src='http://10.0.0.1/x.png'><img src='http://169.254.169.254/latest/meta-data/'>"
        "<img src='http://[::1]:6379/'><img src='http://metadata.google.internal/'>"
        f"<iframe src='{secret}'></iframe><img src='{secret}'>"
        "<link rel='stylesheet' href='file:///etc/passwd'>"
        "<script>"
        f"fetch('{secret}').catch(() => null);"
        "fetch('http://192.168.1.1/').catch(() => null);"
        f"try {{ new WebSocket('ws://127.0.0.1:{secret_site.port}/'); }} catch (e) {{}}"
        f"navigator.sendBeacon && navigator.sendBeacon('{secret}', 'x');"
        "</script>",
        title="Listing",
    )
    capture = capture_now(
        team.label, team.rights, site.url("/listing"), purpose="infringing_listing"
    )

    assert capture.status == Capture.Status.DONE, capture.error
    assert capture.rendered is True
    assert secret_site.total_hits == 0
    assert outbound_attempts == []
    provenance = json.loads(_read(capture.provenance))
    refused = {
        r["url"]: r.get("code")
        for r in provenance["rendering"]["requests"]
        if r["outcome"] != "served" and r["method"] == "GET"
    }
    assert refused["http://10.0.0.1/x.png"] == "host_not_allowed"
    assert refused["http://169.254.169.254/latest/meta-data/"] == "host_not_allowed"
    assert refused[secret] in {"host_not_allowed", "port_not_allowed"}
    assert provenance["rendering"]["requests_refused"] >= 4
    uris = {r["uri"] for r in _warc_records(capture.warc)}
    assert secret not in uris and "http://10.0.0.1/x.png" not in uris


def test_it_captures_without_rendering_when_chromium_is_missing(
    team: Team, site: Site, settings: Any
) -> None:
    settings.OPTOUT_CAPTURE_CHROMIUM = "/nonexistent/chromium"
    site.routes["/terms"] = html("<p>Our terms.</p>")
    capture = capture_now(team.label, team.rights, site.url("/terms"))

    assert capture.status == Capture.Status.DONE
    assert capture.rendered is False
    assert capture.screenshot is None and capture.pdf is None
    assert "/nonexistent/chromium" in capture.render_note
    provenance = json.loads(_read(capture.provenance))
    assert provenance["rendering"]["rendered"] is False
    assert "not found" in provenance["rendering"]["note"]
    assert "screenshot" not in provenance["outputs"]

    page = team.client_for(team.viewer).get(
        f"/l/{team.label.slug}/evidence/captures/{capture.code}/"
    )
    assert page.status_code == 200
    assert "This capture has no screenshot or PDF." in page.content.decode()
    assert "/nonexistent/chromium" in page.content.decode()


def test_it_keeps_what_arrived_when_a_redirect_points_to_a_private_address(
    team: Team, site: Site, outbound_attempts: list[Any]
) -> None:
    site.routes["/go"] = (302, [("Location", "http://10.0.0.1/admin")], b"")
    capture = capture_now(team.label, team.rights, site.url("/go"))

    assert capture.status == Capture.Status.FAILED
    assert capture.error_code == "host_not_allowed"
    assert "10.0.0.1" in capture.error
    assert capture.job is not None and capture.job.status == Job.Status.FAILED
    assert capture.warc is not None
    records = _warc_records(capture.warc)
    assert [r["status"] for r in records if r["type"] == "response"] == ["302"]
    assert outbound_attempts == []
    assert (
        LedgerEntry.objects.for_label(team.label)
        .filter(action="capture.failed", object_code=str(capture.code))
        .exists()
    )


def test_a_page_that_navigates_away_is_rendered_as_it_was_captured(team: Team, site: Site) -> None:
    site.routes["/terms"] = html(
        "<h1>The real terms</h1><p>No AI training.</p>"
        "<script>setTimeout(() => { location.href = '/elsewhere'; }, 0);</script>",
        title="Real terms",
        head="<meta http-equiv='refresh' content='0; url=/elsewhere'>",
    )
    site.routes["/elsewhere"] = html("<p>Something else</p>", title="Elsewhere")
    capture = capture_now(team.label, team.rights, site.url("/terms"))

    assert capture.status == Capture.Status.DONE and capture.rendered
    assert capture.page_title == "Real terms"
    assert site.hits.get("/elsewhere", 0) == 0
    assert capture.pdf is not None
    with blob_local_path(capture.pdf) as pdf_path:
        text = subprocess.run(
            ["pdftotext", str(pdf_path), "-"], capture_output=True, check=True, text=True
        ).stdout
    assert "The real terms" in text and "Something else" not in text
    provenance = json.loads(_read(capture.provenance))
    assert any(
        r["code"] == "navigation" for r in provenance["rendering"]["requests"] if "code" in r
    )
