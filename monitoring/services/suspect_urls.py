"""URL suspects: the audio behind an address a user gave, fetched by the safe fetcher.

The address is either a direct audio link or an HTML page whose ``<audio src>``, its
``<source src>`` or an ``og:audio`` meta tag points at one. Only the page and that one
audio file are downloaded (nothing else the page refers to); the page is kept as a capture
(``evidence.services.captures``, which fetches and renders it again as evidence) and the
audio as the suspect's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import lxml.html
from django.utils.translation import gettext as _

from evidence.models import Capture, CapturePurpose
from evidence.services.captures import CaptureRefused, capture_request
from optout.lib.fetch import FetchError, FetchResult, check_url, fetch
from optout.models import Blob, Label, User
from optout.services.blobs import blob_store

MAX_AUDIO_BYTES = 300 * 1024 * 1024
MAX_PAGE_BYTES = 5 * 1024 * 1024
DEADLINE_SECONDS = 120.0
_PAGE_TYPES = ("text/html", "application/xhtml+xml")


class SuspectUrlFailed(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def suspect_url_check(url: str) -> str:
    """The URL as it will be fetched; ``FetchError`` when it never could be (a loopback or
    private address the operator has not allowed, another scheme, a bad port...)."""
    return check_url((url or "").strip()).url


@dataclass(frozen=True)
class FetchedAudio:
    blob: Blob
    audio_url: str
    page_url: str
    """Empty when the URL was a direct audio link."""
    capture: Capture | None


def _is_page(result: FetchResult) -> bool:
    kind = result.final.content_type
    if kind in _PAGE_TYPES:
        return True
    if kind.startswith(("audio/", "video/")) or kind == "application/ogg":
        return False
    head = result.final.body.open().read(512).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<audio"))


def audio_link(html: bytes, base_url: str) -> str | None:
    """The first audio the page offers: ``<audio src>``, ``<audio><source src>``, then
    ``og:audio`` (``:url``, ``:secure_url``), made absolute against the page's URL."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    candidates: list[Any] = []
    for path in (
        "//audio[@src]/@src",
        "//audio/source[@src]/@src",
        "//meta[@property='og:audio' or @property='og:audio:url'"
        " or @property='og:audio:secure_url']/@content",
    ):
        candidates.extend(_strings(tree.xpath(path)))
    base = ([*_strings(tree.xpath("//base[@href]/@href")), base_url])[0]
    for candidate in candidates:
        link = str(candidate).strip()
        if link:
            return urljoin(urljoin(base_url, str(base)), link)
    return None


def _strings(found: Any) -> list[str]:
    return [str(item) for item in found] if isinstance(found, list) else []


def _get(url: str, *, max_bytes: int) -> FetchResult:
    try:
        result = fetch(url, max_bytes=max_bytes, deadline_seconds=DEADLINE_SECONDS)
    except FetchError as error:
        raise SuspectUrlFailed(
            _("%(url)s could not be fetched: %(reason)s") % {"url": url, "reason": error.message}
        ) from None
    if not 200 <= result.status < 300:
        result.close()
        raise SuspectUrlFailed(
            _("%(url)s answered with HTTP status %(status)d.")
            % {"url": url, "status": result.status}
        )
    return result


def suspect_audio_fetch(*, label: Label, url: str, actor: User | None) -> FetchedAudio:
    """Fetch the audio behind ``url`` and store it as a blob; a page's capture is
    requested. Raises ``SuspectUrlFailed`` with a sentence for the user."""
    with _get(url, max_bytes=MAX_AUDIO_BYTES) as first:
        if not _is_page(first):
            blob = blob_store(label=label, source=first.final.body.open(), actor=actor)
            return FetchedAudio(blob=blob, audio_url=first.final_url, page_url="", capture=None)
        page_url = first.final_url
        if first.final.body.size > MAX_PAGE_BYTES:
            raise SuspectUrlFailed(_("The page is too large to look for audio in."))
        link = audio_link(first.content, page_url)
    if link is None:
        raise SuspectUrlFailed(
            _("The page has no <audio> element or og:audio tag pointing at an audio file.")
        )
    with _get(link, max_bytes=MAX_AUDIO_BYTES) as audio:
        if _is_page(audio):
            raise SuspectUrlFailed(
                _("The page's audio link %(url)s leads to another page, not to audio.")
                % {"url": link}
            )
        blob = blob_store(label=label, source=audio.final.body.open(), actor=actor)
        audio_url = audio.final_url
    try:
        capture = capture_request(
            label=label,
            actor=actor,
            url=page_url,
            purpose=CapturePurpose.INFRINGING_LISTING,
            note=_("Page of a suspect copy; its audio: %(url)s") % {"url": audio_url},
        )
    except CaptureRefused as error:
        raise SuspectUrlFailed(error.message_text) from None
    return FetchedAudio(blob=blob, audio_url=audio_url, page_url=page_url, capture=capture)
