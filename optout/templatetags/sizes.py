"""``{{ blob.size|file_size }}``: the one way pages show a size (``optout.lib.sizes``)."""

from __future__ import annotations

from django import template

from optout.lib.sizes import size_display

register = template.Library()


@register.filter
def file_size(size: int | None) -> str:
    return size_display(size)
