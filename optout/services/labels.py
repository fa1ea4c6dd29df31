"""Labels, their domains, memberships and invitations."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from optout.lib.domains import normalise_domain
from optout.models import Invitation, Label, LabelDomain, LedgerHead, Membership, User
from optout.models.labels import LABEL_PROFILE_FIELDS
from optout.policy.services.policy import policy_initial_create
from optout.roles import Role
from optout.services.ledger import ledger_append

INVITATION_DAYS = 14


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValidationError({"role": _("Choose one of the roles offered.")}) from None


def user_get_or_create(*, email: str) -> tuple[User, bool]:
    """The user with this e-mail address; a new one (without a password) if none exists."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(email=email, password=None)
    _mark_email_verified(user)
    return user, True


def _mark_email_verified(user: User) -> None:
    from allauth.account.models import EmailAddress

    address, _created = EmailAddress.objects.get_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email, "primary": True, "verified": True},
    )
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


@transaction.atomic
def label_create(
    *, slug: str, name: str, owner: User, actor: User | None = None, **profile: Any
) -> Label:
    label = Label(slug=slug, name=name, **profile)
    label.full_clean()
    try:
        with transaction.atomic():
            label.save()
    except IntegrityError:
        raise ValidationError({"slug": _("A label with this slug already exists.")}) from None
    LedgerHead.objects.create(label=label)
    ledger_append(
        label=label,
        actor=actor,
        action="label.created",
        subject=label,
        data={"slug": slug, "name": name},
    )
    membership = Membership.objects.create(label=label, user=owner, role=Role.OWNER)
    ledger_append(
        label=label,
        actor=actor,
        action="member.added",
        subject=owner,
        data={"email": owner.email, "role": membership.role},
    )
    # Called here, not from a signal: a label's public signals must be right from the start.
    policy_initial_create(label=label, actor=actor)
    return label


@transaction.atomic
def label_update(*, label: Label, actor: User, **changes: Any) -> Label:
    unknown = set(changes) - set(LABEL_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    changed = sorted(k for k, v in changes.items() if getattr(label, k) != v)
    for key in changed:
        setattr(label, key, changes[key])
    if not changed:
        return label
    label.full_clean()
    label.save(update_fields=changed)
    ledger_append(
        label=label, actor=actor, action="label.updated", subject=label, data={"fields": changed}
    )
    return label


@transaction.atomic
def label_domain_add(*, label: Label, actor: User, domain: str) -> LabelDomain:
    normalised = normalise_domain(domain)
    if LabelDomain.objects.filter(label=label, domain=normalised).exists():
        raise ValidationError({"domain": _("This domain is already listed.")})
    row = LabelDomain.objects.create(label=label, domain=normalised)
    ledger_append(
        label=label, actor=actor, action="domain.added", subject=row, data={"domain": normalised}
    )
    return row


@transaction.atomic
def label_domain_remove(*, domain: LabelDomain, actor: User) -> None:
    ledger_append(
        label=domain.label,
        actor=actor,
        action="domain.removed",
        subject=domain,
        data={"domain": domain.domain},
    )
    domain.delete()


def _owners(label: Label) -> int:
    return Membership.objects.filter(label=label, role=Role.OWNER).count()


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    new_role = _role(role)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == new_role:
        return membership
    if membership.role == Role.OWNER and _owners(membership.label) == 1:
        raise ValidationError({"role": _("A label needs at least one owner.")})
    old = membership.role
    membership.role = new_role
    membership.save(update_fields=["role"])
    ledger_append(
        label=membership.label,
        actor=actor,
        action="member.role_changed",
        subject=membership.user,
        data={"email": membership.user.email, "from": old, "to": new_role.value},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.OWNER and _owners(membership.label) == 1:
        raise ValidationError(_("A label needs at least one owner: choose another owner first."))
    ledger_append(
        label=membership.label,
        actor=actor,
        action="member.removed",
        subject=membership.user,
        data={"email": membership.user.email, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def membership_add(*, label: Label, user: User, role: str, actor: User | None) -> Membership:
    """Add a member directly (operator CLI and demo data); people are normally invited."""
    new_role = _role(role)
    membership, created = Membership.objects.get_or_create(
        label=label, user=user, defaults={"role": new_role}
    )
    if created:
        ledger_append(
            label=label,
            actor=actor,
            action="member.added",
            subject=user,
            data={"email": user.email, "role": new_role.value},
        )
    elif membership.role != new_role:
        membership = membership_change_role(membership=membership, role=new_role, actor=actor)  # type: ignore[arg-type]
    return membership


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_url(token: str) -> str:
    return settings.OPTOUT_BASE_URL + reverse("invitation", kwargs={"token": token})


@transaction.atomic
def invitation_create(
    *, label: Label, email: str, role: str, actor: User
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``label``; returns the invitation and the secret for its link.

    Inviting an address again replaces the earlier, unused invitation.
    """
    new_role = _role(role)
    email = User.objects.normalize_email(email).strip().lower()
    if Membership.objects.filter(label=label, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the label.")})
    for old in Invitation.objects.select_for_update().filter(
        label=label, email__iexact=email, status=Invitation.Status.PENDING
    ):
        old.status = Invitation.Status.REVOKED
        old.save(update_fields=["status"])
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        label=label,
        email=email,
        role=new_role,
        token_hash=_token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    ledger_append(
        label=label,
        actor=actor,
        action="member.invited",
        subject=invitation,
        data={"email": email, "role": new_role.value},
    )
    url = invitation_url(token)
    transaction.on_commit(lambda: _send_invitation(invitation, url), robust=True)
    return invitation, token


def _send_invitation(invitation: Invitation, url: str) -> None:
    context = {"invitation": invitation, "url": url, "days": INVITATION_DAYS}
    subject = render_to_string("emails/invitation_subject.txt", context).strip()
    body = render_to_string("emails/invitation_message.txt", context)
    send_mail(subject, body, None, [invitation.email])


def invitation_for_token(token: str) -> Invitation | None:
    """The pending, unexpired invitation behind a link's secret, if any."""
    invitation = (
        Invitation.objects.select_related("label", "invited_by")
        .filter(
            token_hash=_token_hash(token), status=Invitation.Status.PENDING, label__is_active=True
        )
        .first()
    )
    if invitation is None or invitation.expires_at <= timezone.now():
        return None
    return invitation


def invitation_signup_check(*, token: str, email: str) -> None:
    """Sign-up through an invitation is for the address it was sent to, while it is
    pending; anything else is refused with a reason for the form."""
    invitation = invitation_for_token(token) if token else None
    if invitation is None:
        raise ValidationError(_("This invitation is no longer valid. Ask for a new one."))
    if invitation.email.lower() != email.strip().lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign up with that address.")
            % {"email": invitation.email}
        )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ValidationError(_("This invitation is no longer valid. Ask for a new one."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("This invitation is no longer valid. Ask for a new one."))
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    # The invitation reached this address, which proves the address is the user's.
    _mark_email_verified(user)
    membership, created = Membership.objects.get_or_create(
        label=invitation.label, user=user, defaults={"role": invitation.role}
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "accepted_at"])
    if created:
        ledger_append(
            label=invitation.label,
            actor=user,
            action="member.joined",
            subject=user,
            data={"email": user.email, "role": membership.role, "invitation": str(invitation.code)},
        )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        return
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    ledger_append(
        label=invitation.label,
        actor=actor,
        action="invitation.revoked",
        subject=invitation,
        data={"email": invitation.email},
    )
