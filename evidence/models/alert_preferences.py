"""How each member of a label hears of each kind of alert: at once, in a daily digest, or
not at all (``evidence.services.alerts`` sends accordingly)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class AlertDelivery(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    NEVER = "never", _("Not at all")


class AlertPreference(LabelOwnedModel):
    """One member's choice for one kind; without a row the default applies
    (``evidence.services.alert_preferences.default_delivery``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=32)
    delivery = models.CharField(_("e-mail"), max_length=16, choices=AlertDelivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("kind",)
        verbose_name = _("alert preference")
        verbose_name_plural = _("alert preferences")
        constraints = [
            models.UniqueConstraint(
                fields=("label", "user", "kind"), name="alertpreference_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.delivery}"


class AlertDigest(LabelOwnedModel):
    """A daily digest sent to one member: the alerts raised up to ``period_end`` since the
    previous digest. The newest row is where the next digest starts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    alerts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-period_end",)
        indexes = [
            models.Index(fields=("label", "user", "-period_end"), name="alertdigest_latest"),
        ]

    def __str__(self) -> str:
        return f"Digest to {self.user_id} until {self.period_end:%Y-%m-%d %H:%M}"
