"""Setting up an authenticator on the way to a sensitive action, and coming back after."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import urlencode

from optout.mfa import safe_next
from optout.tenancy import signed_in_user

NEXT_SESSION_KEY = "optout_mfa_next"


class ActivateTOTPAndContinue(ActivateTOTPView):
    """allauth's activation, plus: a ``next`` address to return to, and the code just
    entered counts as this session's two-factor authentication (it proves the same thing
    as a code at sign-in, after the password was asked again)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The form posts to the bare address, so the address to return to waits in the session.
        wanted = safe_next(request, request.GET.get("next"))
        if wanted:
            request.session[NEXT_SESSION_KEY] = wanted
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_valid(form)
        user = signed_in_user(self.request)
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        record_authentication(self.request, user, "mfa", id=totp.pk, type=totp.type)
        return response

    def get_success_url(self) -> str:
        url: str = super().get_success_url()
        wanted = safe_next(self.request, self.request.session.pop(NEXT_SESSION_KEY, None))
        if wanted is None:
            return url
        if self.did_generate_recovery_codes:
            # The recovery codes first (shown with a link onwards), then back.
            return f"{reverse('mfa_view_recovery_codes')}?{urlencode({'next': wanted})}"
        return wanted


activate_totp = ActivateTOTPAndContinue.as_view()
