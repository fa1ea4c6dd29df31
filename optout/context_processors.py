from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from optout.navigation import nav_links
from optout.roles import Capability
from optout.selectors import memberships_for_user


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The current label, its navigation and the label switcher, for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = getattr(request, "label_access", None)
    context: dict[str, Any] = {
        "user_memberships": list(memberships_for_user(user=user)),
        "access": access,
    }
    if access is not None:
        context["nav_links"] = nav_links(
            slug=access.label.slug,
            can={c for c in Capability if access.can(c)},
            current_path=request.path,
        )
    return context


def account_continue(request: HttpRequest) -> dict[str, Any]:
    """On account pages reached on the way to something else: where to continue."""
    if not request.path.startswith("/accounts/"):
        return {}
    from optout.mfa import safe_next

    wanted = safe_next(request, request.GET.get("next"))
    return {"continue_url": wanted} if wanted else {}
