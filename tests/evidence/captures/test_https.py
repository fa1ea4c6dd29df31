"""An HTTPS page sent gzipped and chunked: certificates in the provenance, bytes as
transferred in the WARC."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from evidence.models import Capture
from optout.services.blobs import blob_open
from tests.conftest import Team
from tests.evidence.captures.conftest import capture_now
from tests.servers import Conn, FetchSettings, LoopbackServer

pytestmark = pytest.mark.django_db

PAGE = (
    "<!doctype html><html><head><title>Partner AI policy</title></head><body>"
    "<h1>AI policy</h1><p>We do not train models on licensed recordings.</p></body></html>"
)


def _gzipped_chunked(conn: Conn) -> None:
    body = gzip.compress(PAGE.encode(), mtime=0)
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Encoding", "gzip"),
        ("Transfer-Encoding", "chunked"),
    ]
    if not conn.head(200, headers):
        return
    for start in range(0, len(body), 50):
        piece = body[start : start + 50]
        conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
    conn.send(b"0\r\n\r\n")


def test_it_records_the_certificate_chain_and_the_body_as_transferred(
    team: Team, https_server: LoopbackServer, fetch_settings: FetchSettings, settings: Any
) -> None:
    https_server.route("/policy", _gzipped_chunked)
    fetch_settings.allow(f"127.0.0.1:{https_server.port}")
    url = https_server.url("/policy")
    capture = capture_now(team.label, team.rights, url, purpose="partner_terms")

    assert capture.status == Capture.Status.DONE, capture.error
    assert capture.rendered, capture.render_note
    assert "We do not train models on licensed recordings." in capture.text
    assert capture.provenance is not None and capture.warc is not None
    with blob_open(capture.provenance) as handle:
        provenance = json.loads(handle.read())
    tls = provenance["hops"][0]["tls"]
    assert tls["version"].startswith("TLS")
    leaf, intermediate = tls["certificates"][:2]
    assert leaf["pem"].startswith("-----BEGIN CERTIFICATE-----")
    assert "allowed.test" in leaf["dns_names"]
    assert leaf["issuer"] == intermediate["subject"]
    assert len(leaf["sha256"]) == 64

    responses = []
    with blob_open(capture.warc) as handle:
        for record in ArchiveIterator(handle):
            if (
                record.rec_type == "response"
                and record.rec_headers.get_header("WARC-Target-URI") == url
            ):
                responses.append(
                    (record.rec_headers, record.http_headers, record.raw_stream.read())
                )
    assert len(responses) == 1
    _warc_headers, http_headers, raw = responses[0]
    assert http_headers.get_header("Content-Encoding") == "gzip"
    assert http_headers.get_header("Transfer-Encoding") is None
    assert http_headers.get_header("X-Optout-Orig-Transfer-Encoding") == "chunked"
    assert gzip.decompress(raw).decode() == PAGE
