"""Evidence routes: items, matters, packets, alerts, settings (see tests/matrix/README.md)."""

from __future__ import annotations

import io
from typing import Any

from evidence.models import Alert
from evidence.services.alerts import alert_raise
from evidence.services.matters import matter_item_add, matter_note_add
from evidence.services.packets import packet_request
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
    objs.packet = packet_request(matter=objs.matter, actor=objs.owner)
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


def _packet(objs: Objects) -> dict[str, Any]:
    return {"code": objs.matter.code, "packet": objs.packet.code}


# The API names the object's own id ``id`` and a parent's ``<parent>_id``.
def _api_matter(objs: Objects) -> dict[str, Any]:
    return {"id": objs.matter.code}


def _api_in_matter(objs: Objects) -> dict[str, Any]:
    return {"matter_id": objs.matter.code}


def _api_packet(objs: Objects) -> dict[str, Any]:
    return {"matter_id": objs.matter.code, "id": objs.packet.code}


def _packet_upload(objs: Objects) -> dict[str, Any]:
    upload = io.BytesIO(b"PK\x05\x06" + b"\x00" * 18)  # an empty ZIP
    upload.name = "packet.zip"
    return {"packet": upload}


ROUTES = [
    # HTML pages
    Route("evidence:index"),
    Route("evidence:items"),
    Route(
        "evidence:item_new",
        read=RIGHTS,
        writes={"POST": RIGHTS},
        format="multipart",
        data=_upload,
    ),
    Route("evidence:item", kwargs=lambda o: {"code": o.item.code}),
    Route(
        "evidence:item_edit",
        kwargs=lambda o: {"code": o.item.code},
        read=RIGHTS,
        writes={"POST": RIGHTS},
        data=lambda o: {"kind": "licence", "title": "Renamed"},
    ),
    Route(
        "evidence:item_withdraw",
        kwargs=lambda o: {"code": o.spare_item.code},
        read=None,
        writes={"POST": RIGHTS},
        data=lambda o: {"reason": "Uploaded by mistake"},
    ),
    Route(
        "evidence:item_download",
        kwargs=lambda o: {"code": o.item.code},
        note="A download is a custody event: GET writes one ledger entry.",
    ),
    Route("evidence:matters"),
    Route(
        "evidence:matter_new",
        read=RIGHTS,
        writes={"POST": RIGHTS},
        data=lambda o: {"title": "New matter", "status": "open"},
    ),
    Route("evidence:matter", kwargs=_matter),
    Route(
        "evidence:matter_edit",
        kwargs=_matter,
        read=RIGHTS,
        writes={"POST": RIGHTS},
        data=lambda o: {"title": "Renamed matter", "status": "waiting"},
    ),
    Route(
        "evidence:matter_hold",
        kwargs=_matter,
        read=None,
        writes={"POST": RIGHTS},
        data=lambda o: {"hold": "on", "reason": "Litigation expected"},
    ),
    Route(
        "evidence:matter_note",
        kwargs=_matter,
        read=None,
        writes={"POST": RIGHTS},
        data=lambda o: {"text": "Called them."},
    ),
    Route(
        "evidence:matter_item_add",
        kwargs=_matter,
        read=None,
        writes={"POST": RIGHTS},
        data=lambda o: {"item": str(o.spare_item.code)},
    ),
    Route(
        "evidence:matter_item_withdraw",
        kwargs=lambda o: {"code": o.matter.code, "item": o.matter_item.code},
        read=None,
        writes={"POST": RIGHTS},
        data=lambda o: {"reason": "Not relevant"},
    ),
    Route("evidence:packet_new", kwargs=_matter, read=None, writes={"POST": PACKETS}),
    Route("evidence:packet", kwargs=_packet),
    Route(
        "evidence:packet_download",
        kwargs=_packet,
        read=PACKETS,
        note="The test packet is still building: the page sends counsel back (302).",
    ),
    Route(
        "evidence:add_to_matter",
        kwargs=lambda o: {"source": "evidence", "code": o.spare_item.code},
        read=RIGHTS,
        writes={"POST": RIGHTS},
        data=lambda o: {"matter": str(o.matter.code)},
    ),
    Route(
        "evidence:alert_resolve",
        kwargs=lambda o: {"code": o.alert.code},
        read=None,
        writes={"POST": RIGHTS},
    ),
    Route(
        "evidence:settings",
        writes={"POST": RIGHTS},
        data=lambda o: {"tsa_url": "", "tsa_certificates": ""},
    ),
    Route(
        "verify_packet",
        kind="user",
        writes={"POST": Capability.VIEW},
        format="multipart",
        data=_packet_upload,
        note="Any signed-in user may check a packet; it reads nothing of any label.",
    ),
    # API
    Route(
        "api:evidence:evidence-list",
        writes={"POST": RIGHTS},
        format="multipart",
        data=_upload,
    ),
    Route(
        "api:evidence:evidence-detail",
        kwargs=lambda o: {"id": o.item.code},
        writes={"PATCH": RIGHTS},
        format="json",
        data=lambda o: {"title": "Renamed letter"},
    ),
    Route(
        "api:evidence:evidence-withdraw",
        kwargs=lambda o: {"id": o.spare_item.code},
        read=None,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"reason": "Uploaded by mistake"},
    ),
    Route(
        "api:evidence:evidence-download",
        kwargs=lambda o: {"id": o.item.code},
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
        kwargs=_api_matter,
        writes={"PATCH": RIGHTS},
        format="json",
        data=lambda o: {"status": "waiting"},
    ),
    Route(
        "api:evidence:matter-hold",
        kwargs=_api_matter,
        read=None,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"hold": True, "reason": "Litigation expected"},
    ),
    Route(
        "api:evidence:matter-notes",
        kwargs=_api_in_matter,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"text": "Left a message."},
    ),
    Route(
        "api:evidence:matter-items",
        kwargs=_api_in_matter,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"evidence": str(o.spare_item.code)},
    ),
    Route(
        "api:evidence:matter-item-withdraw",
        kwargs=lambda o: {"matter_id": o.matter.code, "id": o.matter_item.code},
        read=None,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"reason": "Not relevant"},
    ),
    Route("api:evidence:packets", kwargs=_api_in_matter, writes={"POST": PACKETS}, format="json"),
    Route("api:evidence:packet-detail", kwargs=_api_packet),
    Route(
        "api:evidence:packet-download",
        kwargs=_api_packet,
        read=PACKETS,
        note="The test packet is still building: counsel gets 409 Conflict.",
    ),
    Route("api:evidence:alerts"),
    Route(
        "api:evidence:alert-resolve",
        kwargs=lambda o: {"id": o.alert.code},
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
