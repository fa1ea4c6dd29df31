"""Captures of web pages: what a URL served at a moment, kept as evidence.

A capture is requested by a member (or by a schedule) and carried out by a job::

    pending --job claims it--> running --every output stored--> done
                                   \\--the URL was refused or could not be fetched--> failed

Its outputs are blobs: the WARC of every request and response as the safe fetcher saw them,
a full-page screenshot and a PDF rendered by headless Chromium (absent, with the reason,
when the browser was unavailable), the provenance record (JSON), and a bundle (ZIP) that
holds all of them for a matter or an evidence item.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel, LabelScopedManager

MAX_URL_LENGTH = 2048
MAX_INTERVAL_HOURS = 24 * 366


class CapturePurpose(models.TextChoices):
    OWN_TERMS = "own_terms", _("Our own terms page")
    PARTNER_TERMS = "partner_terms", _("Partner terms or AI policy")
    TOOL_TERMS = "tool_terms", _("AI or DAW tool terms at the time of export")
    INFRINGING_LISTING = "infringing_listing", _("Infringing listing")
    OTHER = "other", _("Other")


class CaptureSchedule(LabelOwnedModel):
    """Capture one URL again every ``interval_hours``; the due-captures task runs it."""

    url = models.CharField(_("URL"), max_length=MAX_URL_LENGTH)
    purpose = models.CharField(_("purpose"), max_length=32, choices=CapturePurpose.choices)
    interval_hours = models.PositiveIntegerField(
        _("interval (hours)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INTERVAL_HOURS)],
    )
    next_run_at = models.DateTimeField(_("next capture"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: LabelScopedManager[Any] = LabelScopedManager()

    class Meta:
        ordering = ("next_run_at",)
        verbose_name = _("capture schedule")
        verbose_name_plural = _("capture schedules")
        constraints = [
            models.UniqueConstraint(
                fields=("label", "url"),
                condition=models.Q(active=True),
                name="captureschedule_one_active_per_url",
            ),
            models.CheckConstraint(
                condition=models.Q(interval_hours__gte=1, interval_hours__lte=MAX_INTERVAL_HOURS),
                name="captureschedule_interval_range",
            ),
        ]
        indexes = [
            models.Index(fields=("active", "next_run_at"), name="captureschedule_due"),
        ]

    def __str__(self) -> str:
        return self.url


class Capture(LabelOwnedModel):
    """One capture of one URL (see the module docstring for its states and outputs)."""

    Purpose = CapturePurpose

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Capturing")
        DONE = "done", _("Captured")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        USER = "user", _("Requested by a member")
        RECAPTURE = "recapture", _("Re-capture requested by a member")
        SCHEDULE = "schedule", _("Schedule")

    url = models.CharField(_("URL"), max_length=MAX_URL_LENGTH)
    purpose = models.CharField(_("purpose"), max_length=32, choices=CapturePurpose.choices)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    trigger = models.CharField(
        _("started by"), max_length=16, choices=Trigger.choices, default=Trigger.USER
    )
    schedule = models.ForeignKey(
        CaptureSchedule, on_delete=models.PROTECT, null=True, blank=True, related_name="captures"
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The capture of the same URL this one was compared with."),
    )
    job = models.ForeignKey("optout.Job", on_delete=models.PROTECT, null=True, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    captured_at = models.DateTimeField(_("captured at"), null=True, blank=True)
    final_url = models.CharField(_("final URL"), max_length=MAX_URL_LENGTH, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    peer_ip = models.CharField(_("server address"), max_length=64, blank=True)
    page_title = models.CharField(_("page title"), max_length=500, blank=True)

    rendered = models.BooleanField(_("rendered"), default=False)
    render_note = models.TextField(
        _("rendering"), blank=True, help_text=_("Why the page was not rendered, if it was not.")
    )

    warc = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    screenshot = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provenance = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bundle = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    timestamp = models.ForeignKey(
        "evidence.Timestamp", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    text = models.TextField(_("readable text"), blank=True)
    text_sha256 = models.CharField(max_length=64, blank=True)
    changed = models.BooleanField(_("changed since the previous capture"), null=True, blank=True)
    lines_added = models.PositiveIntegerField(default=0)
    lines_removed = models.PositiveIntegerField(default=0)

    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: LabelScopedManager[Any] = LabelScopedManager()

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("capture")
        verbose_name_plural = _("captures")
        indexes = [
            models.Index(fields=("label", "-created_at"), name="capture_label_recent"),
            models.Index(fields=("label", "url", "-captured_at"), name="capture_label_url"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=CapturePurpose.values),
                name="capture_purpose_valid",
            ),
            # A capture is done only with its record of the traffic and its provenance.
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | models.Q(
                    warc__isnull=False,
                    provenance__isnull=False,
                    bundle__isnull=False,
                    captured_at__isnull=False,
                ),
                name="capture_done_has_outputs",
            ),
            # A rendering is claimed only with both of its files.
            models.CheckConstraint(
                condition=models.Q(rendered=False)
                | models.Q(screenshot__isnull=False, pdf__isnull=False),
                name="capture_rendered_has_files",
            ),
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def job_lost(self) -> bool:
        """The job gave up (a worker crashed every time) before the capture could finish."""
        return (
            self.status in (self.Status.PENDING, self.Status.RUNNING)
            and self.job is not None
            and self.job.status == "failed"
        )

    @property
    def http_error(self) -> bool:
        """Captured, but the server answered with an error (a 404 page is not the page)."""
        return self.status == self.Status.DONE and (self.http_status or 0) >= 400

    @property
    def http_reason(self) -> str:
        try:
            return HTTPStatus(self.http_status or 0).phrase
        except ValueError:
            return ""

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED) or self.job_lost
