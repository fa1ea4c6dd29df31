"""The blob store on S3-compatible object storage (moto's server on loopback)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from moto.server import ThreadedMotoServer

from optout.services.blobs import blob_download_response, blob_store_bytes, blob_verify
from tests.conftest import Team
from tests.workers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(key, raising=False)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket="optout-test")
    settings.OPTOUT_STORAGE = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "optout-test",
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "location": "optout",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 900,
                "file_overwrite": True,
                "addressing_style": "path",
                "signature_version": "s3v4",
            },
        },
    }
    try:
        yield client
    finally:
        server.stop()


def test_blobs_live_in_the_bucket_under_their_digest(team: Team, s3: Any) -> None:
    data = b"master bytes" * 1000
    blob = blob_store_bytes(label=team.label, data=data, actor=team.owner)
    stored = s3.get_object(Bucket="optout-test", Key=f"optout/{blob.storage_name}")["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == blob.sha256
    assert blob_verify(blob=blob) == blob.sha256
    again = blob_store_bytes(label=team.label, data=data, actor=team.owner)
    assert again.pk == blob.pk
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="optout-test")["Contents"]]
    assert keys == [f"optout/{blob.storage_name}"]


def test_downloads_redirect_to_a_short_lived_signed_url(team: Team, s3: Any) -> None:
    blob = blob_store_bytes(label=team.label, data=b"contract pdf", actor=team.owner)
    response = blob_download_response(
        blob=blob,
        filename="Contract – signed.pdf",  # noqa: RUF001
        actor=team.counsel,
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert int(query["X-Amz-Expires"][0]) <= 900
    assert query["response-content-disposition"][0].startswith("attachment;")
    import urllib.request

    with urllib.request.urlopen(response["Location"]) as fetched:
        assert fetched.read() == b"contract pdf"
        assert fetched.headers["Content-Disposition"].startswith("attachment;")
