"""What the notices app registers with the core: its navigation entry.

Called once from ``NoticesConfig.ready``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evidence.matter_page import (
    MatterSection,
    TimelineEntry,
    register_matter_section,
    register_matter_timeline_source,
)
from evidence.models import Matter
from optout.navigation import NavItem, register_nav_item


def register() -> None:
    register_nav_item(NavItem("notices", gettext_lazy("Notices"), "notices:index", order=500))
    register_takedowns()


def _takedown_timeline(matter: Matter) -> list[TimelineEntry]:
    from notices.models import TakedownEvent

    events = (
        TakedownEvent.objects.for_label(matter.label)
        .filter(takedown__matter=matter)
        .select_related("takedown", "actor")
        .order_by("created_at", "id")
    )
    return [
        TimelineEntry(
            at=event.created_at,
            title=_("Takedown to %(recipient)s: %(step)s")
            % {"recipient": event.takedown.recipient_name, "step": event.get_status_display()},
            detail=event.note[:200],
            actor=event.actor.email if event.actor else "",
            url=reverse("notices:takedown", args=[matter.label.slug, event.takedown.code]),
        )
        for event in events
    ]


def register_takedowns() -> None:
    from notices.views.takedowns import matter_section

    register_matter_section(
        MatterSection("takedowns", "notices/takedowns/_matter_section.html", matter_section, 200)
    )
    register_matter_timeline_source("takedowns", _takedown_timeline)
