"""Downloads re-check the bytes against the blob's SHA-256: a file changed on disk, even to
the same size, is never served as a complete, genuine download."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse

from catalog.models import Master
from evidence.models import Alert
from optout.models import LedgerEntry
from optout.services.blobs import (
    VERIFY_BEFORE_SENDING,
    BlobIntegrityError,
    blob_download_response,
    blob_store_bytes,
)
from tests.catalog.masters.conftest import body_of, stored_path
from tests.conftest import Team


def _tamper(path: Path) -> bytes:
    """Overwrite the stored file with different bytes of exactly the same size."""
    original = path.read_bytes()
    changed = bytearray(original)
    changed[len(changed) // 2] ^= 0xFF
    path.chmod(0o644)
    path.write_bytes(bytes(changed))
    assert path.stat().st_size == len(original)
    return bytes(changed)


def test_a_tampered_master_is_refused_on_the_page_and_the_api(
    team: Team, uploaded: Callable[..., Master], _media_root: Path, api_token: str
) -> None:
    master = uploaded("wav16")
    kwargs = {"slug": team.label.slug, "code": master.code}
    page_url = reverse("catalog:master_download", kwargs=kwargs)
    client = team.client_for(team.a_r)
    genuine = client.get(page_url)
    assert genuine.status_code == 200
    assert hashlib.sha256(body_of(genuine)).hexdigest() == master.blob.sha256

    tampered = _tamper(stored_path(_media_root, master.blob.sha256))
    page = client.get(page_url)
    assert page.status_code == 409
    assert "failed its integrity check" in page.content.decode()
    assert tampered not in page.content

    api_url = reverse(
        "api:catalog:master-download", kwargs={"slug": team.label.slug, "id": master.code}
    )
    api = client.get(api_url, HTTP_AUTHORIZATION=f"Token {api_token}")
    assert api.status_code == 409
    assert api.json()["error"]["code"] == "integrity_failed"

    failures = LedgerEntry.objects.for_label(team.label).filter(action="blob.integrity_failed")
    assert failures.count() == 2
    assert failures.first().data["found_sha256"] == hashlib.sha256(tampered).hexdigest()  # type: ignore[union-attr]
    # The evidence app turns it into one open alert (the same one the integrity check raises).
    alerts = Alert.objects.for_label(team.label).filter(kind=Alert.Kind.BLOB_CHANGED)
    assert alerts.count() == 1 and alerts.get().blob == master.blob


def test_a_large_tampered_file_stream_ends_short_with_an_error(
    team: Team, _media_root: Path
) -> None:
    data = os.urandom(VERIFY_BEFORE_SENDING + 3 * 1024 * 1024 + 17)
    blob = blob_store_bytes(label=team.label, data=data, actor=team.owner)

    genuine = blob_download_response(blob=blob, filename="big.bin", actor=team.owner)
    assert genuine["Content-Length"] == str(len(data))
    assert body_of(genuine) == data

    _tamper(_media_root / blob.storage_name)
    response = blob_download_response(blob=blob, filename="big.bin", actor=team.owner)
    assert response.status_code == 200 and response["Content-Length"] == str(len(data))
    received = bytearray()
    with pytest.raises(BlobIntegrityError):
        for chunk in response.streaming_content:  # type: ignore[attr-defined]
            received += chunk
    # The last chunk is held back until the hash is known: the client never has it all.
    assert 0 < len(received) < len(data)
    assert LedgerEntry.objects.for_label(team.label).filter(action="blob.integrity_failed").exists()
