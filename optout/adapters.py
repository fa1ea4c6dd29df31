"""allauth adapter: sign-up is open only to someone holding a valid invitation; rate limits
count per client address behind the trusted proxy (``optout.lib.client_ip``)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from optout.lib.client_ip import client_ip

INVITATION_SESSION_KEY = "optout_invitation"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        from optout.services.labels import invitation_for_token

        token = request.session.get(INVITATION_SESSION_KEY)
        return bool(token) and invitation_for_token(str(token)) is not None

    def _invitation_url(self, request: HttpRequest) -> str | None:
        token = request.session.get(INVITATION_SESSION_KEY)
        if token:
            return reverse("invitation", kwargs={"token": token})
        return None

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return self._invitation_url(request) or super().get_signup_redirect_url(request)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return self._invitation_url(request) or super().get_login_redirect_url(request)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """The name asked for at sign-up (``InvitedSignupForm``) is the member's name."""
        user.name = str(form.cleaned_data.get("name") or "")[:150]
        return super().save_user(request, user, form, commit=commit)

    def set_password(self, user: Any, password: str) -> None:
        """Every allauth password change, reset and set ends here: tokens made under the
        old password stop working with it."""
        from optout.services.tokens import tokens_revoke_for_user

        super().set_password(user, password)
        tokens_revoke_for_user(user=user)

    def get_client_ip(self, request: HttpRequest) -> str:
        ip = client_ip(request, trusted_hops=settings.OPTOUT_TRUSTED_PROXY_HOPS)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip
