from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class Packet(LabelOwnedModel):
    """A ZIP of a matter's evidence for counsel, verifiable without trusting this system.

    States::

        building --job done--> ready
            \\--a file changed, a job failure--> failed

    ``seal`` follows the RFC 3161 timestamp of the manifest (only when the label has a
    TSA configured): ``pending`` until a verified token is inside the ZIP, then ``sealed``.
    Nothing sets ``sealed`` without a verified token (``evidence.Timestamp``).
    """

    class Status(models.TextChoices):
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Seal(models.TextChoices):
        NONE = "none", _("No timestamp authority configured")
        PENDING = "pending", _("Waiting for a timestamp")
        SEALED = "sealed", _("Timestamped")
        FAILED = "failed", _("Timestamp failed")

    matter = models.ForeignKey("evidence.Matter", on_delete=models.PROTECT, related_name="packets")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.BUILDING
    )
    seal = models.CharField(_("timestamp"), max_length=16, choices=Seal.choices, default=Seal.NONE)
    job = models.ForeignKey(
        "optout.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    blob = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    manifest_sha256 = models.CharField(_("manifest SHA-256"), max_length=64, blank=True)
    item_count = models.PositiveIntegerField(default=0)
    member_count = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("packet")
        verbose_name_plural = _("packets")
        indexes = [models.Index(fields=("manifest_sha256",), name="packet_manifest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["building", "ready", "failed"]),
                name="packet_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready")
                | (models.Q(blob__isnull=False) & ~models.Q(manifest_sha256="")),
                name="packet_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Packet {self.code}"

    @property
    def filename(self) -> str:
        return f"packet-{self.code}.zip"
