"""Capture routes: pages and API (see tests/matrix/README.md)."""

from __future__ import annotations

import io
import json

from django.utils import timezone
from PIL import Image

from evidence.models import Capture
from evidence.services.captures import capture_request
from optout.roles import Capability
from optout.services.blobs import blob_store_bytes
from tests.matrix import Objects, Route, World

RIGHTS = Capability.RIGHTS


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return out.getvalue()


def build(world: World, side: str) -> None:
    """A finished capture per label, its outputs stored directly (no network, no browser)."""
    objs: Objects = getattr(world, side)
    label, owner = objs.label, objs.owner
    capture = capture_request(
        label=label, actor=owner, url=f"https://{side}.example.test/terms", purpose="own_terms"
    )

    def store(data: bytes, media_type: str) -> object:
        return blob_store_bytes(label=label, data=data, actor=owner, media_type=media_type)

    Capture.objects.for_label(label).filter(pk=capture.pk).update(
        status=Capture.Status.DONE,
        captured_at=timezone.now(),
        final_url=capture.url,
        http_status=200,
        rendered=True,
        warc=store(f"WARC/1.1 {side}".encode(), "application/warc"),
        screenshot=store(_png() + side.encode(), "image/png"),
        pdf=store(f"%PDF-1.4 {side}".encode(), "application/pdf"),
        provenance=store(json.dumps({"capture": side}).encode(), "application/json"),
        bundle=store(f"PK zip {side}".encode(), "application/zip"),
        text="Terms",
    )
    objs.capture = Capture.objects.for_label(label).get(pk=capture.pk)


def _capture(objs: Objects) -> dict[str, object]:
    return {"code": objs.capture.code}


def _api_capture(objs: Objects) -> dict[str, object]:
    return {"id": objs.capture.code}


def _new(objs: Objects) -> dict[str, str]:
    return {"url": "https://new.example.test/policy", "purpose": "partner_terms"}


ROUTES = [
    Route("evidence:captures", writes={}),
    Route("evidence:capture_new", writes={"POST": RIGHTS}, data=_new),
    Route("evidence:capture", kwargs=_capture),
    Route("evidence:capture_recapture", kwargs=_capture, read=None, writes={"POST": RIGHTS}),
    Route(
        "evidence:capture_schedule",
        kwargs=_capture,
        read=None,
        writes={"POST": RIGHTS},
        data=lambda o: {"recapture_every": "24"},
    ),
    Route(
        "evidence:capture_to_evidence",
        kwargs=_capture,
        read=None,
        writes={"POST": RIGHTS},
        data=lambda o: {"kind": "other"},
    ),
    Route("evidence:capture_screenshot", kwargs=_capture),
    Route(
        "evidence:capture_file",
        kwargs=lambda o: {"code": o.capture.code, "output": "warc"},
        note="A download is a custody event: GET writes one ledger entry.",
    ),
    Route("api:evidence:capture-list", writes={"POST": RIGHTS}, format="json", data=_new),
    Route("api:evidence:capture-detail", kwargs=_api_capture),
    Route(
        "api:evidence:capture-recapture",
        kwargs=_api_capture,
        read=None,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {},
    ),
    Route(
        "api:evidence:capture-schedule",
        kwargs=_api_capture,
        read=None,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"recapture_every_hours": 24},
    ),
    Route(
        "api:evidence:capture-evidence-item",
        kwargs=_api_capture,
        read=None,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"kind": "other"},
    ),
    Route(
        "api:evidence:capture-file",
        kwargs=lambda o: {"capture_id": o.capture.code, "output": "bundle"},
        note="A download is a custody event: GET writes one ledger entry.",
    ),
]
