from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from optout.services.tokens import TokenExpired, token_authenticate


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` (``Bearer`` is accepted too)."""

    keywords = (b"token", b"bearer")

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the keyword."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        try:
            user = token_authenticate(key=key)
        except TokenExpired:
            raise exceptions.AuthenticationFailed(
                _("The token has expired. Create a new one on the Tokens page."),
                code="token_expired",
            ) from None
        if user is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid or was revoked."))
        return user, None

    def authenticate_header(self, request: Request) -> str:
        return "Token"
