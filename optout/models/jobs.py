from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.lib.i18n import message_render
from optout.models.base import LabelOwnedModel


class Job(LabelOwnedModel):
    """Long work done by a worker, and the one place its state is kept.

    States::

        pending --claim--> running --handler returns--> done
           ^                  |  \\--JobFailure, or attempts used up--> failed
           |                  |
           +-- crash/lease ---+   (attempts < max_attempts; the sweeper re-queues)

    * The row is written in the same transaction as the work it stands for; the task is
      queued only when that transaction commits.
    * A worker claims the row with one conditional UPDATE (``optout.services.jobs``); a
      duplicate delivery finds it already claimed and does nothing.
    * While running, the worker renews ``lease_until``. A lease that runs out means the
      worker died; the sweeper puts the job back to pending or, after ``max_attempts``,
      fails it.
    * ``progress`` (0-100) and ``step`` are what pages show while the job runs.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=300, blank=True)
    # The title as a message id and parameters (optout.lib.i18n): pages render it in the
    # reader's language; ``title`` keeps the English text.
    title_message = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=300, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("max attempts"))
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    enqueue_count = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("status", "enqueued_at"), name="job_status_enqueued"),
            models.Index(fields=("status", "lease_until"), name="job_status_lease"),
            models.Index(fields=("label", "-created_at"), name="job_label_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="job_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "running", "done", "failed"]),
                name="job_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} ({self.status})"

    @property
    def display_title(self) -> str:
        return message_render(self.title_message, self.title) or self.kind

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
