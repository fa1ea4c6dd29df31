from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models.choices import AIClause
from optout.models import LabelOwnedModel


class Contract(LabelOwnedModel):
    """A signed agreement and what it says about AI, as data.

    The three AI clauses are each prohibited / permitted / silent / not reviewed. Risk
    flags are derived from them by ``catalog.selectors.risks``, never stored.
    """

    class Kind(models.TextChoices):
        PRODUCER = "producer", _("Producer agreement")
        VOCALIST = "vocalist", _("Vocalist agreement")
        LABEL = "label", _("Label / artist agreement")
        LIBRARY = "library", _("Library agreement")
        SYNC = "sync", _("Sync licence")
        DISTRIBUTION = "distribution", _("Distribution agreement")
        PUBLISHING = "publishing", _("Publishing agreement")
        SAMPLE = "sample", _("Sample clearance")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    partner = models.ForeignKey(
        "catalog.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("partner"),
    )
    parties = models.ManyToManyField(
        "catalog.Party", blank=True, related_name="contracts", verbose_name=_("parties")
    )
    works = models.ManyToManyField(
        "catalog.Work", blank=True, related_name="contracts", verbose_name=_("works covered")
    )
    recordings = models.ManyToManyField(
        "catalog.Recording",
        blank=True,
        related_name="contracts",
        verbose_name=_("recordings covered"),
    )
    releases = models.ManyToManyField(
        "catalog.Release", blank=True, related_name="contracts", verbose_name=_("releases covered")
    )
    territories = models.JSONField(_("territories"), default=list, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    document = models.ForeignKey(
        "optout.Blob",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed document"),
    )
    document_name = models.CharField(_("document file name"), max_length=255, blank=True)
    ai_training = models.CharField(
        _("AI model training"), max_length=12, choices=AIClause.choices, default=AIClause.UNKNOWN
    )
    ai_voice = models.CharField(
        _("voice modelling / synthetic replicas"),
        max_length=12,
        choices=AIClause.choices,
        default=AIClause.UNKNOWN,
    )
    ai_sublicensing = models.CharField(
        _("sublicensing for AI or dataset deals"),
        max_length=12,
        choices=AIClause.choices,
        default=AIClause.UNKNOWN,
    )
    clause_notes = models.TextField(
        _("clause text and notes"),
        blank=True,
        help_text=_("Quote the AI clauses and where they are (section, page)."),
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    AI_FIELDS = ("ai_training", "ai_voice", "ai_sublicensing")

    class Meta:
        ordering = ("title", "code")
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="contract_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=("label", "title", "code"), name="contract_label_title")]

    def __str__(self) -> str:
        return self.title
