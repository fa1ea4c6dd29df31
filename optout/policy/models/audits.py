"""Signal audits: what a label's live sites said, compared with its policy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class SignalAudit(LabelOwnedModel):
    """One audit of one of the label's domains, run as a job.

    ``gaps`` holds what the audit found (severity, file, message id and parameters, so
    each is translated when shown); the files it fetched are kept as blobs
    (``SignalAuditFile``) with a ledger entry each.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    domain = models.CharField(_("domain"), max_length=253)
    label_domain = models.ForeignKey(
        "optout.LabelDomain", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    job = models.ForeignKey("optout.Job", on_delete=models.PROTECT, related_name="+")
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    origin = models.CharField(max_length=300, blank=True)
    gaps = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("label", "domain", "-created_at"), name="signalaudit_latest")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "done", "failed"]),
                name="signalaudit_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain} ({self.created_at:%Y-%m-%d})"


class SignalAuditFile(LabelOwnedModel):
    """One response the audit fetched, kept as evidence."""

    audit = models.ForeignKey(SignalAudit, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=16)
    url = models.CharField(max_length=2048)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    headers = models.JSONField(default=list, blank=True)
    provenance = models.JSONField(default=dict, blank=True)
    blob = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("created_at",)

    def __str__(self) -> str:
        return self.url
