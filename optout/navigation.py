"""Entries of the label navigation. Each app registers its own in ``AppConfig.ready``."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from optout.roles import Capability


@dataclass(frozen=True)
class NavItem:
    key: str
    title: str | Promise
    url_name: str
    order: int = 100
    capability: Capability = Capability.VIEW


_ITEMS: dict[str, NavItem] = {}


def register_nav_item(item: NavItem) -> None:
    _ITEMS[item.key] = item


@dataclass(frozen=True)
class NavLink:
    key: str
    title: str | Promise
    url: str
    active: bool


def _is_active(url_name: str, current: str | None) -> bool:
    """The entry of the page shown, or of the app (URL namespace) the page belongs to."""
    if not current:
        return False
    if current == url_name:
        return True
    namespace = url_name.split(":")[0] if ":" in url_name else None
    return namespace is not None and current.startswith(f"{namespace}:")


def nav_links(*, slug: str, can: set[Capability], current_url_name: str | None) -> list[NavLink]:
    links = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.key)):
        if item.capability not in can:
            continue
        links.append(
            NavLink(
                key=item.key,
                title=item.title,
                url=reverse(item.url_name, kwargs={"slug": slug}),
                active=_is_active(item.url_name, current_url_name),
            )
        )
    return links
