"""What a takedown notice states, gathered from its matter when it is drafted.

Everything the PDF and the Lumen export print comes from here and is frozen on the takedown
(``Takedown.facts``): a later edit of the catalog or the matter never changes a letter that
was approved or sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from catalog.models import Consent, Recording, RecordingPerformer
from evidence.models import Capture, Matter
from evidence.selectors import matter_items
from optout.models import Label, LedgerEntry
from optout.policy.services.policy import policy_current

# The machine-readable signals the label publishes under /s/<slug>/ once a policy version
# is approved (optout/policy/public_urls.py), and the page that states the terms.
SIGNALS: dict[str, tuple[str, str]] = {
    "robots_txt": ("robots.txt", "robots.txt"),
    "ai_txt": ("ai.txt", "ai.txt"),
    "tdmrep": ("TDMRep (W3C TDM Reservation Protocol)", ".well-known/tdmrep.json"),
    "rsl": ("RSL licence", "license.xml"),
    "terms": ("Published terms", "terms/"),
}
SIGNAL_CHOICES = [(key, name) for key, (name, _path) in SIGNALS.items()]
# Ledger actions that date the reservation: when terms and signals were published.
PUBLICATION_ACTIONS = ("policy.approved", "terms.approved", "terms.published")
MAX_CAPTURES = 20
MAX_LEDGER = 30


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _recording_row(recording: Recording) -> dict[str, str]:
    return {
        "code": str(recording.code),
        "isrc": recording.isrc or "",
        "title": recording.title,
        "artist": recording.display_artist,
    }


def _performers(label: Label, recordings: Iterable[Recording]) -> list[dict[str, Any]]:
    """Every performer of the recordings, vocalists first, with the consent on file (a voice
    release naming the performer and the recording) or its absence."""
    rows: list[dict[str, Any]] = []
    for recording in recordings:
        performers = (
            RecordingPerformer.objects.for_label(label)
            .filter(recording=recording)
            .select_related("party")
            .order_by("role", "party__name")
        )
        for performer in performers:
            consents = (
                Consent.objects.for_label(label)
                .filter(recordings=recording, party=performer.party)
                .order_by("-granted_on")
            )
            rows.append(
                {
                    "recording": recording.isrc or recording.title,
                    "name": performer.party.name,
                    "role": performer.get_role_display(),
                    "vocal": performer.role in RecordingPerformer.VOCAL_ROLES,
                    "consents": [
                        {
                            "title": c.title,
                            "kind": c.get_kind_display(),
                            "granted_on": _iso(c.granted_on),
                            "expires_on": _iso(c.expires_on),
                            "scope": c.scope,
                        }
                        for c in consents
                    ],
                }
            )
    rows.sort(key=lambda r: (not r["vocal"], r["name"]))
    return rows


def _captures(matter: Matter) -> tuple[list[dict[str, str]], list[str]]:
    """The matter's captures (URL, when, SHA-256) and the infringing URLs they show."""
    rows, infringing = [], []
    for item in matter_items(matter=matter, include_withdrawn=False).select_related("blob"):
        if item.source_key != "capture":
            continue
        purpose = str(item.provenance.get("purpose", ""))
        rows.append(
            {
                "url": item.source_url,
                "captured_at": _iso(item.recorded_at),
                "purpose": purpose,
                "sha256": item.blob.sha256,
                "title": item.title,
            }
        )
        if purpose in ("infringing_listing", "other") and item.source_url:
            infringing.append(item.source_url)
    return rows, infringing


def _terms_captures(label: Label) -> list[dict[str, str]]:
    captures = (
        Capture.objects.for_label(label)
        .filter(purpose="own_terms", status=Capture.Status.DONE)
        .order_by("-captured_at")[:MAX_CAPTURES]
    )
    return [{"url": c.url, "captured_at": _iso(c.captured_at)} for c in captures]


def _publications(label: Label) -> list[dict[str, str]]:
    entries = (
        LedgerEntry.objects.for_label(label)
        .filter(action__in=PUBLICATION_ACTIONS)
        .order_by("-seq")[:MAX_LEDGER]
    )
    return [
        {
            "action": e.action,
            "at": _iso(e.recorded_at),
            "what": e.object_repr,
            "seq": str(e.seq),
            "entry_hash": e.entry_hash,
        }
        for e in reversed(list(entries))
    ]


def _reservation(label: Label) -> dict[str, Any]:
    policy = policy_current(label=label)
    if policy is None:
        return {}
    return {
        "version": policy.number or 0,
        "approved_at": _iso(policy.approved_at),
        "effective_date": _iso(policy.effective_date),
        "blocked_purposes": list(policy.blocked_purposes or []),
    }


def _signals(label: Label, keys: Iterable[str], approved_at: str) -> list[dict[str, str]]:
    base = f"{settings.OPTOUT_BASE_URL}/s/{label.slug}/"
    return [
        {
            "key": key,
            "name": SIGNALS[key][0],
            "url": base + SIGNALS[key][1],
            "published_at": approved_at,
        }
        for key in keys
        if key in SIGNALS
    ]


def dedup(urls: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for url in urls:
        if url and url not in seen:
            seen[url] = None
    return list(seen)


def takedown_facts_gather(
    *,
    matter: Matter,
    recordings: list[Recording],
    infringing_urls: list[str],
    signals: list[str],
) -> dict[str, Any]:
    """The facts a takedown states, from the matter, the catalog, the policy and the ledger."""
    label = matter.label
    chosen = recordings or list(matter.recordings.order_by("title", "isrc"))
    captures, captured_urls = _captures(matter)
    reservation = _reservation(label)
    return {
        "sender": {
            "name": label.legal_name or label.name,
            "address": label.address,
            "email": label.contact_email or settings.DEFAULT_FROM_EMAIL,
        },
        "matter": {
            "code": str(matter.code),
            "title": matter.title,
            "target_platform": matter.target_platform,
            "target_company": matter.target_company,
            "territory": matter.territory,
        },
        "recordings": [_recording_row(r) for r in chosen],
        "works": [{"title": w.title, "iswc": w.iswc or ""} for w in matter.works.order_by("title")],
        "infringing_urls": dedup(
            [*infringing_urls, *captured_urls, *([matter.target_url] if matter.target_url else [])]
        ),
        "captures": captures,
        "terms_captures": _terms_captures(label),
        "publications": _publications(label),
        "reservation": reservation,
        "signals": _signals(label, signals, reservation.get("approved_at", "")),
        "performers": _performers(label, chosen),
    }
