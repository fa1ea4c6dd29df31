from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.identifiers import format_upc
from optout.models import LabelOwnedModel


class Release(LabelOwnedModel):
    """A product: single, EP, album… identified by its UPC/EAN (stored as GTIN-13).

    ``territories`` holds ISO 3166-1 codes or ``["Worldwide"]``; ``excluded_territories``
    only makes sense with ``Worldwide`` (as in DDEX deal terms).
    """

    class Type(models.TextChoices):
        SINGLE = "single", _("Single")
        EP = "ep", _("EP")
        ALBUM = "album", _("Album")
        COMPILATION = "compilation", _("Compilation")
        OTHER = "other", _("Other")

    # The composite indexes below start with the label, so its own index would only slow
    # down imports.
    label = models.ForeignKey(
        "optout.Label", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    upc = models.CharField(
        _("UPC/EAN"), max_length=13, blank=True, help_text=_("12-digit UPC or 13-digit EAN")
    )
    grid = models.CharField(
        _("GRid"), max_length=18, blank=True, help_text=_("Global Release Identifier")
    )
    proprietary_namespace = models.CharField(
        _("proprietary id namespace"),
        max_length=100,
        blank=True,
        help_text=_("Whose id it is, e.g. the sender's DDEX party id"),
    )
    proprietary_id = models.CharField(_("proprietary id"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=500)
    release_type = models.CharField(
        _("type"), max_length=16, choices=Type.choices, default=Type.SINGLE
    )
    release_date = models.DateField(_("release date"), null=True, blank=True)
    display_artist = models.CharField(_("display artist"), max_length=500, blank=True)
    catalog_number = models.CharField(_("catalogue number"), max_length=100, blank=True)
    p_line = models.CharField(_("℗ line"), max_length=300, blank=True)
    c_line = models.CharField(_("© line"), max_length=300, blank=True)
    territories = models.JSONField(_("territories"), default=list, blank=True)
    excluded_territories = models.JSONField(_("excluded territories"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("title", "code")
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [
            models.UniqueConstraint(
                fields=("label", "upc"), condition=~Q(upc=""), name="release_unique_upc_per_label"
            ),
        ]
        indexes = [
            models.Index(fields=("label", "title", "code"), name="release_label_title"),
            models.Index(fields=("label", "release_date", "code"), name="release_label_date"),
            # Imports match a release without UPC by its GRid, then by its proprietary id.
            models.Index(
                fields=("label", "grid"), condition=~Q(grid=""), name="release_label_grid"
            ),
            models.Index(
                fields=("label", "proprietary_namespace", "proprietary_id"),
                condition=~Q(proprietary_id=""),
                name="release_label_proprietary_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def upc_display(self) -> str:
        return format_upc(self.upc) if self.upc else ""


class ReleaseTrack(LabelOwnedModel):
    """One position of a release's track list."""

    # Looked up through the release (whose unique position index leads with it) and the
    # recording; neither the label nor the release needs an index of its own.
    label = models.ForeignKey(
        "optout.Label", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="tracks", db_index=False
    )
    recording = models.ForeignKey(
        "catalog.Recording", on_delete=models.PROTECT, related_name="release_tracks"
    )
    disc_number = models.PositiveSmallIntegerField(
        _("disc"), default=1, validators=[MinValueValidator(1)]
    )
    track_number = models.PositiveSmallIntegerField(_("track"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ("release", "disc_number", "track_number")
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [
            models.UniqueConstraint(
                fields=("release", "disc_number", "track_number"),
                name="releasetrack_unique_position",
            ),
            models.CheckConstraint(
                condition=Q(disc_number__gte=1) & Q(track_number__gte=1),
                name="releasetrack_position_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.disc_number}-{self.track_number}: {self.recording}"
