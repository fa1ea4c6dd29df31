"""allauth adapter: sign-up is open only to someone holding a valid invitation."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

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
