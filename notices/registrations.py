"""What the notices app registers with the core: its navigation entry.

Called once from ``NoticesConfig.ready``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from notices.selectors import check_partners_notified, notify_step_done
from optout.coverage import (
    CoverageCheck,
    FirstWeekStep,
    register_coverage_check,
    register_first_week_step,
)
from optout.models import Label
from optout.navigation import NavItem, register_nav_item


def _notices_url(label: Label) -> str:
    return reverse("notices:index", kwargs={"slug": label.slug})


def register() -> None:
    register_nav_item(NavItem("notices", _("Notices"), "notices:index", order=500))
    register_coverage_check(
        CoverageCheck(
            "notices",
            _("Partners carrying it notified and answered"),
            2,
            _notices_url,
            check_partners_notified,
            ngettext_lazy(
                "%(count)s recording is carried by partners that were not notified or have not "
                "answered: notify them",
                "%(count)s recordings are carried by partners that were not notified or have not "
                "answered: notify them",
                "count",
            ),
            order=60,
        )
    )  # fmt: skip
    register_first_week_step(
        FirstWeekStep(
            "notify",
            30,
            _("Notify your partners"),
            _("Send every partner that carries your releases a notice of your reservation "
              "and ask them to answer."),
            notify_step_done,
            _notices_url,
        )
    )  # fmt: skip
