"""Partner notices: a dated letter to a partner reserving the label's rights, with a
questionnaire the partner answers through a link that needs no account."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel

DEFAULT_DEADLINE_DAYS = 30


def default_deadline() -> date:
    return timezone.localdate() + timedelta(days=DEFAULT_DEADLINE_DAYS)


class NoticeSettings(LabelOwnedModel):
    """Per-label settings of the notices app: the questionnaire partners answer."""

    questionnaire = models.JSONField(_("questionnaire"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notice settings")
        constraints = [
            models.UniqueConstraint(fields=("label",), name="notice_settings_one_per_label")
        ]


class PartnerNotice(LabelOwnedModel):
    """One notice to one partner.

    States::

        draft --send--> sent --(mail accepted)--> delivered | bounced
        sent/delivered --partner answers or a reply is recorded--> answered
        sent/delivered --deadline passes unanswered--> overdue
        any --close--> closed
    """

    class Scope(models.TextChoices):
        CATALOG = "catalog", _("Everything the partner carries")
        RELEASES = "releases", _("Chosen releases")
        RECORDINGS = "recordings", _("Chosen recordings")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")
        ANSWERED = "answered", _("Answered")
        OVERDUE = "overdue", _("Overdue")
        CLOSED = "closed", _("Closed")

    partner = models.ForeignKey("catalog.Partner", on_delete=models.PROTECT, related_name="notices")
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    releases = models.ManyToManyField("catalog.Release", blank=True, related_name="partner_notices")
    recordings = models.ManyToManyField(
        "catalog.Recording", blank=True, related_name="partner_notices"
    )
    language = models.CharField(_("language"), max_length=8)
    deadline = models.DateField(_("answer by"), default=default_deadline)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rendered_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    # The Message-ID the mail service knows the sent letter by: delivery webhooks name it.
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    delivery_note = models.TextField(blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    send_error = models.TextField(blank=True)
    # The latest job working on the notice (rendering, then sending): pages and the API poll it.
    job = models.ForeignKey(
        "optout.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the notice said, frozen when it was created.
    policy_version_number = models.PositiveIntegerField(null=True, blank=True)
    terms_text = models.TextField(blank=True)
    terms_source = models.CharField(max_length=200, blank=True)
    questionnaire = models.JSONField(default=list)
    covered = models.JSONField(default=dict)
    pdf = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_message = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Only the SHA-256 of the response token is kept; the token itself is in the letter.
    token_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    answers = models.JSONField(default=dict, blank=True)
    answer_source = models.CharField(max_length=16, blank=True)
    # Every document of the notice kept as evidence (sent message, reminders, answers,
    # letters received), so each can be added to a matter from the notice's page.
    evidence_items = models.ManyToManyField(
        "evidence.EvidenceItem", blank=True, related_name="partner_notices"
    )

    class Meta:
        ordering = ("-created_at", "code")
        verbose_name = _("partner notice")
        verbose_name_plural = _("partner notices")
        indexes = [models.Index(fields=("label", "status"), name="notice_label_status")]

    def __str__(self) -> str:
        return (
            f"{self.partner} ({self.created_at:%Y-%m-%d})" if self.created_at else str(self.partner)
        )

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.ANSWERED)
