"""The evidence app's navigation entry, dashboard panel and demo data."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from evidence.selectors import evidence_summary, label_matters, open_alerts
from evidence.services.items import evidence_item_from_bytes
from evidence.services.matters import matter_create, matter_item_add, matter_note_add
from optout.dashboard import Panel, register_panel
from optout.demo import register_demo_seeder
from optout.models import Label, User
from optout.navigation import NavItem, register_nav_item
from optout.tenancy import LabelAccess


def _panel(access: LabelAccess) -> dict[str, Any]:
    return {
        "label": access.label,
        "summary": evidence_summary(label=access.label),
        "matters": list(label_matters(label=access.label, status="open")[:5]),
        "alerts": list(open_alerts(label=access.label)[:5]),
    }


_DEMO_LETTER = """From: rights@northernlights.example
To: legal@example-ai.example
Date: 2 March 2026
Subject: Reservation of rights: Northern Lights Records catalogue

Northern Lights Records AB reserves all rights in its sound recordings and works against
text and data mining and the training of AI models (Article 4(3) Directive (EU) 2019/790).
Your crawler fetched our catalogue pages on 1 March 2026. Confirm within 14 days that no
recording of ours is in any training set, or tell us how it will be removed.
"""


def _seed(label: Label, owner: User) -> None:
    letter = evidence_item_from_bytes(
        label=label,
        actor=owner,
        data=_DEMO_LETTER.encode(),
        filename="reservation-letter-2026-03-02.txt",
        kind="correspondence",
        title="Reservation letter to Example AI",
        document_date=date(2026, 3, 2),
        source="Sent by e-mail",
    )
    matter = matter_create(
        label=label,
        actor=owner,
        title="Example AI: training on our catalogue",
        summary="Their crawler fetched our catalogue; we asked them to confirm removal.",
        target_company="Example AI Ltd",
        target_platform="Example AI model hub",
        target_url="https://example-ai.example/models",
        territory="SE",
    )
    matter_item_add(matter=matter, actor=owner, source_key="evidence", source_code=letter.code)
    matter_note_add(matter=matter, actor=owner, text="Letter sent; reply due 16 March 2026.")


def register() -> None:
    register_nav_item(NavItem("evidence", _("Evidence"), "evidence:index", order=300))
    register_panel(Panel("evidence", "evidence/panels/evidence.html", _panel, order=300))
    register_demo_seeder("evidence", _seed, order=300)
