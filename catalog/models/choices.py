"""Choice lists shared by several catalog models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AIClause(models.TextChoices):
    """What a contract says about one AI use."""

    PROHIBITED = "prohibited", _("Prohibited")
    PERMITTED = "permitted", _("Permitted")
    SILENT = "silent", _("Silent")
    UNKNOWN = "unknown", _("Not reviewed")


class AIDisclosure(models.TextChoices):
    """How far AI took part in one aspect of a recording."""

    NONE = "none", _("No AI")
    ASSISTED = "assisted", _("AI-assisted")
    GENERATED = "generated", _("AI-generated")
    UNKNOWN = "unknown", _("Unknown")


class PartyRole(models.TextChoices):
    ARTIST = "artist", _("Artist")
    PRODUCER = "producer", _("Producer")
    VOCALIST = "vocalist", _("Vocalist")
    WRITER = "writer", _("Writer")
    PUBLISHER = "publisher", _("Publisher")
    MUSICIAN = "musician", _("Musician")
    ENGINEER = "engineer", _("Engineer")
    LABEL = "label", _("Label")
    OTHER = "other", _("Other")
