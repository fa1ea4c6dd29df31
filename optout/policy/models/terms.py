"""Terms texts generated from the policy, per channel and language, and where each was
published."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel
from optout.policy.terms_locale import TermsLanguage


class TermsChannel(models.TextChoices):
    WEBSITE = "website", _("Web-site terms")
    STORE = "store", _("Store terms")
    CATALOG_NOTE = "catalog_note", _("Catalog and metadata note")
    SAMPLE_PACK = "sample_pack", _("Sample-pack licence clause")
    DISTRIBUTOR = "distributor", _("Distributor and partner contract clause")
    PRODUCER_VOCALIST = "producer_vocalist", _("Producer and vocalist clause (voice, replicas)")


class TermsText(LabelOwnedModel):
    """One version of the terms for one channel in one language.

    States::

        draft --approve (owner)--> approved  (numbered per channel and language; frozen)

    The body starts as the text generated from a policy version and may be edited while it
    is a draft. Approved texts never change (a database trigger refuses it); where a text
    was published is recorded beside it (``TermsPublication``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    channel = models.CharField(_("channel"), max_length=32, choices=TermsChannel.choices)
    language = models.CharField(_("language"), max_length=8, choices=TermsLanguage.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    number = models.PositiveIntegerField(_("version"), null=True, blank=True)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("generated from policy version"),
    )
    body = models.TextField(_("text"))
    generated_body = models.TextField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("channel", "language", "-number")
        constraints = [
            models.UniqueConstraint(
                fields=("label", "channel", "language"),
                condition=models.Q(status="draft"),
                name="termstext_one_draft_per_channel_language",
            ),
            models.UniqueConstraint(
                fields=("label", "channel", "language", "number"),
                name="termstext_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(number__isnull=False, approved_at__isnull=False),
                name="termstext_approved_is_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=TermsChannel.values)
                & models.Q(language__in=TermsLanguage.values),
                name="termstext_channel_language_valid",
            ),
        ]

    def __str__(self) -> str:
        if self.status == self.Status.DRAFT:
            return f"{self.get_channel_display()} ({self.language}, {_('draft')})"
        return f"{self.get_channel_display()} ({self.language}, v{self.number})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def edited(self) -> bool:
        return self.body != self.generated_body


class TermsPublication(LabelOwnedModel):
    """A place where an approved terms text was published, and since when."""

    text = models.ForeignKey(TermsText, on_delete=models.PROTECT, related_name="publications")
    url = models.URLField(_("published at"), max_length=500)
    published_on = models.DateField(_("published on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-published_on", "-created_at")

    def __str__(self) -> str:
        return self.url
