from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class Timestamp(LabelOwnedModel):
    """An RFC 3161 timestamp over some bytes (a packet manifest, a capture), and its proof.

    ``stamped`` is set only together with the TSA's token and a successful verification of
    that token against the label's trusted TSA certificate; a database constraint holds
    every writer to it. While the TSA cannot be reached the row stays ``pending`` and a
    job retries with backoff; after the last attempt it is ``failed`` and an alert is raised.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        STAMPED = "stamped", _("Stamped")
        FAILED = "failed", _("Failed")

    subject_type = models.CharField(max_length=64)
    """``app_label.model_name`` of what is stamped, e.g. ``evidence.packet``."""
    subject_code = models.UUIDField()
    message_sha256 = models.CharField(_("SHA-256 of the stamped bytes"), max_length=64)
    tsa_url = models.URLField(_("TSA URL"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    token = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gen_time = models.DateTimeField(_("time given by the TSA"), null=True, blank=True)
    serial_number = models.CharField(max_length=80, blank=True)
    policy_oid = models.CharField(max_length=200, blank=True)
    tsa_name = models.CharField(max_length=500, blank=True)
    verification = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(
        "optout.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("timestamp")
        verbose_name_plural = _("timestamps")
        indexes = [
            models.Index(fields=("subject_type", "subject_code"), name="timestamp_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="stamped")
                | models.Q(token__isnull=False, gen_time__isnull=False, verification__ok=True),
                name="timestamp_stamped_has_verified_token",
            ),
        ]

    def __str__(self) -> str:
        return f"Timestamp {self.code} ({self.status})"
