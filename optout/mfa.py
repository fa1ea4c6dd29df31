"""Two-factor authentication before the actions that matter.

A label with ``require_mfa`` (on by default for new labels) asks whoever performs a
sensitive action — downloading a packet, changing who is a member and with which role,
approving a policy or terms text, approving a takedown — to have an authenticator app and
to have confirmed this session with it. Only owners and counsel hold the capabilities these
actions need (``MFA_CAPABILITIES``); the other roles never meet the rule.

* HTML views: ``@mfa_required_for("GET")`` / ``("POST")`` under ``@label_view``. A member
  without an authenticator is sent to set one up, one whose session did not use it is sent
  to confirm with it (allauth's reauthentication); both come back to where they were.
  Nobody is locked out: turning the setting on only makes the next sensitive action ask.
* API views: ``mfa_methods`` on ``LabelScopedMixin``. A session without MFA gets a 403 with
  the code ``mfa_required``; an API token counts as having passed (tokens are only issued to
  people who satisfy the rule, see ``token_issue_blocked``, or by the operator's CLI).
* Anything else (a takedown approval, say): ``mfa_step_needed(request=..., access=...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from optout.models import Membership, User
from optout.roles import CAPABILITIES, Capability
from optout.tenancy import LabelAccess

MFA_CAPABILITIES = frozenset(
    {Capability.MANAGE_MEMBERS, Capability.APPROVE_POLICY, Capability.PACKETS}
)
MFA_ROLES = frozenset(role for role, caps in CAPABILITIES.items() if caps & MFA_CAPABILITIES)


class MfaStep(StrEnum):
    ENROL = "enrol"
    """The user has no authenticator yet."""
    AUTHENTICATE = "authenticate"
    """The user has one, but this session was not confirmed with it."""


def user_has_authenticator(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    found: bool = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return found


def session_passed_mfa(request: HttpRequest, user: User) -> bool:
    """The user has an authenticator and this session was confirmed with it (sign-in or a
    later confirmation, as allauth records them in the session)."""
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(request, user)
    used = any(record.get("method") == "mfa" for record in records)
    return used and user_has_authenticator(user)


def _step(request: HttpRequest, user: User) -> MfaStep | None:
    if not user_has_authenticator(user):
        return MfaStep.ENROL
    if not session_passed_mfa(request, user):
        return MfaStep.AUTHENTICATE
    return None


def mfa_step_needed(*, request: HttpRequest, access: LabelAccess) -> MfaStep | None:
    """What the user must still do before a sensitive action in ``access.label``."""
    if not access.label.require_mfa:
        return None
    return _step(request, access.user)


def token_issue_blocked(*, request: HttpRequest, user: User) -> MfaStep | None:
    """An API token acts in every label of its user, so it is issued only when the session
    satisfies the MFA rule of each label where the user's role meets it."""
    subject = Membership.objects.filter(
        user=user, label__require_mfa=True, label__is_active=True, role__in=MFA_ROLES
    ).exists()
    return _step(request, user) if subject else None


def safe_next(request: HttpRequest, url: str | None) -> str | None:
    """``url`` if it points into this site, else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def mfa_step_url(step: MfaStep, *, next_url: str) -> str:
    name = "mfa_activate_totp" if step == MfaStep.ENROL else "mfa_reauthenticate"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def mfa_redirect(request: HttpRequest, *, access: LabelAccess, step: MfaStep) -> HttpResponseBase:
    """Send the user to set up or use their authenticator, then back.

    After a GET or HEAD they come back to the same address; a form post cannot be replayed, so
    they come back to the page the form was on and send it again.
    """
    if request.method in ("GET", "HEAD"):
        back = request.get_full_path()
    else:
        referer = request.headers.get("referer", "")
        back = safe_next(request, referer) or reverse("dashboard", args=[access.label.slug])
    if step == MfaStep.ENROL:
        messages.warning(
            request,
            _(
                "%(label)s asks owners and counsel to use two-factor authentication for this. "
                "Set up an authenticator app first; you will come back here."
            )
            % {"label": access.label.name},
        )
    else:
        messages.info(request, _("Confirm with your authenticator app to continue."))
    return HttpResponseRedirect(mfa_step_url(step, next_url=back))


View = Callable[..., HttpResponseBase]


def mfa_required_for(*methods: str) -> Callable[[View], View]:
    """Decorate a ``@label_view`` view (put it below): the HTTP ``methods`` named (all when
    none are) are sensitive actions that need two-factor authentication in this label."""
    wanted = frozenset(m.upper() for m in methods)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(
            request: HttpRequest, access: LabelAccess, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            if not wanted or request.method in wanted:
                step = mfa_step_needed(request=request, access=access)
                if step is not None:
                    return mfa_redirect(request, access=access, step=step)
            return view(request, access, *args, **kwargs)

        return wrapper

    return decorate
