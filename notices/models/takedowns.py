"""Takedown notices: a letter drafted from a matter to one recipient along one legal route,
approved by counsel, sent, and followed through its lifecycle with dated correspondence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class TakedownRoute(models.TextChoices):
    DMCA = "dmca", _("US DMCA (17 U.S.C. §512(c))")
    DSA = "dsa", _("EU DSA Article 16 notice")
    LIKENESS = "likeness", _("Voice / likeness (publicity and personality rights)")
    AI_RESERVATION = "ai_reservation", _("Contract / AI-training reservation")
    GENERIC = "generic", _("Generic letter")


class TakedownStatus(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REMOVED = "removed", _("Removed")
    REJECTED = "rejected", _("Rejected")
    COUNTER_NOTICE = "counter_notice", _("Counter-notice received")
    REINSTATED = "reinstated", _("Reinstated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RecipientKind(models.TextChoices):
    PLATFORM = "platform", _("Platform")
    HOST = "host", _("Host")
    DISTRIBUTOR = "distributor", _("Distributor")
    AI_COMPANY = "ai_company", _("AI company")


class Takedown(LabelOwnedModel):
    """One takedown notice to one recipient, drafted from a matter.

    States (``TRANSITIONS`` in ``notices.services.takedowns`` is the table)::

        drafted --approve (counsel, owner)--> approved --send / sent via portal--> sent
        sent --> acknowledged --> removed | rejected
        removed --> counter_notice --> reinstated | withdrawn
        any open state --> withdrawn
    """

    Route = TakedownRoute
    Status = TakedownStatus
    RecipientKind = RecipientKind

    matter = models.ForeignKey("evidence.Matter", on_delete=models.PROTECT, related_name="+")
    route = models.CharField(_("route"), max_length=24, choices=TakedownRoute.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=TakedownStatus.choices, default=TakedownStatus.DRAFTED
    )
    recipient_name = models.CharField(_("recipient"), max_length=300)
    recipient_kind = models.CharField(
        _("kind of recipient"), max_length=24, choices=RecipientKind.choices
    )
    recipient_email = models.EmailField(_("recipient e-mail"), blank=True)
    recipient_address = models.TextField(_("recipient postal address"), blank=True)
    recipient_url = models.URLField(_("recipient portal URL"), max_length=2000, blank=True)
    recipient_country = models.CharField(
        _("recipient country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. US.")
    )
    infringing_urls = models.JSONField(_("infringing URLs"), default=list, blank=True)
    recordings = models.ManyToManyField("catalog.Recording", blank=True, related_name="+")
    explanation = models.TextField(
        _("explanation"),
        blank=True,
        help_text=_("Why the material infringes or is illegal, in your own words."),
    )
    signatory = models.CharField(
        _("signed by"),
        max_length=200,
        help_text=_("The person authorised to act for the label, who signs the notice."),
    )
    # What the notice says, gathered from the matter when it was drafted (see facts()).
    facts = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rendered_at = models.DateTimeField(null=True, blank=True)
    # The latest job working on the takedown (rendering, then sending).
    job = models.ForeignKey(
        "optout.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_via = models.CharField(max_length=16, blank=True)
    sent_message = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    send_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "code")
        verbose_name = _("takedown")
        verbose_name_plural = _("takedowns")
        indexes = [models.Index(fields=("label", "status"), name="takedown_label_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TakedownStatus.values), name="takedown_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(route__in=TakedownRoute.values), name="takedown_route_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_route_display()} → {self.recipient_name}"


class TakedownEvent(LabelOwnedModel):
    """One step of a takedown's lifecycle: who, when, and the document that came with it."""

    takedown = models.ForeignKey(Takedown, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(_("step"), max_length=24, choices=TakedownStatus.choices)
    previous_status = models.CharField(max_length=24, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    happened_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    document = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document_name = models.CharField(max_length=255, blank=True)
    evidence_item = models.ForeignKey(
        "evidence.EvidenceItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("takedown step")
        verbose_name_plural = _("takedown steps")

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.happened_on}"


class TakedownPacket(LabelOwnedModel):
    """One download for the recipient or a court: the notice PDF and the matter's evidence
    packet (the verifiable ZIP of ``evidence.Packet``), zipped together by a job."""

    class Status(models.TextChoices):
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    takedown = models.ForeignKey(Takedown, on_delete=models.PROTECT, related_name="packets")
    packet = models.ForeignKey(
        "evidence.Packet", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.BUILDING
    )
    job = models.ForeignKey(
        "optout.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    blob = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "code")
        verbose_name = _("takedown packet")
        verbose_name_plural = _("takedown packets")

    def __str__(self) -> str:
        return f"Takedown packet {self.code}"

    @property
    def filename(self) -> str:
        return f"takedown-packet-{self.code}.zip"
