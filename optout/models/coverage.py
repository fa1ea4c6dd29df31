"""Stored protection coverage: kept current by the ``coverage.refresh`` job, read by pages.

Pages and the API never compute coverage over the whole catalog; they read these rows.
The job recomputes them after the events that change them (``coverage_changed``) and
once a day (time alone ages captured terms).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from optout.models.base import LabelOwnedModel

DEFAULT_FRESHNESS_DAYS = 90


class CoverageState(LabelOwnedModel):
    """One label's coverage summary and what it needs to stay current.

    * ``changed_at``: the last event that may change coverage (set by ``coverage_changed``).
    * ``computed_at``: when the data of the stored summary was read (the refresh's start).
      The summary is stale while ``changed_at`` is later.
    """

    changed_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    freshness_days = models.PositiveSmallIntegerField(
        _("terms capture freshness (days)"),
        default=DEFAULT_FRESHNESS_DAYS,
        help_text=_("Captured terms older than this no longer count as current evidence."),
    )
    score = models.FloatField(null=True, blank=True)
    recordings = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    """Per check, flag, territory and release (see ``optout.services.coverage``)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("label",), name="coveragestate_one_per_label"),
        ]

    def __str__(self) -> str:
        return f"Coverage of {self.label_id}"

    @property
    def is_stale(self) -> bool:
        return self.computed_at is None or (
            self.changed_at is not None and self.changed_at > self.computed_at
        )


class RecordingCoverage(LabelOwnedModel):
    """One recording's checklist as last computed: ``checks`` maps each applicable check to
    whether it passed; ``score`` is their weighted share (0-100)."""

    # Looked up by recording (its unique index); listed by label and score.
    label = models.ForeignKey(
        "optout.Label", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recording = models.OneToOneField(
        "catalog.Recording", on_delete=models.CASCADE, related_name="+"
    )
    checks = models.JSONField(default=dict)
    score = models.FloatField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=("label", "score"), name="recordingcoverage_score")]

    def __str__(self) -> str:
        return f"{self.recording_id}: {self.score:.0f}"


class CoverageSnapshot(LabelOwnedModel):
    """The catalog's coverage on one day, for the chart of coverage over time."""

    day = models.DateField()
    score = models.FloatField(null=True, blank=True)
    recordings = models.PositiveIntegerField(default=0)
    passed = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("day",)
        constraints = [
            models.UniqueConstraint(fields=("label", "day"), name="coveragesnapshot_one_per_day"),
            models.CheckConstraint(
                condition=Q(recordings__gte=0), name="coveragesnapshot_recordings_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label_id} {self.day}"
