"""Fingerprints of masters and suspects checked against them.

PostgreSQL holds the truth: each master's raw Chromaprint sub-fingerprints, and a log of
which recordings' references changed at each index version. The in-memory index each worker
loads from them (``monitoring.selectors.label_index``) is a cache.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class Fingerprint(LabelOwnedModel):
    """One master version's fingerprint (pending until its job has read the audio).

    The index holds, per recording, the newest ready master version that has a ready
    fingerprint; a master that is no longer ready (flagged on a re-check) leaves it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        READY = "ready", _("Fingerprinted")
        FAILED = "failed", _("Failed")

    master = models.OneToOneField(
        "catalog.Master", on_delete=models.PROTECT, related_name="fingerprint"
    )
    recording = models.ForeignKey("catalog.Recording", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    problem = models.TextField(blank=True)
    values = models.BinaryField(default=b"")
    """Raw sub-fingerprints, little-endian uint32 (about 8 a second)."""
    frames = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveBigIntegerField(null=True, blank=True)
    algorithm = models.PositiveSmallIntegerField(null=True, blank=True)
    chroma = models.BinaryField(default=b"")
    """Melody and harmony for soundalike leads: 12 pitch classes per frame of
    ``monitoring.chroma.FRAME_SECONDS``, float16 (about 40 bytes a second)."""
    envelope = models.BinaryField(default=b"")
    """The waveform drawn on the pages: peak level of ``ENVELOPE_POINTS`` slices, uint8."""
    job = models.ForeignKey(
        "optout.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fingerprinted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("label", "status"), name="fingerprint_label_status")]


class Suspect(LabelOwnedModel):
    """A file someone found elsewhere, checked against the label's fingerprints."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being checked")
        DONE = "done", _("Checked")
        FAILED = "failed", _("Failed")

    blob = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    """The suspect's audio; empty until a URL suspect's audio has been fetched."""
    url = models.CharField(_("URL"), max_length=2048, blank=True)
    """The address the user gave (a page or a direct audio link), empty for an upload."""
    audio_url = models.CharField(max_length=2048, blank=True)
    """Where the audio was fetched from (the page's ``<audio>``/``og:audio`` link)."""
    capture = models.ForeignKey(
        "evidence.Capture", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    """The capture of the page the audio was found on."""
    envelope = models.BinaryField(default=b"")
    original_name = models.CharField(_("original file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    problem = models.TextField(blank=True)
    duration_ms = models.PositiveBigIntegerField(null=True, blank=True)
    references = models.PositiveIntegerField(
        default=0, help_text="How many recordings the index held when it was checked."
    )
    job = models.ForeignKey(
        "optout.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    matter = models.ForeignKey(
        "evidence.Matter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("label", "-created_at"), name="suspect_label_recent")]


class SuspectMatch(LabelOwnedModel):
    """A recording the suspect holds a copy of, and where."""

    suspect = models.ForeignKey(Suspect, on_delete=models.CASCADE, related_name="matches")
    recording = models.ForeignKey("catalog.Recording", on_delete=models.PROTECT, related_name="+")
    master = models.ForeignKey("catalog.Master", on_delete=models.PROTECT, related_name="+")
    isrc = models.CharField(max_length=12, blank=True)
    votes = models.PositiveIntegerField()
    score = models.FloatField(help_text="1 - bit-error rate: 1 is identical, 0.5 unrelated.")
    ber = models.FloatField()
    suspect_offset = models.FloatField(help_text="Seconds into the suspect.")
    master_offset = models.FloatField(help_text="Seconds into the master.")
    length = models.FloatField(help_text="Seconds matched.")
    rate = models.FloatField(
        default=1.0, help_text="Speed the suspect was played at to match (1.04 = 4 % faster)."
    )

    class Meta:
        ordering = ("-score",)


class SuspectLead(LabelOwnedModel):
    """A recording whose melody and harmony resemble the suspect's: a lead for a person to
    listen to, never a match (a cover or a re-generation shares the composition, not the
    recording)."""

    suspect = models.ForeignKey(Suspect, on_delete=models.CASCADE, related_name="leads")
    recording = models.ForeignKey("catalog.Recording", on_delete=models.PROTECT, related_name="+")
    master = models.ForeignKey("catalog.Master", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField(help_text="Chroma cross-similarity, 0 to 1.")
    transpose = models.SmallIntegerField(
        default=0, help_text="Semitones the suspect is above the master (-5 to 6)."
    )
    tempo = models.FloatField(default=1.0, help_text="The suspect's tempo against the master.")
    suspect_offset = models.FloatField()
    master_offset = models.FloatField()
    length = models.FloatField()

    class Meta:
        ordering = ("rank",)


class FingerprintIndexState(LabelOwnedModel):
    """The version of a label's fingerprint index. Every change to what the index must hold
    (a fingerprint stored, a master ready again, a master found flagged) adds one, in the
    transaction that makes the change, with a line in the change log naming the recording;
    each worker compares it with the version its in-memory index is at and, when it is
    behind, applies the changes logged since (or rebuilds, when the log cannot tell)."""

    version = models.PositiveBigIntegerField(default=0)
    log_from = models.PositiveBigIntegerField(
        default=0,
        help_text="The change log holds every version above this one (older lines pruned).",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=("label",), name="fingerprint_index_label")]


class FingerprintIndexChange(LabelOwnedModel):
    """One line of a label's index change log: at ``version`` the reference of
    ``recording`` may have changed (stored, replaced by a new version, or gone). A worker
    whose index is at an older version reads those recordings' references again and
    changes only them. No recording: anything may have changed, and a worker rebuilds."""

    version = models.PositiveBigIntegerField()
    recording = models.ForeignKey(
        "catalog.Recording", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=("label", "version"), name="fingerprint_change_version")]
