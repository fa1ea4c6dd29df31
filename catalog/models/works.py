from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.identifiers import format_iswc
from optout.models import LabelOwnedModel


class Work(LabelOwnedModel):
    """A musical work (composition and lyrics), identified by its ISWC."""

    # The composite indexes below start with the label, so its own index would only slow
    # down imports.
    label = models.ForeignKey(
        "optout.Label", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    title = models.CharField(_("title"), max_length=500)
    iswc = models.CharField(
        _("ISWC"), max_length=11, blank=True, help_text=_("e.g. T-034.524.680-1")
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("title", "code")
        verbose_name = _("work")
        verbose_name_plural = _("works")
        constraints = [
            models.UniqueConstraint(
                fields=("label", "iswc"), condition=~Q(iswc=""), name="work_unique_iswc_per_label"
            ),
        ]
        indexes = [models.Index(fields=("label", "title", "code"), name="work_label_title")]

    def __str__(self) -> str:
        return self.title

    @property
    def iswc_display(self) -> str:
        return format_iswc(self.iswc)


class WorkWriter(LabelOwnedModel):
    """A writer or publisher of a work, with their share in per cent."""

    class Role(models.TextChoices):
        COMPOSER = "composer", _("Composer")
        LYRICIST = "lyricist", _("Lyricist")
        COMPOSER_LYRICIST = "composer_lyricist", _("Composer and lyricist")
        ARRANGER = "arranger", _("Arranger")
        PUBLISHER = "publisher", _("Publisher")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="writers")
    party = models.ForeignKey("catalog.Party", on_delete=models.PROTECT, related_name="writings")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.COMPOSER)
    share = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        ordering = ("work", "role", "party__name")
        verbose_name = _("writer")
        verbose_name_plural = _("writers")
        constraints = [
            models.UniqueConstraint(
                fields=("work", "party", "role"), name="workwriter_unique_party_role"
            ),
            models.CheckConstraint(
                condition=Q(share__gte=0) & Q(share__lte=100), name="workwriter_share_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} ({self.get_role_display()}, {self.share} %)"
