"""Masters (the audio files of a recording) and the rights-tagged copies made from them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel

# Problems found by the processing job itself (the audio library renders its own codes).
PROBLEMS = {
    "hash_mismatch": gettext_noop(
        "The stored file's SHA-256 (%(found)s) differs from the SHA-256 computed while it was "
        "received (%(received)s): the stored bytes changed after the upload."
    ),
    "file_missing": gettext_noop("The stored file is missing from the blob store."),
    # Found on a ready master (catalog.selectors.masters.master_problems).
    "isrc_mismatch": gettext_noop(
        "The file carries the ISRC %(found)s, but its recording's ISRC is %(expected)s. A copy "
        "with rights metadata would replace %(found)s with %(expected)s: check that this file "
        "belongs to this recording."
    ),
    "truncated_untaggable": gettext_noop(
        "The file is truncated: its audio data should be %(declared)s bytes long but only "
        "%(available)s bytes are present. It is kept as received, but a copy with rights "
        "metadata cannot be made of it."
    ),
    # Why a tagged copy failed (catalog.services.tagging).
    "sign_failed": gettext_noop("The copy could not be signed: %(error)s"),
    "metadata_invalid": gettext_noop("The stored rights metadata is not valid: %(error)s"),
    "sign_changed_audio": gettext_noop(
        "Signing would have changed the audio; the copy was not kept."
    ),
}


def problem_message(problem: dict[str, Any] | None) -> str:
    """The sentence for a stored ``{"code": ..., "params": ...}`` in the active language."""
    if not problem or not problem.get("code"):
        return ""
    code = str(problem["code"])
    params = {str(k): v for k, v in dict(problem.get("params") or {}).items()}
    if code in PROBLEMS:
        try:
            return gettext(PROBLEMS[code]) % params
        except (KeyError, TypeError, ValueError):
            return gettext(PROBLEMS[code])
    from catalog.audio.messages import render

    return render(code, params)


class Master(LabelOwnedModel):
    """One uploaded audio file of a recording; a recording may have several (versions).

    States::

        received --job starts--> processing --stored hash = received hash,
                                     |         file reads as audio--> ready
                                     |--stored hash differs or file missing--> flagged
                                     \\--not readable as audio--> failed

    * ``received_sha256`` is computed while the upload arrives (one pass); the job re-hashes
      the stored bytes (``verified_sha256``) and they must be equal.
    * ``is_current`` marks the one master of a recording to use: the newest version that
      became ready (at most one per recording, a database constraint).
    * The original file name is metadata only; the bytes live in ``blob`` under their digest.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FLAGGED = "flagged", _("Flagged")
        FAILED = "failed", _("Failed")

    FINAL = (Status.READY, Status.FLAGGED, Status.FAILED)
    # The job badges' colours (templates) for each status.
    BADGES = {"received": "pending", "processing": "running", "ready": "done",
              "flagged": "failed", "failed": "failed"}  # fmt: skip

    recording = models.ForeignKey(
        "catalog.Recording",
        on_delete=models.PROTECT,
        related_name="masters",
        verbose_name=_("recording"),
    )
    version = models.PositiveIntegerField(_("version"))
    is_current = models.BooleanField(_("current"), default=False)
    blob = models.ForeignKey("optout.Blob", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.BigIntegerField(_("size in bytes"))
    received_sha256 = models.CharField(_("SHA-256 when received"), max_length=64)
    verified_sha256 = models.CharField(_("SHA-256 of the stored file"), max_length=64, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    problem = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey(
        "optout.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    format = models.CharField(_("format"), max_length=8, blank=True)
    codec = models.CharField(_("codec"), max_length=32, blank=True)
    sample_rate = models.PositiveIntegerField(_("sample rate"), null=True, blank=True)
    channels = models.PositiveSmallIntegerField(_("channels"), null=True, blank=True)
    bit_depth = models.PositiveSmallIntegerField(_("bit depth"), null=True, blank=True)
    duration_ms = models.PositiveBigIntegerField(_("duration (ms)"), null=True, blank=True)
    bitrate = models.PositiveIntegerField(_("bit rate"), null=True, blank=True)
    info = models.JSONField(default=dict, blank=True)
    """What the audio library's probe found (``AudioInfo.as_dict()``): existing tags, BWF
    ``bext``/iXML and notes about anything odd."""
    payload_sha256 = models.CharField(_("SHA-256 of the audio payload"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-version")
        verbose_name = _("master")
        verbose_name_plural = _("masters")
        constraints = [
            models.UniqueConstraint(
                fields=("recording", "version"), name="master_unique_version_per_recording"
            ),
            models.UniqueConstraint(
                fields=("recording",),
                condition=Q(is_current=True),
                name="master_one_current_per_recording",
            ),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(status="ready"),
                name="master_current_is_ready",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "processing", "ready", "flagged", "failed"]),
                name="master_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=("label", "-created_at"), name="master_label_recent"),
            # The dashboard's flagged count and the masters list filtered by status.
            models.Index(fields=("label", "status"), name="master_label_status"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.version})"

    @property
    def uploaded_at(self) -> Any:
        return self.created_at

    @property
    def problem_message(self) -> str:
        return problem_message(self.problem)

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def status_badge(self) -> str:
        return self.BADGES.get(self.status, "pending")

    @property
    def tags(self) -> dict[str, list[str]]:
        tags = self.info.get("tags") if isinstance(self.info, dict) else None
        return dict(tags) if isinstance(tags, dict) else {}

    @property
    def notes(self) -> list[dict[str, Any]]:
        notes = self.info.get("notes") if isinstance(self.info, dict) else None
        return list(notes) if isinstance(notes, list) else []

    @property
    def note_messages(self) -> list[str]:
        """The probe's notes about the file, in the active language."""
        return [problem_message(note) for note in self.notes if isinstance(note, dict)]

    @property
    def format_label(self) -> str:
        from catalog.audio.sniff import LABELS

        return LABELS.get(self.format, self.format.upper())

    @property
    def bext(self) -> dict[str, Any]:
        bext = self.info.get("bext") if isinstance(self.info, dict) else None
        return dict(bext) if isinstance(bext, dict) else {}

    @property
    def duration_display(self) -> str:
        if self.duration_ms is None:
            return ""
        seconds, millis = divmod(self.duration_ms, 1000)
        minutes, seconds = divmod(seconds, 60)
        return f"{minutes}:{seconds:02d}.{millis // 100}"


class MasterTaggedCopy(LabelOwnedModel):
    """A new file made from a master with the rights metadata written into its tags.

    One per master and metadata (``metadata_sha256`` of the canonical JSON): asking again
    with the same metadata reuses the copy; changed metadata makes a new one. The master's
    own blob is only ever read.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    master = models.ForeignKey(
        Master, on_delete=models.PROTECT, related_name="tagged_copies", verbose_name=_("master")
    )
    metadata = models.JSONField(default=dict)
    """The fields written (``RightsMetadata.as_request()``)."""
    metadata_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    problem = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey(
        "optout.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    blob = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.JSONField(default=dict, blank=True)
    """Where each field went and what could not be written (``TaggedCopy.as_dict()``)."""
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("rights-tagged copy")
        verbose_name_plural = _("rights-tagged copies")
        constraints = [
            models.UniqueConstraint(
                fields=("master", "metadata_sha256"), name="taggedcopy_one_per_metadata"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "ready", "failed"]),
                name="taggedcopy_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | Q(blob__isnull=False),
                name="taggedcopy_ready_has_blob",
            ),
        ]

    def __str__(self) -> str:
        return f"rights-tagged copy of {self.master}"

    @property
    def problem_message(self) -> str:
        return problem_message(self.problem)

    @property
    def status_badge(self) -> str:
        return {"pending": "running", "ready": "done", "failed": "failed"}.get(self.status, "")

    @property
    def has_failed(self) -> bool:
        """The last attempt ended without a copy: it failed with a reason, or its job used
        up its attempts (the copy is still ``pending``). Asking again starts a new one."""
        if self.status == self.Status.FAILED:
            return True
        job = self.job
        return self.status == self.Status.PENDING and job is not None and job.status == "failed"

    @property
    def failure_reason(self) -> str:
        """Why the last attempt failed, in the active language."""
        if not self.has_failed:
            return ""
        return self.problem_message or (self.job.error if self.job is not None else "")

    @property
    def written(self) -> list[dict[str, Any]]:
        items = self.result.get("written") if isinstance(self.result, dict) else None
        return list(items) if isinstance(items, list) else []

    @property
    def not_written(self) -> list[dict[str, Any]]:
        items = self.result.get("not_written") if isinstance(self.result, dict) else None
        return list(items) if isinstance(items, list) else []

    @property
    def omissions(self) -> list[dict[str, str]]:
        """Fields a tag could not hold, with the reason in the active language."""
        return [
            {"field": str(o.get("field")), "place": str(o.get("place")),
             "message": problem_message(o)}
            for o in self.not_written
            if isinstance(o, dict)
        ]  # fmt: skip
