from __future__ import annotations

from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext_lazy as _

from catalog.identifiers import format_isrc
from catalog.models.choices import AIDisclosure
from optout.models import LabelOwnedModel


class Recording(LabelOwnedModel):
    """A sound recording, identified by its ISRC.

    Masters (the audio files) and evidence point at a recording with PROTECT, so a
    recording that has them cannot be deleted.
    """

    # The composite indexes below all start with the label, so its own index would only
    # slow down imports.
    label = models.ForeignKey(
        "optout.Label", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    isrc = models.CharField(
        _("ISRC"), max_length=12, blank=True, help_text=_("e.g. SE-ABC-26-00001")
    )
    title = models.CharField(_("title"), max_length=500)
    version = models.CharField(
        _("version"), max_length=200, blank=True, help_text=_("e.g. Radio edit, Remastered 2024")
    )
    display_artist = models.CharField(_("display artist"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    work = models.ForeignKey(
        "catalog.Work",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recordings",
        verbose_name=_("work"),
    )
    p_line = models.CharField(
        _("℗ line"), max_length=300, blank=True, help_text=_("e.g. ℗ 2026 Example Records AB")
    )
    ai_vocals = models.CharField(
        _("AI in vocals"), max_length=12, choices=AIDisclosure.choices, default=AIDisclosure.UNKNOWN
    )
    ai_instrumentation = models.CharField(
        _("AI in instrumentation"),
        max_length=12,
        choices=AIDisclosure.choices,
        default=AIDisclosure.UNKNOWN,
    )
    ai_composition = models.CharField(
        _("AI in composition"),
        max_length=12,
        choices=AIDisclosure.choices,
        default=AIDisclosure.UNKNOWN,
    )
    ai_post_production = models.CharField(
        _("AI in post-production"),
        max_length=12,
        choices=AIDisclosure.choices,
        default=AIDisclosure.UNKNOWN,
    )
    ai_lyrics = models.CharField(
        _("AI in lyrics"), max_length=12, choices=AIDisclosure.choices, default=AIDisclosure.UNKNOWN
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The title order of the lists: case folded, and the version after a separator that
    # sorts before every character, so "Midnight Sun" comes before "Midnight Sun (Acoustic)"
    # and both before "Midnight Sunrise" (a tie on the title alone fell to the random code).
    sort_title = models.GeneratedField(
        expression=Concat(Lower("title"), Value("\x01"), Lower("version")),
        output_field=models.CharField(max_length=702),
        db_persist=True,
    )

    AI_FIELDS = (
        "ai_vocals",
        "ai_instrumentation",
        "ai_composition",
        "ai_post_production",
        "ai_lyrics",
    )

    class Meta:
        ordering = ("sort_title", "code")
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        constraints = [
            # The import upserts on this index: ON CONFLICT (label_id, isrc) WHERE isrc <> ''.
            models.UniqueConstraint(
                fields=("label", "isrc"),
                condition=~Q(isrc=""),
                name="recording_unique_isrc_per_label",
            ),
        ]
        # Keyset pagination walks these (sort column, code) pairs; search uses trigram
        # indexes added by migration 0002 on PostgreSQL.
        indexes = [
            models.Index(fields=("label", "sort_title", "code"), name="recording_label_sort_title"),
            models.Index(fields=("label", "display_artist", "code"), name="recording_label_artist"),
            models.Index(fields=("label", "created_at", "code"), name="recording_label_created"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})" if self.version else self.title

    @property
    def isrc_display(self) -> str:
        return format_isrc(self.isrc)

    @property
    def duration_display(self) -> str:
        if self.duration_ms is None:
            return ""
        seconds = round(self.duration_ms / 1000)
        return f"{seconds // 60}:{seconds % 60:02d}"


class RecordingPerformer(LabelOwnedModel):
    """Who performs on a recording, and in which role; vocalists are named here."""

    class Role(models.TextChoices):
        MAIN_ARTIST = "main_artist", _("Main artist")
        FEATURED_ARTIST = "featured_artist", _("Featured artist")
        VOCALIST = "vocalist", _("Vocalist")
        BACKING_VOCALIST = "backing_vocalist", _("Backing vocalist")
        MUSICIAN = "musician", _("Musician")
        PRODUCER = "producer", _("Producer")
        ENGINEER = "engineer", _("Engineer")
        OTHER = "other", _("Other")

    VOCAL_ROLES = (Role.VOCALIST, Role.BACKING_VOCALIST)

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="performers")
    party = models.ForeignKey(
        "catalog.Party", on_delete=models.PROTECT, related_name="performances"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    instrument = models.CharField(_("instrument"), max_length=100, blank=True)

    class Meta:
        ordering = ("recording", "role", "party__name")
        verbose_name = _("performer")
        verbose_name_plural = _("performers")
        constraints = [
            models.UniqueConstraint(
                fields=("recording", "party", "role"), name="performer_unique_party_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} ({self.get_role_display()})"
