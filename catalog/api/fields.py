"""Serializer fields of the catalog API: label-scoped references and identifiers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog import identifiers
from catalog.entities import label_rows, no_rows
from optout.models import Label


def context_label(field: serializers.Field[Any, Any, Any, Any]) -> Label:
    label = field.context.get("label")
    if label is None:
        raise RuntimeError("Catalog serializers need the label in their context.")
    return label  # type: ignore[no-any-return]


class LabelRefField(serializers.SlugRelatedField):  # type: ignore[type-arg]
    """Another record of the same label, named by its ``id`` (code).

    The queryset is the label's own: an id from another label is "not found", a field
    error like any unknown id.
    """

    default_error_messages = {
        "does_not_exist": _("No record of this label has the id “{value}”."),
        "invalid": _("Give the record's id (a UUID)."),
    }

    def __init__(self, model: type[models.Model], **kwargs: Any) -> None:
        self.ref_model = model
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        if self.context.get("label") is None:
            return no_rows(self.ref_model)
        return label_rows(self.ref_model, context_label(self))

    def to_internal_value(self, data: Any) -> Any:
        try:
            uuid.UUID(str(data))
        except (TypeError, ValueError, AttributeError):
            self.fail("invalid")
        return super().to_internal_value(data)

    def to_representation(self, obj: Any) -> Any:
        return str(obj.code)


class IdentifierSerializerField(serializers.CharField):
    def __init__(self, *, normalizer: Callable[[str], str], **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)
        self.normalizer = normalizer

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if not text:
            return ""
        try:
            return self.normalizer(text)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from None


@extend_schema_field(
    {"type": "array", "items": {"type": "string"}, "example": ["SE", "NO", "Worldwide"]}
)
class TerritoriesSerializerField(serializers.Field):  # type: ignore[type-arg]
    """A list of territory codes (a comma-separated string is accepted too)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, str | list):
            raise serializers.ValidationError(_("Give a list of territory codes."))
        try:
            return identifiers.normalize_territories(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from None

    def to_representation(self, value: Any) -> list[str]:
        return list(value or [])


class RolesField(serializers.MultipleChoiceField):
    def to_internal_value(self, data: Any) -> list[str]:  # type: ignore[override]
        return sorted(super().to_internal_value(data))

    def to_representation(self, value: Any) -> list[str]:  # type: ignore[override]
        return list(value or [])
