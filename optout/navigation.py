"""Entries of the label navigation. Each app registers its own from its ``registrations.py``."""

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


def nav_links(*, slug: str, can: set[Capability], current_path: str) -> list[NavLink]:
    """The label's entries; the active one is the entry whose address is the longest
    prefix of the page shown (the dashboard only for itself)."""
    items = [
        (item, reverse(item.url_name, kwargs={"slug": slug}))
        for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.key))
        if item.capability in can
    ]
    dashboard = reverse("dashboard", kwargs={"slug": slug})
    matches = [
        url
        for _item, url in items
        if current_path == url or (url != dashboard and current_path.startswith(url))
    ]
    active = max(matches, key=len, default=None)
    return [
        NavLink(key=item.key, title=item.title, url=url, active=url == active)
        for item, url in items
    ]
