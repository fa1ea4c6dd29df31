"""A capture's provenance record is timestamped when the label has a TSA; a failure never
counts as stamped."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import trustme

from evidence.models import Capture, Timestamp
from evidence.services.settings import evidence_settings_update
from optout.models import Job
from optout.services.blobs import blob_open
from tests.conftest import Team
from tests.evidence.captures.conftest import Site, capture_now, html

pytestmark = pytest.mark.django_db


def test_a_failing_timestamp_authority_never_marks_the_capture_stamped(
    team: Team, site: Site, settings: Any
) -> None:
    settings.OPTOUT_CAPTURE_RENDER = False
    site.routes["/tsa"] = (500, [("Content-Type", "text/plain")], b"TSA down")
    site.routes["/terms"] = html("<p>Our terms.</p>")
    evidence_settings_update(
        label=team.label,
        actor=team.owner,
        tsa_url=site.url("/tsa"),
        tsa_certificates=trustme.CA().cert_pem.bytes().decode(),
    )

    capture = capture_now(team.label, team.rights, site.url("/terms"))

    assert capture.status == Capture.Status.DONE
    capture.refresh_from_db()
    stamp = capture.timestamp
    assert stamp is not None
    assert stamp.status == Timestamp.Status.PENDING
    assert stamp.token is None and stamp.attempts == 1 and stamp.last_error
    assert stamp.subject_type == "evidence.capture" and stamp.subject_code == capture.code
    assert capture.provenance is not None and capture.bundle is not None
    assert stamp.message_sha256 == capture.provenance.sha256
    # The job machinery keeps trying; nothing claims a timestamp meanwhile.
    assert stamp.job is not None and stamp.job.kind == "evidence.timestamp"
    assert stamp.job.status == Job.Status.PENDING
    with blob_open(capture.bundle) as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as z:
        assert not [n for n in z.namelist() if n.endswith(".tsr")]
    detail = team.client_for(team.viewer).get(
        f"/api/v1/labels/{team.label.slug}/captures/{capture.code}/"
    )
    assert detail.json()["timestamp"] == {"status": "pending", "over": "provenance record"}


def test_without_a_timestamp_authority_nothing_is_asked(
    team: Team, site: Site, settings: Any
) -> None:
    settings.OPTOUT_CAPTURE_RENDER = False
    site.routes["/terms"] = html("<p>Our terms.</p>")
    capture = capture_now(team.label, team.rights, site.url("/terms"))
    assert capture.timestamp is None
    assert site.hits.get("/tsa", 0) == 0
