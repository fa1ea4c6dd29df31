"""Evidence routes: items, matters, packets, alerts, settings (see tests/matrix/README.md)."""

from __future__ import annotations

import io
from typing import Any

from evidence.models import Alert
from evidence.services.alerts import alert_raise
from evidence.services.matters import matter_item_add, matter_note_add
from optout.roles import Capability
from tests.evidence.conftest import make_item, make_matter
from tests.matrix import Objects, Route, World

RIGHTS = Capability.RIGHTS
PACKETS = Capability.PACKETS


def build(world: World, side: str) -> None:
    objs: Objects = getattr(world, side)
    objs.item = make_item(objs.label, objs.owner, data=f"letter {side}".encode(), name="a.txt")
    objs.spare_item = make_item(objs.label, objs.owner, data=f"spare {side}".encode())
    objs.matter = make_matter(objs.label, objs.owner, title=f"Matter {side}")
    objs.matter_item = matter_item_add(
        matter=objs.matter, actor=objs.owner, source_key="evidence", source_code=objs.item.code
    )
    objs.note = matter_note_add(matter=objs.matter, actor=objs.owner, text="First call.")
    objs.alert = alert_raise(
        label=objs.label,
        kind=Alert.Kind.BLOB_MISSING,
        key=f"test-{side}",
        message="A stored file is missing.",
    )


def _upload(objs: Objects) -> dict[str, Any]:
    upload = io.BytesIO(b"a scanned licence")
    upload.name = "licence.txt"
    return {"file": upload, "kind": "licence", "title": "Licence"}


def _matter(objs: Objects) -> dict[str, Any]:
    return {"code": objs.matter.code}


ROUTES = [
    Route(
        "api:evidence:evidence-list",
        writes={"POST": RIGHTS},
        format="multipart",
        data=_upload,
    ),
    Route(
        "api:evidence:evidence-detail",
        kwargs=lambda o: {"code": o.item.code},
        writes={"PATCH": RIGHTS},
        format="json",
        data=lambda o: {"title": "Renamed letter"},
    ),
    Route(
        "api:evidence:evidence-withdraw",
        kwargs=lambda o: {"code": o.spare_item.code},
        read=None,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"reason": "Uploaded by mistake"},
    ),
    Route(
        "api:evidence:evidence-download",
        kwargs=lambda o: {"code": o.item.code},
        note="A download is a custody event: GET writes one ledger entry.",
    ),
    Route(
        "api:evidence:matter-list",
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"title": "Another matter", "territory": "SE"},
    ),
    Route(
        "api:evidence:matter-detail",
        kwargs=_matter,
        writes={"PATCH": RIGHTS},
        format="json",
        data=lambda o: {"status": "waiting"},
    ),
    Route(
        "api:evidence:matter-hold",
        kwargs=_matter,
        read=None,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"hold": True, "reason": "Litigation expected"},
    ),
    Route(
        "api:evidence:matter-notes",
        kwargs=_matter,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"text": "Left a message."},
    ),
    Route(
        "api:evidence:matter-items",
        kwargs=_matter,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"evidence": str(o.spare_item.code)},
    ),
    Route(
        "api:evidence:matter-item-withdraw",
        kwargs=lambda o: {"code": o.matter.code, "item": o.matter_item.code},
        read=None,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"reason": "Not relevant"},
    ),
    Route("api:evidence:alerts"),
    Route(
        "api:evidence:alert-resolve",
        kwargs=lambda o: {"code": o.alert.code},
        read=None,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {},
    ),
    Route(
        "api:evidence:settings",
        writes={"PATCH": RIGHTS},
        format="json",
        data=lambda o: {"tsa_url": ""},
    ),
]
