"""Routes of the notices app."""

from __future__ import annotations

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
