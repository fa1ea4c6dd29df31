from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class Partner(LabelOwnedModel):
    """A business the label deals with: distributor, library, DSP, AI company…"""

    class Kind(models.TextChoices):
        DISTRIBUTOR = "distributor", _("Distributor")
        LIBRARY = "library", _("Music library")
        PUBLISHER = "publisher", _("Publisher")
        MARKETPLACE = "marketplace", _("Marketplace")
        DSP = "dsp", _("Streaming service (DSP)")
        AGGREGATOR = "aggregator", _("Aggregator")
        AI_COMPANY = "ai_company", _("AI company")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    website = models.URLField(_("website"), max_length=500, blank=True)
    territories = models.JSONField(_("territories"), default=list, blank=True)
    releases = models.ManyToManyField(
        "catalog.Release", blank=True, related_name="partners", verbose_name=_("releases carried")
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "code")
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        indexes = [models.Index(fields=("label", "name", "code"), name="partner_label_name")]

    def __str__(self) -> str:
        return self.name


class PartnerContact(LabelOwnedModel):
    """A person to write to at a partner (notices go to these addresses)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    role = models.CharField(
        _("role"), max_length=200, blank=True, help_text=_("e.g. Legal, Content ops")
    )

    class Meta:
        ordering = ("partner", "name", "email")
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


class PartnerRiskFlag(LabelOwnedModel):
    """A risk learnt about a partner from what it said or published, not from a contract.

    Raised by a notice answer that admits AI training, sublicensing or dataset deals, or
    by a watched terms page that changed its wording on AI; shown beside the contract-derived
    flags on the partner's page and in the dashboard's risk list until a person clears it.
    """

    class Source(models.TextChoices):
        NOTICE_ANSWER = "notice_answer", _("Notice answer")
        TERMS_CHANGE = "terms_change", _("Terms change")
        MANUAL = "manual", _("Recorded by a member")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="risk_flags")
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    reason = models.TextField(_("reason"))
    # What raised it ("notices.partnernotice" and its code), so the page can link to it.
    subject_type = models.CharField(max_length=64, blank=True)
    subject_code = models.CharField(max_length=64, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cleared_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("partner risk flag")
        verbose_name_plural = _("partner risk flags")
        indexes = [
            models.Index(
                fields=("label", "partner"),
                condition=models.Q(cleared_at__isnull=True),
                name="partner_risk_open",
            )
        ]

    def __str__(self) -> str:
        return self.reason[:80]
