"""A label's reservation policy: immutable approved versions and at most one draft."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


def default_scope_paths() -> list[str]:
    return ["/"]


def default_scope_catalog() -> dict[str, Any]:
    return {"all": True}


class PolicyVersion(LabelOwnedModel):
    """One version of the label's reservation policy.

    States::

        draft --approve (owner)--> approved        (a number, an effective date; then frozen)
        draft --discard--> (deleted)

    * A label has at most one draft. Approving gives it the next number; from then on the
      row never changes: a database trigger refuses UPDATE and DELETE of approved rows.
    * The current version is the approved one with the latest effective date that has
      come; a version approved with a later date is scheduled until that day.
    * ``stances`` maps every use (``optout.policy.compilers.vocab.Use``) to a stance;
      ``scope_catalog`` names parts of the catalog as data (the catalog is a higher layer):
      ``{"all": true}`` or ``{"all": false, "releases": [codes], "recordings": [codes],
      "works": [codes]}``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    number = models.PositiveIntegerField(_("version"), null=True, blank=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    stances = models.JSONField(_("stance per use"))
    blocked_purposes = models.JSONField(_("blocked crawler purposes"), default=list, blank=True)
    scope_paths = models.JSONField(_("paths in scope"), default=default_scope_paths)
    scope_domains = models.JSONField(_("sites in scope"), default=list, blank=True)
    scope_catalog = models.JSONField(_("catalog in scope"), default=default_scope_catalog)
    contact_email = models.EmailField(_("licensing contact e-mail"), blank=True)
    contact_url = models.URLField(_("licensing contact URL"), blank=True, max_length=500)
    noarchive = models.BooleanField(
        _("send noarchive"),
        default=True,
        help_text=_("Bing's documented way to keep pages out of its AI training."),
    )
    legacy_noai = models.BooleanField(
        _("send noai, noimageai"),
        default=False,
        help_text=_("Legacy robots directives that some dataset tools still read."),
    )
    change_note = models.TextField(_("what changed and why"), blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-number",)
        constraints = [
            models.UniqueConstraint(
                fields=("label",),
                condition=models.Q(status="draft"),
                name="policyversion_one_draft_per_label",
            ),
            models.UniqueConstraint(
                fields=("label", "number"), name="policyversion_number_unique_per_label"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "approved"]),
                name="policyversion_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(
                    number__isnull=False, effective_date__isnull=False, approved_at__isnull=False
                ),
                name="policyversion_approved_is_complete",
            ),
        ]
        indexes = [
            models.Index(
                fields=("label", "status", "effective_date"), name="policyversion_current"
            ),
        ]

    @property
    def change_note_display(self) -> str:
        """The note in the reader's language when it is one of the application's own (the
        seeded first version's); a member's own words as written."""
        return gettext(self.change_note) if self.change_note else ""

    def __str__(self) -> str:
        if self.status == self.Status.DRAFT:
            return str(_("Draft policy"))
        return str(_("Policy version %(n)s") % {"n": self.number})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT
