"""Watched pages: a capture schedule with a purpose, and what each of its captures showed.

Each finished capture of a watch's schedule (evidence calls ``watch_capture_finished``
through its capture-finished hook, in the transaction that settles the capture) becomes a
``WatchCheck``: a text diff with the capture before (difflib over the captures' extracted
text), and by purpose:

* own terms: the reservation wording must still be there (and the page must answer);
  a missing reservation or any change is an alert;
* partner and tool terms: any change is an alert; changed lines with wording about AI
  training, machine learning, datasets, sublicensing or AI (``monitoring.wording``, in the
  page's language and English) are flagged and raise the partner's risk flag;
* saved search: the result links not seen in the previous capture are listed (an alert
  when there are any); the text diff of a results page is kept but raises nothing.

A failed capture is a ``capture_failed`` alert, once per watch until resolved.
"""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from lxml import etree, html

from catalog.models import Partner
from catalog.services.partner_risks import partner_risk_raise
from evidence.capture.text import text_diff
from evidence.models import Alert, Capture, CapturePurpose
from evidence.models.captures import MAX_INTERVAL_HOURS
from evidence.services.alerts import alert_raise
from evidence.services.captures import capture_request, capture_schedule_set, capture_url_check
from monitoring.models import TermsLanguage, Watch, WatchCheck, WatchPurpose
from monitoring.wording import ai_wording
from optout.models import Label, User
from optout.services.blobs import blob_open
from optout.services.ledger import ledger_append

logger = logging.getLogger(__name__)

MAX_LINKS = 500
MAX_PAGE_BYTES = 10 * 1024 * 1024
ALERT_DIFF_LINES = 40

_CAPTURE_PURPOSE = {
    WatchPurpose.OWN_TERMS: CapturePurpose.OWN_TERMS,
    WatchPurpose.PARTNER_TERMS: CapturePurpose.PARTNER_TERMS,
    WatchPurpose.TOOL_TERMS: CapturePurpose.TOOL_TERMS,
    WatchPurpose.SAVED_SEARCH: CapturePurpose.OTHER,
}
_TERMS = (WatchPurpose.OWN_TERMS, WatchPurpose.PARTNER_TERMS, WatchPurpose.TOOL_TERMS)


def _host_allowed_for_search(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    entries = {entry.strip().lower() for entry in settings.OPTOUT_SAVED_SEARCH_HOSTS if entry}
    return host in entries or f"{host}:{parts.port}" in entries


def _validated(
    *, purpose: str, url: str, interval_hours: int, language: str, partner: Partner | None
) -> str:
    errors: dict[str, list[str]] = {}
    if purpose not in WatchPurpose.values:
        errors["purpose"] = [
            _("Choose one of: %(values)s.") % {"values": ", ".join(WatchPurpose.values)}
        ]
    if language not in TermsLanguage.values:
        errors["language"] = [
            _("Choose one of: %(values)s.") % {"values": ", ".join(TermsLanguage.values)}
        ]
    if not isinstance(interval_hours, int) or not 1 <= interval_hours <= MAX_INTERVAL_HOURS:
        errors["interval_hours"] = [_("Between 1 and %(max)d hours.") % {"max": MAX_INTERVAL_HOURS}]
    normalised = ""
    try:
        normalised = capture_url_check(url)
    except ValidationError as exc:
        errors["url"] = exc.messages
    if (
        normalised
        and purpose == WatchPurpose.SAVED_SEARCH
        and not _host_allowed_for_search(normalised)
    ):
        errors["url"] = [
            _(
                "Saved searches may only capture the sites this server's operator allowed "
                "(OPTOUT_SAVED_SEARCH_HOSTS)."
            )
        ]
    if partner is not None and purpose not in (WatchPurpose.PARTNER_TERMS, WatchPurpose.TOOL_TERMS):
        errors["partner"] = [_("Only a partner's or a tool's terms belong to a partner.")]
    if errors:
        raise ValidationError(errors)
    return normalised


@transaction.atomic
def watch_create(
    *,
    label: Label,
    actor: User | None,
    url: str,
    purpose: str,
    interval_hours: int,
    name: str = "",
    language: str = TermsLanguage.EN,
    partner: Partner | None = None,
    reservation_text: str = "",
) -> Watch:
    """Watch ``url``: a capture schedule for it, and a first capture now."""
    normalised = _validated(
        purpose=purpose,
        url=url,
        interval_hours=interval_hours,
        language=language,
        partner=partner,
    )
    if partner is not None and partner.label_id != label.pk:
        raise ValidationError({"partner": [_("No such partner in this label.")]})
    if Watch.objects.for_label(label).filter(url=normalised, active=True).exists():
        raise ValidationError({"url": [_("This page is already watched.")]})
    schedule = capture_schedule_set(
        label=label,
        actor=actor,
        url=normalised,
        purpose=_CAPTURE_PURPOSE[WatchPurpose(purpose)],
        interval_hours=interval_hours,
    )
    watch: Watch = Watch.objects.create(
        label=label,
        name=(name or "").strip()[:200] or (urlsplit(normalised).hostname or normalised)[:200],
        purpose=purpose,
        url=normalised,
        language=language,
        partner=partner,
        reservation_text=(reservation_text or "").strip(),
        interval_hours=interval_hours,
        schedule=schedule,
        created_by=actor,
    )
    ledger_append(
        label=label,
        actor=actor,
        action="watch.created",
        subject=watch,
        data={
            "url": normalised,
            "purpose": purpose,
            "interval_hours": interval_hours,
            "language": language,
            "partner": str(partner.code) if partner else "",
        },
    )
    watch_capture_now(watch=watch, actor=actor)
    return watch


@transaction.atomic
def watch_update(
    *,
    watch: Watch,
    actor: User | None,
    interval_hours: int | None = None,
    name: str | None = None,
    reservation_text: str | None = None,
    language: str | None = None,
) -> Watch:
    watch = Watch.objects.for_label(watch.label).select_for_update().get(pk=watch.pk)
    if not watch.active:
        raise ValidationError(_("This watch is stopped."))
    changes: dict[str, Any] = {}
    if language is not None and language != watch.language:
        if language not in TermsLanguage.values:
            raise ValidationError({"language": [_("Not a terms language.")]})
        changes["language"] = language
    if name is not None and name.strip() and name.strip() != watch.name:
        changes["name"] = name.strip()[:200]
    if reservation_text is not None and reservation_text.strip() != watch.reservation_text:
        changes["reservation_text"] = reservation_text.strip()
    if interval_hours is not None and interval_hours != watch.interval_hours:
        _validated(
            purpose=watch.purpose,
            url=watch.url,
            interval_hours=interval_hours,
            language=watch.language,
            partner=watch.partner,
        )
        changes["interval_hours"] = interval_hours
        changes["schedule"] = capture_schedule_set(
            label=watch.label,
            actor=actor,
            url=watch.url,
            purpose=_CAPTURE_PURPOSE[WatchPurpose(watch.purpose)],
            interval_hours=interval_hours,
        )
    if changes:
        for key, value in changes.items():
            setattr(watch, key, value)
        watch.save()
        ledger_append(
            label=watch.label,
            actor=actor,
            action="watch.updated",
            subject=watch,
            data={k: (v if k != "schedule" else str(v.code)) for k, v in changes.items()},
        )
    return watch


@transaction.atomic
def watch_stop(*, watch: Watch, actor: User | None) -> Watch:
    watch = Watch.objects.for_label(watch.label).select_for_update().get(pk=watch.pk)
    if not watch.active:
        return watch
    capture_schedule_set(
        label=watch.label, actor=actor, url=watch.url, purpose="other", interval_hours=None
    )
    watch.active = False
    watch.save(update_fields=["active", "updated_at"])
    ledger_append(
        label=watch.label,
        actor=actor,
        action="watch.stopped",
        subject=watch,
        data={"url": watch.url},
    )
    return watch


def watch_capture_now(*, watch: Watch, actor: User | None) -> Capture:
    """Capture the watched page now (outside its schedule); it is compared like the others."""
    if not watch.active or watch.schedule is None:
        raise ValidationError(_("This watch is stopped."))
    return capture_request(
        label=watch.label,
        actor=actor,
        url=watch.url,
        purpose=_CAPTURE_PURPOSE[WatchPurpose(watch.purpose)],
        schedule=watch.schedule,
    )


# --- what a finished capture shows -----------------------------------------------------------


def _page_bytes(capture: Capture) -> bytes:
    """The body of the page's final response, from the capture's WARC."""
    # Imported here: a worker loads warcio only when a job reads a WARC (docs/masters.md).
    from warcio.archiveiterator import ArchiveIterator

    if capture.warc is None:
        return b""
    target = capture.final_url or capture.url
    with blob_open(capture.warc) as handle:
        for record in ArchiveIterator(handle):
            if (
                record.rec_type == "response"
                and record.rec_headers.get_header("WARC-Target-URI") == target
            ):
                data: bytes = record.content_stream().read(MAX_PAGE_BYTES)
                return data
    return b""


def page_links(capture: Capture) -> list[dict[str, str]]:
    """The page's links to other pages (absolute, http/https, without fragments), in order."""
    data = _page_bytes(capture)
    if not data.strip():
        return []
    try:
        root = html.document_fromstring(data)
    except (etree.ParserError, ValueError):
        return []
    base = capture.final_url or capture.url
    seen: set[str] = {base}
    links: list[dict[str, str]] = []
    anchor: html.HtmlElement
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href:
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("http", "https"):
            continue
        url = urlunsplit(parts._replace(fragment=""))
        if url in seen:
            continue
        seen.add(url)
        text = " ".join(anchor.text_content().split())[:300]
        links.append({"url": url[:2048], "text": text})
        if len(links) >= MAX_LINKS:
            break
    return links


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _reservation_missing(watch: Watch, capture: Capture) -> bool:
    if capture.http_status is not None and capture.http_status >= 400:
        return True
    if watch.reservation_text:
        return _normalised(watch.reservation_text) not in _normalised(capture.text)
    # Without the exact wording, a reservation page must at least still speak of AI training.
    return not any(
        ai_wording(line, languages=_languages(watch)) for line in capture.text.splitlines()
    )


def _languages(watch: Watch) -> list[str]:
    return list(dict.fromkeys([watch.language, TermsLanguage.EN]))


def _ai_lines(watch: Watch, diff_lines: list[str]) -> list[dict[str, str]]:
    found = []
    for line in diff_lines:
        if line.startswith(("+++", "---")) or not line.startswith(("+", "-")):
            continue
        change = "added" if line.startswith("+") else "removed"
        for hit in ai_wording(line[1:], languages=_languages(watch)):
            found.append(
                {
                    "change": change,
                    "line": line[1:][:1000],
                    "language": hit.language,
                    "topic": hit.topic,
                    "term": hit.term,
                }
            )
    return found


def _previous_links(watch: Watch, capture: Capture) -> list[dict[str, str]] | None:
    previous = (
        WatchCheck.objects.for_label(watch.label)
        .filter(watch=watch)
        .exclude(outcome=WatchCheck.Outcome.FAILED)
        .exclude(capture=capture)
        .order_by("-created_at", "-id")
        .first()
    )
    return previous.links if previous is not None else None


def _stamp(capture: Capture | None) -> str:
    if capture is None or capture.captured_at is None:
        return "previous"
    return capture.captured_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _check_failed(watch: Watch, capture: Capture) -> WatchCheck:
    check: WatchCheck = WatchCheck.objects.create(
        label=watch.label,
        watch=watch,
        capture=capture,
        outcome=WatchCheck.Outcome.FAILED,
        error=capture.error or capture.error_code,
    )
    alert_raise(
        label=watch.label,
        kind=Alert.Kind.CAPTURE_FAILED,
        key=f"capture_failed:{watch.code}",
        message=_("The capture of the watched page %(name)s (%(url)s) failed: %(error)s")
        % {"name": watch.name, "url": watch.url, "error": check.error or "-"},
        subject=watch,
    )
    return check


def _check_done(watch: Watch, capture: Capture) -> WatchCheck:
    previous = capture.previous
    check = WatchCheck(label=watch.label, watch=watch, capture=capture, previous=previous)
    if previous is None:
        check.outcome = WatchCheck.Outcome.FIRST
    else:
        diff = text_diff(
            previous.text, capture.text, old_name=_stamp(previous), new_name=_stamp(capture)
        )
        check.diff = "\n".join(diff.lines)
        check.diff_truncated = diff.truncated
        check.lines_added, check.lines_removed = diff.added, diff.removed
        check.outcome = WatchCheck.Outcome.CHANGED if diff.changed else WatchCheck.Outcome.UNCHANGED
        if watch.purpose in _TERMS:
            check.ai_wording = _ai_lines(watch, diff.lines)
    if watch.purpose == WatchPurpose.OWN_TERMS:
        check.reservation_missing = _reservation_missing(watch, capture)
    if watch.purpose == WatchPurpose.SAVED_SEARCH:
        check.links = page_links(capture)
        before = _previous_links(watch, capture)
        if before is not None:
            known = {link["url"] for link in before}
            check.new_links = [link for link in check.links if link["url"] not in known]
    check.save()
    return check


def _alert_message(watch: Watch, check: WatchCheck) -> str:
    lines = [
        _(
            "The watched page %(name)s (%(url)s) changed: %(added)d lines added, "
            "%(removed)d removed."
        )
        % {
            "name": watch.name,
            "url": watch.url,
            "added": check.lines_added,
            "removed": check.lines_removed,
        }
    ]
    if check.ai_wording:
        lines.append(_("Wording about AI training changed:"))
        for hit in check.ai_wording[:10]:
            sign = "+" if hit["change"] == "added" else "-"
            lines.append(f"{sign} {hit['line'][:300]}")
    diff = check.diff.splitlines()
    if diff:
        lines.append("")
        lines.extend(diff[:ALERT_DIFF_LINES])
        if len(diff) > ALERT_DIFF_LINES:
            lines.append("…")
    return "\n".join(lines)


def _raise_for(watch: Watch, check: WatchCheck) -> None:
    label = watch.label
    if watch.purpose in _TERMS and check.outcome == WatchCheck.Outcome.CHANGED:
        alert_raise(
            label=label,
            kind=Alert.Kind.WATCH_CHANGED,
            key=f"watch_changed:{check.code}",
            message=_alert_message(watch, check),
            subject=check,
        )
    if check.reservation_missing:
        alert_raise(
            label=label,
            kind=Alert.Kind.WATCH_CHANGED,
            key=f"watch_reservation:{watch.code}",
            message=_("Our reservation is no longer published on %(name)s (%(url)s).")
            % {"name": watch.name, "url": watch.url},
            subject=check,
        )
    if check.new_links:
        listed = "\n".join(
            f"- {link['text'] or link['url']}: {link['url']}" for link in check.new_links[:20]
        )
        alert_raise(
            label=label,
            kind=Alert.Kind.WATCH_CHANGED,
            key=f"watch_changed:{check.code}",
            message=_("%(count)d new results for the saved search %(name)s:")
            % {"count": len(check.new_links), "name": watch.name}
            + "\n"
            + listed,
            subject=check,
        )
    if (
        check.ai_wording
        and watch.partner is not None
        and watch.purpose in (WatchPurpose.PARTNER_TERMS, WatchPurpose.TOOL_TERMS)
    ):
        partner_risk_raise(
            partner=watch.partner,
            source="terms_change",
            reason=_risk_reason(watch, check.ai_wording),
            subject=check,
        )


def _risk_reason(watch: Watch, hits: list[dict[str, str]]) -> str:
    """Why the partner is flagged: the wording added, or taken out (a promise withdrawn is
    as much a risk as a new licence), quoting a line that is on the page now if any."""
    changes = {hit["change"] for hit in hits}
    added = [hit for hit in hits if hit["change"] == "added"]
    values = {"url": watch.url, "line": (added or hits)[0]["line"][:300]}
    if changes == {"removed"}:
        return _("Its terms (%(url)s) removed wording about AI training: “%(line)s”") % values
    if changes == {"added"}:
        return _("Its terms (%(url)s) added wording about AI training: “%(line)s”") % values
    return _("Its terms (%(url)s) changed wording about AI training: “%(line)s”") % values


def watch_check_record(*, watch: Watch, capture: Capture) -> WatchCheck:
    """Record what ``capture`` (finished) shows about ``watch``; once per capture."""
    existing: WatchCheck | None = (
        WatchCheck.objects.for_label(watch.label).filter(watch=watch, capture=capture).first()
    )
    if existing is not None:
        return existing
    if capture.status == Capture.Status.FAILED:
        check = _check_failed(watch, capture)
    else:
        check = _check_done(watch, capture)
        _raise_for(watch, check)
    ledger_append(
        label=watch.label,
        actor=None,
        action="watch.checked",
        subject=check,
        data={
            "watch": str(watch.code),
            "capture": str(capture.code),
            "outcome": check.outcome,
            "lines_added": check.lines_added,
            "lines_removed": check.lines_removed,
            "ai_wording": len(check.ai_wording),
            "reservation_missing": check.reservation_missing,
            "new_links": len(check.new_links),
        },
    )
    return check


def watch_capture_finished(capture: Capture) -> None:
    """The capture-finished hook: a capture of a watch's schedule becomes a check. A failure
    here is logged and never undoes the capture (the evidence matters more than the alert)."""
    if capture.schedule_id is None:
        return
    watch: Watch | None = (
        Watch.objects.for_label(capture.label)
        .select_related("label", "partner")
        .filter(schedule_id=capture.schedule_id)
        .first()
    )
    if watch is None:
        return
    try:
        with transaction.atomic():
            watch_check_record(watch=watch, capture=capture)
    except Exception:
        logger.exception("Could not compare capture %s for watch %s", capture.code, watch.code)
