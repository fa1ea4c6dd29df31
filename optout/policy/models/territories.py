"""The territory map: regions seeded with a reading for producers, and label copies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class SignalKind(models.TextChoices):
    """What a territory asks a label to have in place."""

    TERMS = "terms", _("Published terms that reserve AI uses")
    ROBOTS = "robots", _("robots.txt refusing AI crawlers")
    TDMREP = "tdmrep", _("TDMRep reservation (tdmrep.json, headers, meta tags)")
    CONTENT_USAGE = "content_usage", _("Usage preferences (Content-Usage, Content-Signal)")
    RSL = "rsl", _("RSL licence (license.xml)")
    AI_TXT = "ai_txt", _("ai.txt")
    EMBEDDED = "embedded", _("Reservation tags and C2PA in the delivered files")
    CONTRACTS = "contracts", _("AI and voice clauses in artist, producer and partner contracts")
    PARTNER_NOTICES = "partner_notices", _("Reservation notices to distributors and platforms")


# The seeded regions' names (migration 0007 stores them in English): shown in the reader's
# language. A region added later without an entry here shows its stored name.
REGION_NAMES = {
    "us": _("United States"),
    "eu-eea": _("EU / EEA"),
    "uk": _("United Kingdom"),
    "cn": _("China"),
    "jp": _("Japan"),
    "kr": _("South Korea"),
    "br": _("Brazil"),
    "ru": _("Russia"),
    "tr": _("Turkey"),
    "id": _("Indonesia"),
    "es-markets": _("Spanish-language markets"),
    "ar-markets": _("Arabic-language markets"),
}


class TerritoryFields(models.Model):
    """What a region says; the seed and a label's copy share these fields."""

    reading = models.TextField(_("what it means for producers"))
    legal_hook = models.TextField(_("legal hook of a reservation"))
    required_signals = models.JSONField(_("required signals"), default=list, blank=True)
    recommended_signals = models.JSONField(_("recommended signals"), default=list, blank=True)
    disclosure = models.TextField(_("disclosure and labelling duties"), blank=True)
    notice_route = models.TextField(_("notice route"), blank=True)
    checklist = models.JSONField(_("checklist"), default=list, blank=True)

    class Meta:
        abstract = True


class Territory(TerritoryFields):
    """A region of the map, as seeded (shared by every label, changed only by migrations)."""

    key = models.SlugField(_("key"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    countries = models.JSONField(_("countries (ISO 3166-1)"), default=list)
    terms_languages = models.JSONField(default=list, blank=True)
    """Terms languages that serve this market; empty: any."""
    position = models.PositiveSmallIntegerField(default=0)
    sources = models.TextField(_("sources"), blank=True)
    reviewed_on = models.DateField(_("reviewed on"))

    class Meta:
        ordering = ("position", "key")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return str(REGION_NAMES.get(self.key, self.name))


class TerritoryNote(LabelOwnedModel, TerritoryFields):
    """A label's own version of a region; it overrides the seed for that label."""

    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("territory__position",)
        constraints = [
            models.UniqueConstraint(
                fields=("label", "territory"), name="territorynote_one_per_label"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.territory} ({self.label})"
