"""Watched pages: a capture schedule with a purpose, and what each scheduled capture showed.

A ``Watch`` owns one capture schedule (``evidence.CaptureSchedule``). Each capture of it
that finishes is compared with the one before and recorded as a ``WatchCheck``: the text
diff, the lines about AI training that came or went (for partner and tool terms), whether
the label's reservation is still published (its own terms), and the new result links (a
saved search).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel

MAX_URL_LENGTH = 2048


class WatchPurpose(models.TextChoices):
    OWN_TERMS = "own_terms", _("Our own terms page")
    PARTNER_TERMS = "partner_terms", _("A partner's terms or AI policy")
    TOOL_TERMS = "tool_terms", _("An AI tool's terms")
    SAVED_SEARCH = "saved_search", _("Saved search")


class TermsLanguage(models.TextChoices):
    EN = "en", "English"
    SV = "sv", "Svenska"
    DE = "de", "Deutsch"
    ES = "es", "Español"
    PT_BR = "pt-BR", "Português (Brasil)"


class Watch(LabelOwnedModel):
    Purpose = WatchPurpose

    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=16, choices=WatchPurpose.choices)
    url = models.CharField(_("URL"), max_length=MAX_URL_LENGTH)
    language = models.CharField(
        _("language of the page"),
        max_length=8,
        choices=TermsLanguage.choices,
        default=TermsLanguage.EN,
        help_text=_("Wording about AI training is looked for in this language and in English."),
    )
    partner = models.ForeignKey(
        "catalog.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
        help_text=_("Whose terms these are: a change about AI training raises its risk flag."),
    )
    reservation_text = models.TextField(
        _("reservation wording"),
        blank=True,
        help_text=_(
            "Our own terms: the sentence that must stay published. Its absence is an alert."
        ),
    )
    interval_hours = models.PositiveIntegerField(_("capture every (hours)"))
    schedule = models.ForeignKey(
        "evidence.CaptureSchedule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "id")
        verbose_name = _("watched page")
        verbose_name_plural = _("watched pages")
        constraints = [
            models.UniqueConstraint(
                fields=("label", "url"),
                condition=models.Q(active=True),
                name="watch_one_active_per_url",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WatchCheck(LabelOwnedModel):
    """One finished capture of a watched page, compared with the one before."""

    class Outcome(models.TextChoices):
        FIRST = "first", _("First capture")
        UNCHANGED = "unchanged", _("Unchanged")
        CHANGED = "changed", _("Changed")
        FAILED = "failed", _("Capture failed")

    watch = models.ForeignKey(Watch, on_delete=models.PROTECT, related_name="checks")
    capture = models.ForeignKey("evidence.Capture", on_delete=models.PROTECT, related_name="+")
    previous = models.ForeignKey(
        "evidence.Capture", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    diff = models.TextField(_("changes"), blank=True)
    diff_truncated = models.BooleanField(default=False)
    lines_added = models.PositiveIntegerField(default=0)
    lines_removed = models.PositiveIntegerField(default=0)
    ai_wording = models.JSONField(default=list, blank=True)
    """Changed lines about AI training: ``{"change": "added"|"removed", "line", "language",
    "topic", "term"}``."""
    reservation_missing = models.BooleanField(default=False)
    links = models.JSONField(default=list, blank=True)
    """A saved search's result links in this capture: ``{"url", "text"}``."""
    new_links = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("watch check")
        verbose_name_plural = _("watch checks")
        constraints = [
            models.UniqueConstraint(fields=("watch", "capture"), name="watchcheck_once"),
        ]

    def __str__(self) -> str:
        return f"{self.watch} {self.outcome}"

    @property
    def flagged(self) -> bool:
        return bool(self.ai_wording)
