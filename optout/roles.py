"""Roles and what each may do, in one table.

Views and API views never test a role by name: they ask for a capability, and this table
answers. DESIGN.md "Users and roles" is the source.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    RIGHTS = "rights", _("Rights")
    A_R = "a_r", _("A&R")
    COUNSEL = "counsel", _("Counsel")
    VIEWER = "viewer", _("Viewer")


class Capability(StrEnum):
    VIEW = "view"
    """Read everything in the label."""
    MANAGE_MEMBERS = "manage_members"
    """Invite, remove and change the roles of members; edit the label's profile."""
    APPROVE_POLICY = "approve_policy"
    """Approve a reservation-policy version or a terms text."""
    RIGHTS = "rights"
    """Policy drafts, terms, signals, partners, contracts, notices, monitoring, matters,
    evidence."""
    CATALOG = "catalog"
    """Works, recordings, releases, parties, master uploads, contribution records."""
    PACKETS = "packets"
    """Build and download evidence packets; approve and send takedowns."""


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.OWNER: frozenset(Capability),
    Role.RIGHTS: frozenset({Capability.VIEW, Capability.RIGHTS}),
    Role.A_R: frozenset({Capability.VIEW, Capability.CATALOG}),
    Role.COUNSEL: frozenset({Capability.VIEW, Capability.PACKETS}),
    Role.VIEWER: frozenset({Capability.VIEW}),
}


def role_can(role: str, capability: Capability) -> bool:
    try:
        return capability in CAPABILITIES[Role(role)]
    except ValueError:
        return False
