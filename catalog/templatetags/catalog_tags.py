from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.urls import reverse

from catalog.entities import ENTITIES, Entity
from catalog.views.present import record_url

register = template.Library()


@register.simple_tag(takes_context=True)
def entity_url(
    context: dict[str, Any],
    entity: Entity | str,
    action: str = "",
    obj: Any = None,
    child: Any = None,
) -> str:
    """URL of a catalog page: ``list``, ``new``, ``detail``, ``edit``, ``delete``, ``file``,
    or ``<child>_add`` / ``<child>_remove``."""
    kind = ENTITIES[entity] if isinstance(entity, str) else entity
    slug = context["access"].label.slug
    if action == "list":
        return reverse(f"catalog:{kind.plural}", kwargs={"slug": slug})
    if action == "new":
        return reverse(f"catalog:{kind.key}_new", kwargs={"slug": slug})
    kwargs: dict[str, Any] = {"slug": slug, "code": obj.code}
    if action in ("", "detail"):
        return reverse(f"catalog:{kind.key}", kwargs=kwargs)
    if child is not None:
        kwargs["child"] = child.code
    return reverse(f"catalog:{kind.key}_{action}", kwargs=kwargs)


@register.simple_tag(takes_context=True)
def object_url(context: dict[str, Any], obj: Any) -> str:
    return record_url(obj, context["access"].label.slug) or ""


@register.simple_tag
def with_query(query: QueryDict, **changes: Any) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    updated = query.copy()
    for key, value in changes.items():
        if value is None or value == "":
            updated.pop(key, None)
        else:
            updated[key] = value
    encoded = updated.urlencode()
    return f"?{encoded}" if encoded else "?"
