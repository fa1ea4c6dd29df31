from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evidence.models.base import Withdrawable, WithdrawableManager, withdrawal_constraint
from optout.models import LabelOwnedModel

if TYPE_CHECKING:
    from catalog.models import Recording, Work
    from evidence.models.links import EvidenceItemRecording, EvidenceItemWork


class EvidenceKind(models.TextChoices):
    CORRESPONDENCE = "correspondence", _("Correspondence")
    REGISTRATION_CERTIFICATE = "registration_certificate", _("Registration certificate")
    SCREENSHOT = "screenshot", _("Screenshot")
    LICENCE = "licence", _("Licence")
    CONSENT = "consent", _("Consent")
    TAKEDOWN_RESPONSE = "takedown_response", _("Takedown response")
    DISTRIBUTOR_STATEMENT = "distributor_statement", _("Distributor statement")
    OTHER = "other", _("Other")


class EvidenceItem(Withdrawable, LabelOwnedModel):
    """A file a user brought in as evidence, with what it is and where it came from."""

    Kind = EvidenceKind

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    document_date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("The date the document itself carries.")
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Who or where it came from, e.g. “e-mail from the distributor”."),
    )
    source_url = models.URLField(_("source URL"), max_length=2000, blank=True)
    blob = models.ForeignKey("optout.Blob", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    recordings: models.ManyToManyField[Recording, EvidenceItemRecording] = models.ManyToManyField(
        "catalog.Recording",
        through="evidence.EvidenceItemRecording",
        blank=True,
        related_name="evidence_items",
        verbose_name=_("recordings"),
    )
    works: models.ManyToManyField[Work, EvidenceItemWork] = models.ManyToManyField(
        "catalog.Work",
        through="evidence.EvidenceItemWork",
        blank=True,
        related_name="evidence_items",
        verbose_name=_("works"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: WithdrawableManager[Any] = WithdrawableManager()

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        indexes = [
            models.Index(fields=("label", "-created_at"), name="evidenceitem_label_recent"),
        ]
        constraints = [
            withdrawal_constraint("evidenceitem_withdrawal_has_reason"),
            models.CheckConstraint(
                condition=models.Q(kind__in=EvidenceKind.values),
                name="evidenceitem_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title
