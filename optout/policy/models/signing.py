"""A label's C2PA signing credential: certificate chain and key, kept as blobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class SigningCredential(LabelOwnedModel):
    """The certificate chain and private key that sign tagged copies of masters.

    Only the certificate's facts are shown anywhere; the key blob is read only to sign.
    A replaced or removed credential stays (inactive) so that earlier signatures can be
    traced to it.
    """

    cert_blob = models.ForeignKey("optout.Blob", on_delete=models.PROTECT, related_name="+")
    key_blob = models.ForeignKey("optout.Blob", on_delete=models.PROTECT, related_name="+")
    alg = models.CharField(_("algorithm"), max_length=16)
    subject = models.CharField(_("subject"), max_length=500)
    issuer = models.CharField(_("issuer"), max_length=500)
    not_after = models.DateTimeField(_("valid until"))
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("label",),
                condition=models.Q(is_active=True),
                name="signingcredential_one_active_per_label",
            ),
        ]

    def __str__(self) -> str:
        return self.subject
