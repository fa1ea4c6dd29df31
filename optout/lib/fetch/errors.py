"""Typed refusals and failures of the safe fetcher.

Every error carries a stable ``code`` (for APIs, job rows and tests) and a message that is
translated when it is read, so a message stored by a worker in one language can still be
shown to a user in another. ``hops`` holds the responses that arrived before the error,
so a capture can keep what it saw even when the fetch as a whole failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from optout.lib.fetch.results import Hop


class FetchError(Exception):
    """Base of every error the fetcher raises on purpose."""

    code: ClassVar[str] = "fetch_failed"
    default_message: ClassVar[Promise | str] = _("The address could not be fetched.")

    def __init__(
        self,
        message: Promise | str | None = None,
        *,
        url: str = "",
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.template: Promise | str = message if message is not None else self.default_message
        self.params: dict[str, Any] = dict(params or {})
        self.url = url
        self.redirected = False
        self.hops: tuple[Hop, ...] = ()
        super().__init__(self.template)

    @property
    def message(self) -> str:
        """The user-facing message in the active language."""
        text = str(self.template)
        if self.params:
            text = text % {key: str(value) for key, value in self.params.items()}
        if self.redirected:
            text = str(_("The server redirected to %(url)s. %(problem)s")) % {
                "url": self.url,
                "problem": text,
            }
        return text

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "url": self.url}


class FetchRefused(FetchError):
    """The URL itself is not allowed: nothing was sent anywhere because of it."""

    code = "refused"


class InvalidUrl(FetchRefused):
    code = "invalid_url"
    default_message = _("This is not a valid web address.")


class SchemeNotAllowed(FetchRefused):
    code = "scheme_not_allowed"
    default_message = _("Only http:// and https:// addresses can be fetched.")


class HostNotAllowed(FetchRefused):
    """The host is, or resolves to, an address the fetcher must not reach."""

    code = "host_not_allowed"

    def __init__(
        self,
        message: Promise | str | None = None,
        *,
        url: str = "",
        params: Mapping[str, Any] | None = None,
        reason: str = "",
        address: str = "",
    ) -> None:
        super().__init__(message, url=url, params=params)
        self.reason = reason
        self.address = address


class PortNotAllowed(FetchRefused):
    code = "port_not_allowed"
    default_message = _("Only the standard ports 80 and 443 can be fetched.")


class DnsFailed(FetchError):
    code = "dns_failed"
    default_message = _("The host name could not be found.")


class TooManyRedirects(FetchError):
    code = "too_many_redirects"
    default_message = _("The server redirected too many times.")


class TooLarge(FetchError):
    code = "too_large"
    default_message = _("The response is larger than the allowed limit.")


class FetchTimeout(FetchError):
    code = "timeout"
    default_message = _("The server did not answer in time.")


class ConnectionFailed(FetchError):
    code = "connection_failed"
    default_message = _("The connection to the server failed.")


class TlsFailed(FetchError):
    code = "tls_failed"
    default_message = _("A secure (TLS) connection to the server could not be made.")


class BadResponse(FetchError):
    code = "bad_response"
    default_message = _("The server sent a response that is not valid HTTP.")
