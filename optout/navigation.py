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
                active=bool(current_url_name) and (
                    current_url_name == item.url_name
                    or current_url_name.split(":")[0] == item.url_name.split(":")[0] != "optout"
                ),
            )
        )
    return links
