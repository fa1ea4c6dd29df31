"""Fail-closed tenancy for every label-owned model.

A label-owned queryset refuses to run until it has been scoped: to the labels a user
belongs to (``accessible_to``), to one label (``for_label``), or explicitly to everything
(``unscoped``, for system code such as the job sweeper and the ledger verifier). Forgetting
the scope is therefore an error in tests and in production, never a silent leak.

Reverse relations (``recording.masters.all()``) count as scoped: they start from an object
that was itself loaded through a scoped query.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from optout.models.labels import Label
    from optout.models.users import User


class UnscopedQueryError(RuntimeError):
    """A label-owned queryset was evaluated without a label scope."""


_M = TypeVar("_M", bound=models.Model)


class LabelScopedQuerySet(models.QuerySet[_M]):
    _label_scoped: bool = False
    _known_label: Label | None = None

    # --- scoping -------------------------------------------------------------------------

    def _scoped(self) -> Self:
        clone = self._chain()
        clone._label_scoped = True
        return clone

    def for_label(self, label: Label) -> Self:
        clone = self.filter(label=label)._scoped()
        # Every row's label is this one: hand it to the rows instead of joining it again.
        clone._known_label = label
        return clone

    def accessible_to(self, user: User | Any) -> Self:
        """Rows of the labels in which ``user`` has an active membership."""
        if not getattr(user, "is_authenticated", False):
            return self.none()._scoped()
        return self.filter(label__memberships__user=user, label__is_active=True)._scoped()

    def unscoped(self) -> Self:
        """Every label's rows. Only for system code; a test lists the modules allowed."""
        return self._scoped()

    # --- guard ---------------------------------------------------------------------------

    # Django copies querysets through these two private methods; the scope must travel along.
    def _chain(self) -> Self:
        clone: Self = super()._chain()  # type: ignore[misc]
        clone._label_scoped = self._label_scoped
        clone._known_label = self._known_label
        return clone

    def _clone(self) -> Self:
        clone: Self = super()._clone()  # type: ignore[misc]
        clone._label_scoped = self._label_scoped
        clone._known_label = self._known_label
        return clone

    def _check_scope(self) -> None:
        if not self._label_scoped:
            raise UnscopedQueryError(
                f"{self.model.__name__} query without a label scope: use "
                ".for_label(label), .accessible_to(user) or the kind's lookup helper."
            )

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        if fresh:
            self._check_scope()
        super()._fetch_all()
        if fresh and self._known_label is not None:
            self._hand_out_label(self._known_label)

    def _hand_out_label(self, label: Label) -> None:
        field = self.model._meta.get_field("label")
        assert isinstance(field, models.ForeignKey)
        for row in self._result_cache or ():
            if isinstance(row, self.model) and not field.is_cached(row):
                field.set_cached_value(row, label)

    def count(self) -> int:
        self._check_scope()
        return super().count()

    def exists(self) -> bool:
        self._check_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._check_scope()
        return super().iterator(chunk_size=chunk_size)

    def update(self, **kwargs: Any) -> int:
        self._check_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scope()
        return super().delete()

    def contains(self, obj: Any) -> bool:
        self._check_scope()
        return super().contains(obj)

    def explain(self, *, format: Any = None, **options: Any) -> str:
        self._check_scope()
        return super().explain(format=format, **options)


class LabelScopedManager(models.Manager[_M]):
    # A subclass names its own queryset class (a subclass of LabelScopedQuerySet) here.
    queryset_class: type[LabelScopedQuerySet[Any]] = LabelScopedQuerySet

    def get_queryset(self) -> LabelScopedQuerySet[_M]:
        queryset: LabelScopedQuerySet[_M] = self.queryset_class(self.model, using=self._db)
        # Managers made for a reverse relation carry the instance they hang from; that
        # instance was loaded through a scoped query, so its related rows are in scope.
        if hasattr(self, "instance") and hasattr(self, "core_filters"):
            queryset._label_scoped = True
        return queryset

    def for_label(self, label: Label) -> LabelScopedQuerySet[_M]:
        return self.get_queryset().for_label(label)

    def accessible_to(self, user: User | Any) -> LabelScopedQuerySet[_M]:
        return self.get_queryset().accessible_to(user)

    def unscoped(self) -> LabelScopedQuerySet[_M]:
        return self.get_queryset().unscoped()


class LabelOwnedModel(models.Model):
    """Base of every model that belongs to exactly one label.

    ``code`` is the public identifier: it appears in URLs, API payloads, PDFs and e-mails;
    the integer key never does.
    """

    label = models.ForeignKey("optout.Label", on_delete=models.PROTECT, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Django's internals (deletion collector, forward relations) use the base manager, which
    # stays a plain manager; application code goes through ``objects``.
    objects: LabelScopedManager[Any] = LabelScopedManager()

    class Meta:
        abstract = True
