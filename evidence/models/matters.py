from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evidence.matter_items import matter_item_source
from evidence.models.base import Withdrawable, WithdrawableManager, withdrawal_constraint
from optout.lib.i18n import message_render
from optout.models import LabelOwnedModel

if TYPE_CHECKING:
    from catalog.models import Recording, Work
    from evidence.models.links import MatterRecording, MatterWork


class MatterStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for the other side")
    CLOSED = "closed", _("Closed")


class Matter(LabelOwnedModel):
    """A case file: what is being pursued, against whom, where, and the evidence for it.

    A legal hold freezes the matter's evidence: while it is on, no item of the matter can
    be withdrawn, and no evidence item in it can be withdrawn anywhere.
    """

    Status = MatterStatus

    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=MatterStatus.choices, default=MatterStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("The member of the label who runs this matter."),
    )
    summary = models.TextField(_("summary"), blank=True)
    target_platform = models.CharField(_("platform"), max_length=200, blank=True)
    target_url = models.URLField(_("target URL"), max_length=2000, blank=True)
    target_company = models.CharField(_("company"), max_length=300, blank=True)
    territory = models.CharField(
        _("territory"),
        max_length=16,
        blank=True,
        help_text=_("An ISO 3166 country code, or “Worldwide”."),
    )
    recordings: models.ManyToManyField[Recording, MatterRecording] = models.ManyToManyField(
        "catalog.Recording",
        through="evidence.MatterRecording",
        blank=True,
        related_name="matters",
        verbose_name=_("recordings"),
    )
    works: models.ManyToManyField[Work, MatterWork] = models.ManyToManyField(
        "catalog.Work",
        through="evidence.MatterWork",
        blank=True,
        related_name="matters",
        verbose_name=_("works"),
    )
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.TextField(_("reason for the legal hold"), blank=True)
    legal_hold_since = models.DateTimeField(null=True, blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        indexes = [
            models.Index(fields=("label", "status", "-created_at"), name="matter_label_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MatterStatus.values), name="matter_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(legal_hold=False)
                | (models.Q(legal_hold_since__isnull=False) & ~models.Q(legal_hold_reason="")),
                name="matter_hold_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != MatterStatus.CLOSED


class MatterNote(LabelOwnedModel):
    """A dated note in a matter's file. Notes are added, never edited or removed."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("note"))

    class Meta:
        ordering = ("created_at",)
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return self.text[:60]


class MatterItem(Withdrawable, LabelOwnedModel):
    """One piece of evidence in a matter: a copy of what its source said when it was added.

    ``source_key`` names the kind of object it came from (see ``evidence.matter_items``:
    ``evidence``, ``capture``, ``master``, ``contract``…) and ``source_code`` that object's
    public code. Everything a packet prints is held here, so a packet reads nothing else.
    """

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="items")
    source_key = models.CharField(_("kind"), max_length=32)
    source_code = models.UUIDField()
    title = models.CharField(_("title"), max_length=300)
    # The title as a message id and parameters when the application wrote it (a capture's,
    # a master's): rendered in the reader's language; ``title`` keeps the English text that
    # packets print.
    title_message = models.JSONField(default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    blob = models.ForeignKey("optout.Blob", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    document_date = models.DateField(_("date"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    source_url = models.URLField(_("source URL"), max_length=2000, blank=True)
    provenance = models.JSONField(_("provenance"), default=dict, blank=True)
    timestamp_blob = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects: WithdrawableManager[Any] = WithdrawableManager()

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("matter item")
        verbose_name_plural = _("matter items")
        constraints = [
            withdrawal_constraint("matteritem_withdrawal_has_reason"),
            models.UniqueConstraint(
                fields=("matter", "source_key", "source_code"),
                condition=models.Q(status="active"),
                name="matteritem_once_per_matter",
            ),
        ]
        indexes = [
            models.Index(fields=("source_key", "source_code"), name="matteritem_source"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        # A title a member or a document gave stays as written (no gettext on it).
        return message_render(self.title_message) if self.title_message else self.title

    @property
    def date_shown(self) -> Any:
        """The item's date for a list: the document's own, else when its source came to
        exist here (a capture's time, a master's upload)."""
        return self.document_date or self.recorded_at

    @property
    def source_name(self) -> str:
        """What kind of object the item came from, in words (``master``, ``contract``…)."""
        source = matter_item_source(self.source_key)
        return str(source.verbose_name) if source is not None else self.source_key
