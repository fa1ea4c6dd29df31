"""Routes of the notices app."""

from __future__ import annotations

from typing import Any

from notices.services.bulk import notice_batch_create
from notices.services.notices import notice_create, notice_render, notice_send
from optout.roles import Capability
from tests.matrix import Objects, Route, World
from tests.notices.conftest import catalog_for

RIGHTS = Capability.RIGHTS


def build(world: World, side: str) -> None:
    objs = getattr(world, side)
    catalog = catalog_for(objs.label, partner_name=f"Notice partner {side}")
    objs.notice_partner = catalog.partner
    objs.notice = notice_render(
        notice=notice_create(
            label=objs.label,
            partner=catalog.partner,
            scope="catalog",
            language="en",
            actor=objs.owner,
        ),
        actor=objs.owner,
    )
    objs.open_notice = notice_create(
        label=objs.label, partner=catalog.partner, scope="catalog", language="sv", actor=objs.owner
    )
    objs.sent_notice = notice_send(
        notice=notice_render(
            notice=notice_create(
                label=objs.label,
                partner=catalog.partner,
                scope="catalog",
                language="en",
                actor=objs.owner,
            ),
            actor=objs.owner,
        ),
        actor=objs.owner,
    )
    objs.notice_batch = notice_batch_create(label=objs.label, actor=objs.owner, release=None)


def _new(o: Objects) -> dict[str, object]:
    return {"partner": str(o.notice_partner.code), "scope": "catalog", "language": "de"}


ROUTES = [
    Route("notices:index"),
    Route("notices:new", read=RIGHTS, writes={"POST": RIGHTS}, data=_new),
    Route("notices:notice", kwargs=lambda o: {"code": o.notice.code}),
    Route("notices:pdf", kwargs=lambda o: {"code": o.notice.code}),
    Route(
        "notices:send",
        kwargs=lambda o: {"code": o.notice.code},
        read=None,
        writes={"POST": RIGHTS},
        data=lambda o: {},
    ),
    Route(
        "notices:close",
        kwargs=lambda o: {"code": o.open_notice.code},
        read=None,
        writes={"POST": RIGHTS},
        data=lambda o: {},
    ),
    Route(
        "notices:reply",
        kwargs=lambda o: {"code": o.sent_notice.code},
        read=RIGHTS,
        writes={"POST": RIGHTS},
        data=lambda o: {"channel": "post"},
    ),
    Route(
        "notices:questionnaire",
        writes={"POST": Capability.PACKETS},
        data=lambda o: {"q-TOTAL_FORMS": "0", "q-INITIAL_FORMS": "0"},
    ),
    Route("notices:bulk", read=RIGHTS, writes={"POST": RIGHTS}, data=lambda o: {"send": ""}),
    Route("notices:bulk_detail", kwargs=lambda o: {"code": o.notice_batch.code}),
    # API
    Route(
        "api:notices:notice-list",
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"partner": str(o.notice_partner.code), "scope": "catalog"},
    ),
    Route("api:notices:notice-detail", kwargs=lambda o: {"id": o.notice.code}),
    Route(
        "api:notices:notice-send",
        kwargs=lambda o: {"id": o.notice.code},
        read=None,
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {},
    ),
    Route("api:notices:notice-pdf", kwargs=lambda o: {"id": o.notice.code}),
    Route(
        "notice_respond",
        kind="public",
        kwargs=lambda o: {"token": "not-a-real-token"},
        note="Token-gated: an unknown token is a 404 page (tests/notices/test_respond.py).",
    ),
    Route(
        "anymail_mailgun_tracking",
        kind="public",
        note="Signed by Mailgun (HMAC); 404 without a signing key (tests/notices/test_delivery.py)",
    ),
]


# --- takedowns (below a matter of the evidence app) ------------------------------------------

PACKETS = Capability.PACKETS
_build_partner_notices = build


def _takedown(objs: Objects, *, render: bool = True) -> Any:
    from notices.services.takedowns import takedown_create, takedown_render

    takedown = takedown_create(
        matter=objs.matter,
        route="generic",
        recipient_name=f"Host {objs.label.slug}",
        recipient_kind="host",
        recipient_email="abuse@host.example",
        infringing_urls=["https://host.example/copy.mp3"],
        signatory="Owner",
        actor=objs.owner,
    )
    return takedown_render(takedown=takedown, actor=objs.owner) if render else takedown


def build(world: World, side: str) -> None:  # type: ignore[no-redef]
    from notices.models import Takedown
    from notices.services.takedown_packets import takedown_packet_request
    from notices.services.takedowns import takedown_approve

    _build_partner_notices(world, side)
    objs = getattr(world, side)
    objs.takedown = _takedown(objs)
    objs.approved_takedown = takedown_approve(takedown=_takedown(objs), actor=objs.owner)
    objs.sent_takedown = takedown_approve(takedown=_takedown(objs), actor=objs.owner)
    Takedown.objects.for_label(objs.label).filter(pk=objs.sent_takedown.pk).update(status="sent")
    objs.takedown_packet = takedown_packet_request(takedown=objs.takedown, actor=objs.owner)


def _td(attr: str) -> Any:
    return lambda o: {"matter_id": o.matter.code, "id": getattr(o, attr).code}


ROUTES += [
    Route(
        "api:notices:takedown-list",
        kwargs=lambda o: {"matter_id": o.matter.code},
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {
            "route": "generic",
            "recipient": {"name": "Host", "kind": "host"},
            "infringing_urls": ["https://host.example/x"],
        },
    ),
    Route("api:notices:takedown-detail", kwargs=_td("takedown")),
    Route(
        "api:notices:takedown-approve",
        kwargs=_td("takedown"),
        read=None,
        writes={"POST": PACKETS},
        format="json",
        data=lambda o: {},
    ),
    Route(
        "api:notices:takedown-send",
        kwargs=_td("approved_takedown"),
        read=None,
        writes={"POST": PACKETS},
        format="json",
        data=lambda o: {"via": "email"},
    ),
    Route(
        "api:notices:takedown-events",
        kwargs=_td("sent_takedown"),
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"status": "acknowledged"},
    ),
    Route("api:notices:takedown-pdf", kwargs=_td("takedown")),
    Route(
        "api:notices:takedown-packet",
        kwargs=_td("takedown"),
        read=PACKETS,
        writes={"POST": PACKETS},
        format="json",
        data=lambda o: {},
        note="GET answers 409 until a packet was built; POST starts one (a job).",
    ),
    Route("api:notices:takedown-lumen", kwargs=_td("takedown")),
]


def _page(attr: str) -> Any:
    return lambda o: {"code": getattr(o, attr).code}


def _receipt(o: Objects) -> dict[str, Any]:
    import io

    upload = io.BytesIO(b"portal receipt")
    upload.name = "receipt.txt"
    return {"file": upload}


ROUTES += [
    Route(
        "notices:takedown_new",
        kwargs=lambda o: {"matter": o.matter.code},
        read=RIGHTS,
        writes={"POST": RIGHTS},
        data=lambda o: {
            "route": "generic",
            "recipient_name": "Host",
            "recipient_kind": "host",
            "infringing_urls": "https://host.example/x",
            "signatory": "Owner",
        },
    ),
    Route("notices:takedown", kwargs=_page("takedown")),
    Route("notices:takedown_pdf", kwargs=_page("takedown")),
    Route("notices:takedown_lumen", kwargs=_page("takedown")),
    Route(
        "notices:takedown_approve",
        kwargs=_page("takedown"),
        read=None,
        writes={"POST": PACKETS},
        data=lambda o: {},
    ),
    Route(
        "notices:takedown_send",
        kwargs=_page("approved_takedown"),
        read=None,
        writes={"POST": PACKETS},
        data=lambda o: {},
    ),
    Route(
        "notices:takedown_portal",
        kwargs=_page("approved_takedown"),
        read=None,
        writes={"POST": PACKETS},
        format="multipart",
        data=_receipt,
    ),
    Route(
        "notices:takedown_event",
        kwargs=_page("sent_takedown"),
        read=None,
        writes={"POST": RIGHTS},
        data=lambda o: {"status": "acknowledged"},
    ),
    Route(
        "notices:takedown_packet_new",
        kwargs=_page("takedown"),
        read=None,
        writes={"POST": PACKETS},
        data=lambda o: {},
    ),
    Route(
        "notices:takedown_packet",
        kwargs=lambda o: {"code": o.takedown.code, "packet": o.takedown_packet.code},
        read=PACKETS,
        note="The test packet is still building: the page sends counsel back (302).",
    ),
]
