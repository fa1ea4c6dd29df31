"""What the notices app registers with the core: its navigation entry.

Called once from ``NoticesConfig.ready``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from optout.navigation import NavItem, register_nav_item


def register() -> None:
    register_nav_item(NavItem("notices", _("Notices"), "notices:index", order=500))
