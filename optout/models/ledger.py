from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models.base import LabelScopedManager


class LedgerEntry(models.Model):
    """One event in a label's custody ledger: append-only and hash-chained.

    ``entry_hash`` is the SHA-256 of the entry's canonical JSON followed by the previous
    entry's hash (see ``optout.services.ledger``). A database trigger refuses UPDATE and
    DELETE on this table; another refuses TRUNCATE.
    """

    label = models.ForeignKey("optout.Label", on_delete=models.PROTECT, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    seq = models.PositiveBigIntegerField(_("sequence number"))
    recorded_at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_code = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    blob = models.ForeignKey(
        "optout.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    mac = models.CharField(max_length=64, blank=True)
    """HMAC-SHA256 of ``entry_hash`` under ``OPTOUT_LEDGER_KEY`` (empty when no key is set):
    without the key, nobody with only the database can extend the chain convincingly."""

    objects: LabelScopedManager[Any] = LabelScopedManager()

    class Meta:
        ordering = ("label_id", "seq")
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(fields=("label", "seq"), name="ledger_seq_unique_per_label"),
        ]
        indexes = [
            # An object's entries: its history, and the once-per-job check that an append
            # makes while it holds the label's head (a scan there would serialise appends).
            models.Index(
                fields=("label", "object_type", "object_code"), name="ledger_entries_of_object"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


GENESIS_HASH = "0" * 64


class LedgerHead(models.Model):
    """The newest entry of a label's ledger.

    Appends lock this row, so each label's chain grows one entry at a time; the verifier
    compares the chain's end with it, so a cut tail is found too.
    """

    label = models.OneToOneField(
        "optout.Label", on_delete=models.PROTECT, related_name="+", primary_key=True
    )
    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.label_id} at #{self.seq}"


class LedgerAnchor(models.Model):
    """A label's ledger head as it was at ``gen_time``, RFC 3161-timestamped by its TSA.

    ``record`` holds the stamped bytes (the canonical JSON of label, ``seq`` and
    ``entry_hash``); ``token`` the TSA's answer. The verifier recomputes the chain and
    requires it to reproduce every anchored head, so a chain rewritten from an entry
    onwards, or cut and its head rewound, no longer matches what a third party dated.
    Append-only like the ledger itself.
    """

    label = models.ForeignKey("optout.Label", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField(_("sequence number"))
    entry_hash = models.CharField(max_length=64)
    record = models.ForeignKey("optout.Blob", on_delete=models.PROTECT, related_name="+")
    token = models.ForeignKey("optout.Blob", on_delete=models.PROTECT, related_name="+")
    gen_time = models.DateTimeField(_("stamped at"))
    tsa_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: LabelScopedManager[Any] = LabelScopedManager()

    class Meta:
        ordering = ("label_id", "seq", "pk")
        verbose_name = _("ledger anchor")
        verbose_name_plural = _("ledger anchors")

    def __str__(self) -> str:
        return f"{self.label_id} anchored at #{self.seq}"
