"""Web-server access logs checked against the robots.txt the label published each day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class CrawlerLog(LabelOwnedModel):
    """One access log (uploaded, or read from a server folder the operator allowed) and its
    report once its job has read it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being analysed")
        DONE = "done", _("Analysed")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded")
        SERVER_PATH = "server_path", _("Read from the server")

    source = models.CharField(max_length=16, choices=Source.choices, default=Source.UPLOAD)
    blob = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    server_path = models.CharField(max_length=1000, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    problem = models.TextField(blank=True)
    job = models.ForeignKey(
        "optout.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    analysed_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    """Totals, malformed-line samples, policy versions used, verification rules."""
    violations_blob = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    """The violating lines, verbatim, gzip-compressed."""
    export_blob = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    """ZIP: violating lines, each robots.txt that applied, manifest (policy versions,
    captures proving publication, the log's SHA-256)."""
    evidence_item = models.ForeignKey(
        "evidence.EvidenceItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("label", "-created_at"), name="crawlerlog_label_recent")]


class CrawlerLogAgent(LabelOwnedModel):
    """What one AI or search agent did in one log."""

    log = models.ForeignKey(CrawlerLog, on_delete=models.CASCADE, related_name="agents")
    token = models.CharField(max_length=200)
    purpose = models.CharField(max_length=16, blank=True)
    requests = models.PositiveBigIntegerField(default=0)
    allowed = models.PositiveBigIntegerField(default=0)
    violations = models.PositiveBigIntegerField(default=0)
    signal_fetches = models.PositiveBigIntegerField(default=0)
    unjudged = models.PositiveBigIntegerField(
        default=0, help_text="Requests on a day no policy version was in force."
    )
    robots_fetches = models.PositiveBigIntegerField(default=0)
    violations_after_robots = models.PositiveBigIntegerField(default=0)
    control_reserved = models.PositiveBigIntegerField(
        default=0,
        help_text="Fetched by a search crawler although its control token (Google-Extended) "
        "is refused: allowed to fetch, reserved from AI use.",
    )
    verified = models.PositiveBigIntegerField(default=0)
    impostors = models.PositiveBigIntegerField(
        default=0, help_text="Requests from outside the agent's published addresses."
    )
    unverifiable = models.PositiveBigIntegerField(default=0)
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    top_paths = models.JSONField(default=list, blank=True)
    top_violating_paths = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("-violations", "-requests", "token")
        constraints = [
            models.UniqueConstraint(fields=("log", "token"), name="crawlerlogagent_one_per_log"),
        ]
        indexes = [models.Index(fields=("label", "token"), name="crawlerlogagent_label_token")]
