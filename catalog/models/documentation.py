"""The paper trail around recordings: consents, human contribution, tool terms, uploads."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class Consent(LabelOwnedModel):
    """A permission someone gave: a vocalist's voice release, a sample licence…"""

    class Kind(models.TextChoices):
        VOICE_RELEASE = "voice_release", _("Vocalist voice release")
        SAMPLE_LICENCE = "sample_licence", _("Sample licence")
        ARTWORK_PERMISSION = "artwork_permission", _("Artwork permission")
        COVER_LICENCE = "cover_licence", _("Cover licence")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    party = models.ForeignKey(
        "catalog.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("given by"),
    )
    recordings = models.ManyToManyField(
        "catalog.Recording", blank=True, related_name="consents", verbose_name=_("recordings")
    )
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True, help_text=_("What was permitted, and limits."))
    document = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document_name = models.CharField(_("document file name"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("title", "code")
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return self.title


class ContributionRecord(LabelOwnedModel):
    """Proof of human work on a recording: a DAW session, stems, a lyric draft…"""

    class Kind(models.TextChoices):
        DAW_SESSION = "daw_session", _("DAW session")
        STEMS = "stems", _("Stems")
        MIDI = "midi", _("MIDI")
        LYRIC_DRAFT = "lyric_draft", _("Lyric draft")
        ARRANGEMENT_NOTES = "arrangement_notes", _("Arrangement notes")
        MIX_REVISION = "mix_revision", _("Mix revision")
        SCREENSHOT = "screenshot", _("Screenshot")
        OTHER = "other", _("Other")

    recording = models.ForeignKey(
        "catalog.Recording",
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("recording"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    contributor = models.ForeignKey(
        "catalog.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("made by"),
    )
    made_on = models.DateField(_("made on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    file = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-made_on", "title", "code")
        verbose_name = _("contribution record")
        verbose_name_plural = _("contribution records")

    def __str__(self) -> str:
        return self.title


class ToolTerms(LabelOwnedModel):
    """The terms of an AI or DAW tool as they stood when a recording was exported."""

    tool = models.CharField(_("tool"), max_length=200)
    plan = models.CharField(_("plan"), max_length=200, blank=True)
    version = models.CharField(_("version"), max_length=100, blank=True)
    terms_url = models.URLField(_("terms URL"), max_length=1000, blank=True)
    terms_date = models.DateField(
        _("terms dated"), null=True, blank=True, help_text=_("The date the terms carry.")
    )
    exported_on = models.DateField(_("exported on"), null=True, blank=True)
    recordings = models.ManyToManyField(
        "catalog.Recording", blank=True, related_name="tool_terms", verbose_name=_("recordings")
    )
    document = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document_name = models.CharField(_("terms copy file name"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("tool", "-exported_on", "code")
        verbose_name = _("tool terms")
        verbose_name_plural = _("tool terms")

    def __str__(self) -> str:
        return " ".join(p for p in (self.tool, self.plan, self.version) if p)


class MarketNote(LabelOwnedModel):
    """How a recording was uploaded to a platform: territories, AI labels, declarations."""

    recording = models.ForeignKey(
        "catalog.Recording",
        on_delete=models.PROTECT,
        related_name="market_notes",
        verbose_name=_("recording"),
    )
    platform = models.CharField(_("platform"), max_length=200)
    territories = models.JSONField(_("territories targeted"), default=list, blank=True)
    uploaded_on = models.DateField(_("uploaded on"), null=True, blank=True)
    ai_metadata_fields = models.TextField(
        _("metadata fields that mention AI"),
        blank=True,
        help_text=_("e.g. “description: no AI used”, “AI disclosure: none”"),
    )
    platform_declaration = models.TextField(
        _("platform labels and declarations"),
        blank=True,
        help_text=_("What the platform asked and what was declared."),
    )
    file = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-uploaded_on", "platform", "code")
        verbose_name = _("market upload note")
        verbose_name_plural = _("market upload notes")

    def __str__(self) -> str:
        return f"{self.platform}: {self.recording}"
