"""Platform opt-out controls: the settings a label must switch on other platforms, checked
by a person from time to time (the checklist itself is data: ``monitoring/data/
platform_controls.json`` plus the label's own additions below)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel

DEFAULT_RECHECK_DAYS = 90
MAX_RECHECK_DAYS = 3660


class ControlScope(models.TextChoices):
    LABEL = "label", _("Once for the label")
    ACCOUNT = "account", _("Per account or channel")


class ControlState(models.TextChoices):
    ON = "on", _("On")
    OFF = "off", _("Off")
    NOT_AVAILABLE = "not_available", _("Not available")
    UNKNOWN = "unknown", _("Unknown")


class ControlSettings(LabelOwnedModel):
    """How often the label re-checks its platform controls (one row per label, made when
    first changed; without it the default period applies)."""

    recheck_days = models.PositiveIntegerField(
        _("re-check after (days)"),
        default=DEFAULT_RECHECK_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RECHECK_DAYS)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("label",), name="controlsettings_one_per_label"),
            models.CheckConstraint(
                condition=models.Q(recheck_days__gte=1, recheck_days__lte=MAX_RECHECK_DAYS),
                name="controlsettings_recheck_range",
            ),
        ]


class LabelPlatformControl(LabelOwnedModel):
    """A control the label added to the shipped checklist (a platform the file lacks)."""

    key = models.SlugField(_("key"), max_length=80)
    platform = models.CharField(_("platform"), max_length=120)
    name = models.CharField(_("setting"), max_length=200)
    url = models.URLField(_("where to find it"), max_length=500, blank=True)
    on_means = models.TextField(_("what “on” means"), blank=True)
    scope = models.CharField(
        _("applies"), max_length=16, choices=ControlScope.choices, default=ControlScope.LABEL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("platform", "name")
        constraints = [
            models.UniqueConstraint(fields=("label", "key"), name="labelplatformcontrol_key"),
            models.CheckConstraint(
                condition=models.Q(scope__in=ControlScope.values),
                name="labelplatformcontrol_scope_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform}: {self.name}"


class PlatformControlCheck(LabelOwnedModel):
    """One look at one control (for one account, when the control is per account). The
    newest check of a (control, account) is its current state; older ones are history."""

    control_key = models.SlugField(_("control"), max_length=80)
    account = models.CharField(
        _("account or channel"), max_length=200, blank=True, help_text=_("Per-account controls.")
    )
    state = models.CharField(_("state"), max_length=16, choices=ControlState.choices)
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    evidence_item = models.ForeignKey(
        "evidence.EvidenceItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    capture = models.ForeignKey(
        "evidence.Capture", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    catalog_version = models.CharField(
        max_length=40, blank=True, help_text="Version of the shipped checklist at the check."
    )

    class Meta:
        ordering = ("-checked_on", "-created_at")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ControlState.values),
                name="platformcontrolcheck_state_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=("label", "control_key", "account", "-checked_on"),
                name="controlcheck_latest",
            ),
        ]
