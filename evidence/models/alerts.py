from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class Alert(LabelOwnedModel):
    """Something about the label's evidence that a person must look at.

    Raised by the integrity check (a stored file changed or vanished), by a packet build
    that found a changed file, by a timestamp that could not be obtained, and by the
    enforcement apps (a watched page changed, a notice went overdue, a fan report or a
    fingerprint match arrived...). One open alert per cause (``key``): a daily check does
    not pile up copies.
    """

    class Kind(models.TextChoices):
        BLOB_CHANGED = "blob_changed", _("Stored file changed")
        BLOB_MISSING = "blob_missing", _("Stored file missing")
        PACKET_BLOCKED = "packet_blocked", _("Packet blocked")
        TIMESTAMP_FAILED = "timestamp_failed", _("Timestamp failed")
        WATCH_CHANGED = "watch_changed", _("Watched page changed")
        CAPTURE_FAILED = "capture_failed", _("Capture failed")
        SIGNAL_GAP = "signal_gap", _("Signal audit found a gap")
        NOTICE_OVERDUE = "notice_overdue", _("Notice overdue")
        FAN_REPORT = "fan_report", _("New fan report")
        NEW_MATCH = "new_match", _("New fingerprint match")
        CONTROL_OVERDUE = "control_overdue", _("Platform control check overdue")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    key = models.CharField(max_length=200)
    message = models.TextField(_("message"))
    blob = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_type = models.CharField(max_length=64, blank=True)
    subject_code = models.CharField(max_length=64, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=("label", "key"),
                condition=models.Q(resolved_at__isnull=True),
                name="alert_one_open_per_key",
            ),
        ]

    def __str__(self) -> str:
        return self.message[:80]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
