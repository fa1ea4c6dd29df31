from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from optout.adapters import INVITATION_SESSION_KEY
from optout.forms import InvitationForm, RoleForm, apply_errors
from optout.mfa import mfa_required_for
from optout.roles import Capability, Role
from optout.selectors import (
    label_invitation,
    label_members,
    label_membership,
    label_pending_invitations,
)
from optout.services.labels import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    invitation_url,
    membership_change_role,
    membership_remove,
)
from optout.tenancy import LabelAccess, label_view


def _members_page(
    request: HttpRequest,
    access: LabelAccess,
    form: InvitationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = access.can(Capability.MANAGE_MEMBERS)
    return render(
        request,
        "optout/members.html",
        {
            "members": label_members(label=access.label),
            "invitations": label_pending_invitations(label=access.label) if can_manage else [],
            "form": form or InvitationForm(),
            "role_choices": Role.choices,
            "can_manage": can_manage,
        },
        status=status,
    )


@label_view(write=Capability.MANAGE_MEMBERS)
@mfa_required_for("POST")
def members(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    if request.method != "POST":
        return _members_page(request, access)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, token = invitation_create(
                label=access.label,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=access.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Invitation sent to %(email)s. If it does not arrive, give them this link: "
                    "%(url)s"
                )
                % {"email": invitation.email, "url": invitation_url(token)},
            )
            return redirect("members", slug=access.label.slug)
    return _members_page(request, access, form, status=400)


@require_POST
@label_view(write=Capability.MANAGE_MEMBERS)
@mfa_required_for()
def member_role(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    membership = label_membership(label=access.label, code=code)
    if membership is None:
        raise Http404
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles offered."))
    else:
        try:
            membership_change_role(
                membership=membership, role=form.cleaned_data["role"], actor=access.user
            )
            messages.success(
                request, _("Role of %(email)s changed.") % {"email": membership.user.email}
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("members", slug=access.label.slug)


@require_POST
@label_view(write=Capability.MANAGE_MEMBERS)
@mfa_required_for()
def member_remove(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    membership = label_membership(label=access.label, code=code)
    if membership is None:
        raise Http404
    try:
        membership_remove(membership=membership, actor=access.user)
        messages.success(
            request, _("%(email)s was removed from the label.") % {"email": membership.user.email}
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("members", slug=access.label.slug)


@require_POST
@label_view(write=Capability.MANAGE_MEMBERS)
@mfa_required_for()
def invitation_revoke_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    invitation = label_invitation(label=access.label, code=code)
    if invitation is None:
        raise Http404
    invitation_revoke(invitation=invitation, actor=access.user)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("members", slug=access.label.slug)


@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind an invitation link: sign up or sign in, then accept."""
    found = invitation_for_token(token)
    if found is None:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return render(request, "optout/invitation_invalid.html", status=404)
    request.session[INVITATION_SESSION_KEY] = token
    if not request.user.is_authenticated:
        from allauth.account.adapter import get_adapter

        # Following the link proves the address: sign-up with it needs no second e-mail.
        get_adapter(request).stash_verified_email(request, found.email)
        return render(request, "optout/invitation.html", {"invitation": found})
    matches = request.user.email.lower() == found.email.lower()
    if request.method == "POST" and matches:
        try:
            membership = invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(request, _("Welcome to %(label)s.") % {"label": membership.label.name})
            return redirect("dashboard", slug=membership.label.slug)
    return render(request, "optout/invitation.html", {"invitation": found, "matches": matches})
