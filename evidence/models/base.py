"""Pieces shared by the evidence models: explicit withdrawal instead of deletion."""

from __future__ import annotations

from typing import Any, Self, TypeVar, cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelScopedManager, LabelScopedQuerySet

_M = TypeVar("_M", bound=models.Model)


class WithdrawableQuerySet(LabelScopedQuerySet[_M]):
    """Withdrawn rows stay in the table and in every list that asks for them by name."""

    def active(self) -> Self:
        return self.filter(status=Withdrawable.Status.ACTIVE)

    def withdrawn(self) -> Self:
        return self.filter(status=Withdrawable.Status.WITHDRAWN)


class WithdrawableManager(LabelScopedManager[_M]):
    """The label-scoped manager of withdrawable rows (evidence items and matter items)."""

    queryset_class = WithdrawableQuerySet

    # Only the return type differs from LabelScopedManager's.
    def for_label(self, label: Any) -> WithdrawableQuerySet[_M]:
        return cast("WithdrawableQuerySet[_M]", super().for_label(label))


class Withdrawable(models.Model):
    """Evidence is never deleted. Withdrawing it is a status with a reason, on the record.

    Lists show active rows unless they ask for withdrawn ones (``.active()``,
    ``.withdrawn()``); nothing hides rows behind the caller's back.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN


def withdrawal_constraint(name: str) -> models.CheckConstraint:
    """A withdrawn row always says when and why."""
    return models.CheckConstraint(
        condition=models.Q(status="active")
        | (
            models.Q(status="withdrawn", withdrawn_at__isnull=False)
            & ~models.Q(withdrawal_reason="")
        ),
        name=name,
    )
