"""Resumable uploads of masters: a file sent in pieces that survives a lost connection."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class ResumableUpload(LabelOwnedModel):
    """A master being received in pieces, in order, into a server-named temporary file.

    ``received`` only grows, in the same transaction that made the bytes durable, so after a
    lost connection the client asks for it and sends the rest. When ``received`` reaches
    ``size`` the file becomes a master (``master``) through the ordinary upload path.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("receiving")
        DONE = "done", _("received")
        FAILED = "failed", _("refused")
        ABORTED = "aborted", _("cancelled")
        EXPIRED = "expired", _("expired")

    recording = models.ForeignKey(
        "catalog.Recording", on_delete=models.CASCADE, related_name="uploads"
    )
    filename = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"))
    received = models.BigIntegerField(_("received"), default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    error = models.TextField(blank=True)
    master = models.ForeignKey(
        "catalog.Master", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("status", "updated_at"), name="masterupload_open_age")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received__gte=0, received__lte=models.F("size")),
                name="masterupload_received_within_size",
            )
        ]

    def __str__(self) -> str:
        return self.filename
