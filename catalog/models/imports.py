from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import Job, LabelOwnedModel


class CatalogSettings(LabelOwnedModel):
    """Per-label catalog preferences: extra CSV column names for each import field."""

    column_aliases = models.JSONField(_("column aliases"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("catalog settings")
        verbose_name_plural = _("catalog settings")
        constraints = [
            models.UniqueConstraint(fields=("label",), name="catalogsettings_one_per_label")
        ]

    def __str__(self) -> str:
        return f"catalog settings of {self.label_id}"


class CatalogImport(LabelOwnedModel):
    """One import of a CSV or DDEX file; the work itself is done by its job."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        DDEX = "ddex", _("DDEX ERN XML")

    # No job yet: a CSV file waiting for its member to confirm the preview's column mapping
    # (``awaiting_confirmation``). Typed as always present: every path past the preview —
    # the job handler, the API, the command — reads an import that has started.
    job: models.OneToOneField[Job | None, Job] = models.OneToOneField(  # type: ignore[misc]
        "optout.Job", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    column_map = models.JSONField(
        _("column mapping"),
        default=dict,
        blank=True,
        help_text=_("Field → column index, as confirmed in the preview (empty: by the names)."),
    )
    source = models.ForeignKey("optout.Blob", on_delete=models.PROTECT, related_name="+")
    source_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    rows_total = models.PositiveIntegerField(_("rows read"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    summary = models.JSONField(default=dict, blank=True)
    error_report = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("catalog import")
        verbose_name_plural = _("catalog imports")

    def __str__(self) -> str:
        return self.source_name

    @property
    def awaiting_confirmation(self) -> bool:
        return self.job_id is None
