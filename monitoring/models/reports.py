"""Fan reports: a member of the public tells the label where they heard a copy, a voice
clone or an AI soundalike of one of its artists.

Reports of the same page (the same URL once normalised) gather in one ``FanReportGroup``,
which the rights team triages once: dismiss it, capture the page, or take it to a matter.
Each report keeps its own status, the only thing its reporter can see (through the secret
reference they were given, stored here as its SHA-256 only).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel

MAX_URL_LENGTH = 2048


class ReportKind(models.TextChoices):
    COPY = "copy", _("A copy of a recording")
    VOICE_CLONE = "voice_clone", _("A clone of an artist's voice")
    SOUNDALIKE = "soundalike", _("An AI soundalike")
    OTHER = "other", _("Something else")


class FanReportGroup(LabelOwnedModel):
    """Every report of one page (normalised URL): the unit the rights team triages."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        REVIEWING = "reviewing", _("Being looked into")
        DISMISSED = "dismissed", _("Dismissed")
        IN_MATTER = "in_matter", _("In a matter")

    url = models.CharField(_("page"), max_length=MAX_URL_LENGTH)
    """The normalised URL every report of the group gave (see ``normalise_report_url``)."""
    host = models.CharField(_("site"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    last_reported_at = models.DateTimeField(_("last reported"))
    dismiss_reason = models.TextField(_("reason for dismissing"), blank=True)
    capture = models.ForeignKey(
        "evidence.Capture", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    suspect = models.ForeignKey(
        "monitoring.Suspect", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    matter = models.ForeignKey(
        "evidence.Matter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-last_reported_at", "-id")
        verbose_name = _("reported page")
        verbose_name_plural = _("reported pages")
        constraints = [
            models.UniqueConstraint(fields=("label", "url"), name="fanreportgroup_one_per_url"),
        ]
        indexes = [
            models.Index(
                fields=("label", "status", "-last_reported_at"), name="fanreportgroup_queue"
            ),
        ]

    def __str__(self) -> str:
        return self.url


class FanReport(LabelOwnedModel):
    """One report, as its reporter sent it."""

    Kind = ReportKind

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        REVIEWING = "reviewing", _("Being looked into")
        DISMISSED = "dismissed", _("Closed without action")
        ACTION_TAKEN = "action_taken", _("Action taken")

    group = models.ForeignKey(FanReportGroup, on_delete=models.PROTECT, related_name="reports")
    url = models.CharField(_("where it was heard"), max_length=MAX_URL_LENGTH)
    kind = models.CharField(_("what it is"), max_length=16, choices=ReportKind.choices)
    subject = models.CharField(_("artist or recording"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    consent = models.BooleanField(_("may be contacted"), default=False)
    language = models.CharField(max_length=16, blank=True)
    """The language the reporter used the form in: their e-mails are written in it."""
    reference_sha256 = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("fan report")
        verbose_name_plural = _("fan reports")
        indexes = [models.Index(fields=("label", "group"), name="fanreport_label_group")]

    def __str__(self) -> str:
        return self.url

    @property
    def contact_email(self) -> str:
        """The address the rights team may write to: only with the reporter's consent."""
        return self.email if self.consent else ""
