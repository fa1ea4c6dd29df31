from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EvidenceSettings(models.Model):
    """A label's evidence settings: the RFC 3161 timestamp authority it trusts."""

    label = models.OneToOneField(
        "optout.Label", on_delete=models.PROTECT, related_name="+", primary_key=True
    )
    tsa_url = models.URLField(
        _("timestamp authority URL"),
        max_length=2000,
        blank=True,
        help_text=_(
            "An RFC 3161 timestamp authority. When set, every packet manifest is timestamped."
        ),
    )
    tsa_certificates = models.TextField(
        _("trusted TSA certificates (PEM)"),
        blank=True,
        help_text=_(
            "The authority's root certificate, and any intermediate ones, in PEM form. "
            "Tokens are verified against these before anything counts as timestamped."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("evidence settings")
        verbose_name_plural = _("evidence settings")

    def __str__(self) -> str:
        return f"Evidence settings of {self.label_id}"

    @property
    def timestamps_enabled(self) -> bool:
        return bool(self.tsa_url and self.tsa_certificates.strip())
