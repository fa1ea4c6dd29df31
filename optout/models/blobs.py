from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models.base import LabelOwnedModel


def blob_storage_name(sha256: str) -> str:
    """Where the bytes with this digest live in storage. Never contains user input."""
    return f"blobs/sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class Blob(LabelOwnedModel):
    """Stored bytes, addressed by their SHA-256. Never modified after it is written.

    A file's name belongs to whatever refers to the blob (a master, a contract, a
    capture); the blob itself has only its digest, size and sniffed media type.
    """

    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.BigIntegerField(_("size in bytes"))
    media_type = models.CharField(_("media type"), max_length=127)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("label", "sha256"), name="blob_unique_digest_per_label"
            ),
            models.CheckConstraint(condition=models.Q(size__gte=0), name="blob_size_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.size} bytes)"

    @property
    def storage_name(self) -> str:
        return blob_storage_name(self.sha256)
