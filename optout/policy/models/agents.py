"""The AI agent list in use and Optout's classification of it (shared by every label)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.policy.choices import PurposeChoice


class AgentList(models.Model):
    """One loaded copy of the community ``robots.json``; the active one feeds every label's
    signals. Earlier copies are kept, so what a label published on a date can be rebuilt."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=300)
    sha256 = models.CharField(max_length=64)
    agents = models.JSONField()
    is_active = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-loaded_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("is_active",),
                condition=models.Q(is_active=True),
                name="agentlist_one_active",
            ),
        ]

    def __str__(self) -> str:
        return self.source


class AgentPurpose(models.Model):
    """A classification added or corrected after the vendored one (agent_purposes.json)."""

    token = models.CharField(_("user-agent token"), max_length=200, unique=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=PurposeChoice.choices)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("token",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=PurposeChoice.values),
                name="agentpurpose_purpose_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token}: {self.purpose}"
