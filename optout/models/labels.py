from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from optout.lib.text import refuse_control_characters
from optout.roles import Capability, Role, role_can

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use 1-50 lower-case letters, digits and hyphens, not starting or ending with a hyphen."),
)


# What a label's owners edit about it (the profile form, the API and the update service).
LABEL_PROFILE_FIELDS = (
    "name",
    "legal_name",
    "address",
    "contact_email",
    "terms_url",
    "require_mfa",
)


class LabelQuerySet(models.QuerySet["Label"]):
    def accessible_to(self, user: Any) -> LabelQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(is_active=True, memberships__user=user)


class Label(models.Model):
    """A record label: the tenant. Everything else belongs to exactly one label."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=50, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=200, validators=[refuse_control_characters])
    legal_name = models.CharField(
        _("legal name"), max_length=300, blank=True, validators=[refuse_control_characters]
    )
    address = models.TextField(_("address"), blank=True)
    contact_email = models.EmailField(_("rights contact e-mail"), blank=True)
    terms_url = models.URLField(_("terms URL"), blank=True, max_length=500)
    # On for new labels; existing labels kept the value they had (see optout.mfa).
    require_mfa = models.BooleanField(
        _("require two-factor authentication for sensitive actions"),
        default=True,
        help_text=_(
            "Owners and counsel confirm with an authenticator app before they download "
            "packets, change members or roles, or approve policies and takedowns."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[LabelQuerySet] = LabelQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ("name",)
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def __str__(self) -> str:
        return self.name


class LabelDomain(models.Model):
    """A web domain the label owns, where its signals are published and audited."""

    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="domains")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    domain = models.CharField(_("domain"), max_length=253)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("domain",)
        constraints = [
            models.UniqueConstraint(
                fields=("label", "domain"), name="labeldomain_unique_per_label"
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class Membership(models.Model):
    """One person's role in one label."""

    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("user__email",)
        constraints = [
            models.UniqueConstraint(fields=("user", "label"), name="membership_one_per_user_label"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.label} as {self.role}"

    def can(self, capability: Capability) -> bool:
        return role_can(self.role, capability)


class Invitation(models.Model):
    """An e-mailed offer to join a label with a role; accepted once through its link."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="invitations")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    # Only the SHA-256 of the secret in the link is kept, so a database reader cannot accept.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "label",
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.label}"
