"""The catalog's protection-coverage checks and flags (see ``docs/coverage.md``).

Each function answers for all of a label's recordings (``ids`` None) or the few named, in
a handful of queries; ``optout.services.coverage`` runs them from the registry.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.identifiers import _ISRC_PREFIXES, _ISRC_STORED, WORLDWIDE
from catalog.models import (
    Consent,
    Contract,
    Master,
    MasterTaggedCopy,
    Partner,
    Recording,
    RecordingPerformer,
    Release,
    ReleaseTrack,
)
from catalog.selectors.risks import DECIDED, partners_at_risk
from optout.coverage import CheckOutcome
from optout.models import Label
from optout.policy.models import Territory
from optout.policy.services.signing import reservation_for_embedding
from optout.policy.services.territories import territory_map


def _recordings(label: Label, ids: Collection[int] | None) -> QuerySet[Recording]:
    # No ordering: these are sets, and sorting 500,000 titles costs more than the check.
    rows = Recording.objects.for_label(label).order_by()
    return rows if ids is None else rows.filter(pk__in=list(ids))


def _named(ids: Collection[int] | None) -> bool:
    return ids is not None


# --- the catalog's shape, for the core -------------------------------------------------------


def coverage_recording_ids(label: Label) -> list[int]:
    return list(Recording.objects.for_label(label).order_by("pk").values_list("pk", flat=True))


def coverage_release_tracks(label: Label) -> list[tuple[int, str, str, int]]:
    return [
        (release_id, str(code), title, recording_id)
        for release_id, code, title, recording_id in ReleaseTrack.objects.for_label(label)
        .order_by()
        .values_list("release_id", "release__code", "release__title", "recording_id")
    ]


def _release_regions(
    label: Label, recording_ids: Collection[int] | None = None
) -> tuple[list[Territory], dict[int, set[str]]]:
    """The map's regions, and for each release with territories the regions it is sold in
    (only the releases carrying ``recording_ids`` when named)."""
    regions = list(Territory.objects.all())
    touched: dict[int, set[str]] = {}
    releases = Release.objects.for_label(label).order_by()
    if recording_ids is not None:
        releases = releases.filter(
            pk__in=ReleaseTrack.objects.for_label(label)
            .filter(recording_id__in=list(recording_ids))
            .values("release_id")
        )
    for release_id, territories, excluded in releases.values_list(
        "pk", "territories", "excluded_territories"
    ):
        wanted = {str(t).strip() for t in territories or [] if str(t).strip()}
        if not wanted:
            continue
        removed = {str(t).strip() for t in excluded or []}
        worldwide = WORLDWIDE in wanted
        touched[release_id] = {
            r.key
            for r in regions
            if any((worldwide or c in wanted) and c not in removed for c in r.countries)
        }
    return regions, touched


def _release_recordings(
    label: Label, releases: Collection[int] | None = None
) -> dict[int, set[int]]:
    tracks = ReleaseTrack.objects.for_label(label).order_by()
    if releases is not None:
        tracks = tracks.filter(release_id__in=list(releases))
    found: dict[int, set[int]] = {}
    for release_id, recording_id in tracks.values_list("release_id", "recording_id"):
        found.setdefault(release_id, set()).add(recording_id)
    return found


def coverage_recording_regions(label: Label) -> list[tuple[str, str, set[int]]]:
    regions, touched = _release_regions(label)
    tracks = _release_recordings(label)
    sold: dict[str, set[int]] = {r.key: set() for r in regions}
    for release_id, keys in touched.items():
        for key in keys:
            sold[key] |= tracks.get(release_id, set())
    return [(r.key, r.name, sold[r.key]) for r in regions]


def coverage_recording_facts(label: Label, ids: list[int]) -> dict[int, tuple[str, str, str]]:
    found: dict[int, tuple[str, str, str]] = {}
    for start in range(0, len(ids), 5000):
        for pk, code, isrc, title in (
            Recording.objects.for_label(label)
            .order_by()
            .filter(pk__in=ids[start : start + 5000])
            .values_list("pk", "code", "isrc", "title")
        ):
            found[pk] = (str(code), isrc, title)
    return found


# --- checks -----------------------------------------------------------------------------


def check_master(label: Label, ids: Collection[int] | None) -> CheckOutcome:
    """A current master, ready, its stored bytes verified against the upload's hash."""
    masters = (
        Master.objects.for_label(label)
        .order_by()
        .filter(is_current=True, status=Master.Status.READY, verified_at__isnull=False)
    )
    if ids is not None:
        masters = masters.filter(recording_id__in=list(ids))
    outcome = CheckOutcome(passed=set())
    for recording_id, verified_at in masters.values_list("recording_id", "verified_at"):
        outcome.passed.add(recording_id)
        outcome.dates[recording_id] = verified_at
    if _named(ids):
        for rid in ids or ():
            outcome.details[rid] = (
                _("Current master verified.")
                if rid in outcome.passed
                else _("No verified current master: upload one.")
            )
    return outcome


def check_tagged(label: Label, ids: Collection[int] | None) -> CheckOutcome | None:
    """A ready rights-tagged copy of the current master carrying the policy in force."""
    embedding = reservation_for_embedding(label=label)
    if embedding is None:
        return None  # no policy in force: nothing to be current with yet
    copies = (
        MasterTaggedCopy.objects.for_label(label)
        .order_by()
        .filter(
            master__is_current=True,
            status=MasterTaggedCopy.Status.READY,
            metadata__reservation_note=embedding.note,
        )
    )
    if ids is not None:
        copies = copies.filter(master__recording_id__in=list(ids))
    outcome = CheckOutcome(passed=set())
    for recording_id, finished_at in copies.values_list("master__recording_id", "finished_at"):
        outcome.passed.add(recording_id)
        previous = outcome.dates.get(recording_id)
        if previous is None or (finished_at is not None and finished_at > previous):
            outcome.dates[recording_id] = finished_at
    if _named(ids):
        for rid in ids or ():
            outcome.details[rid] = (
                _("A tagged copy carries the policy in force.")
                if rid in outcome.passed
                else _("No tagged copy of the current master carries the policy in force.")
            )
    return outcome


def _isrc_valid(value: str) -> bool:
    return bool(_ISRC_STORED.match(value or "")) and value[:2] in _ISRC_PREFIXES


def check_isrc(label: Label, ids: Collection[int] | None) -> CheckOutcome:
    outcome = CheckOutcome(passed=set())
    for pk, isrc in _recordings(label, ids).values_list("pk", "isrc"):
        valid = _isrc_valid(isrc)
        if valid:
            outcome.passed.add(pk)
        if _named(ids):
            outcome.details[pk] = (
                _("ISRC %(isrc)s is valid.") % {"isrc": isrc}
                if valid
                else (
                    _("No ISRC.") if not isrc else _("ISRC %(isrc)s is not valid.") % {"isrc": isrc}
                )
            )
    return outcome


def check_work(label: Label, ids: Collection[int] | None) -> CheckOutcome:
    outcome = CheckOutcome(passed=set())
    rows = _recordings(label, ids).values_list("pk", "work_id", "work__iswc")
    for pk, work_id, iswc in rows:
        if work_id and iswc:
            outcome.passed.add(pk)
        if _named(ids):
            outcome.details[pk] = (
                _("Linked to a work with ISWC.")
                if work_id and iswc
                else (_("Linked to a work without ISWC.") if work_id else _("No work linked."))
            )
    return outcome


def _uncovered_performers(label: Label, *, vocal: bool) -> QuerySet[RecordingPerformer]:
    performers = RecordingPerformer.objects.for_label(label).filter(recording=OuterRef("pk"))
    if not vocal:
        return performers.exclude(Exists(_covering_one(label, "ai_training")))
    consent = Consent.objects.for_label(label).filter(
        kind=Consent.Kind.VOICE_RELEASE,
        party=OuterRef("party_id"),
        recordings=OuterRef("recording_id"),
    )
    return (
        performers.filter(role__in=RecordingPerformer.VOCAL_ROLES)
        .exclude(Exists(_covering_one(label, "ai_voice")))
        .exclude(Exists(consent))
    )


def _covering_one(label: Label, clause: str) -> QuerySet[Contract]:
    """As ``_covering`` for a performer row (the outer query)."""
    recording = OuterRef("recording_id")
    return (
        Contract.objects.for_label(label)
        .filter(**{f"{clause}__in": DECIDED}, parties=OuterRef("party_id"))
        .filter(
            Q(recordings=recording)
            | Q(releases__tracks__recording=recording)
            | Q(works=OuterRef("recording__work_id"))
        )
    )


def voice_not_covered_ids(label: Label, ids: Collection[int] | None = None) -> set[int]:
    """Recordings with a vocalist whom neither a decided voice clause nor a voice-release
    consent covers (the *voice not covered* flag)."""
    rows = _recordings(label, ids).filter(Exists(_uncovered_performers(label, vocal=True)))
    return set(rows.values_list("pk", flat=True))


def check_contributors(label: Label, ids: Collection[int] | None) -> CheckOutcome:
    """Every performer is party to a contract covering the recording that decides AI
    training, and every vocalist is covered for voice by a contract or a consent."""
    performers = RecordingPerformer.objects.for_label(label).filter(recording=OuterRef("pk"))
    rows = (
        _recordings(label, ids)
        .filter(Exists(performers))
        .exclude(Exists(_uncovered_performers(label, vocal=False)))
        .exclude(Exists(_uncovered_performers(label, vocal=True)))
    )
    outcome = CheckOutcome(passed=set(rows.values_list("pk", flat=True)))
    if _named(ids):
        named = list(ids or ())
        with_performers = set(
            RecordingPerformer.objects.for_label(label)
            .order_by()
            .filter(recording_id__in=named)
            .values_list("recording_id", flat=True)
        )
        voice = voice_not_covered_ids(label, named)
        for rid in named:
            if rid in outcome.passed:
                outcome.details[rid] = _("Every contributor's AI and voice rights are decided.")
            elif rid not in with_performers:
                outcome.details[rid] = _("No contributors named.")
            elif rid in voice:
                outcome.details[rid] = _("A vocalist has no voice clause or consent.")
            else:
                outcome.details[rid] = _("A contributor has no contract deciding AI training.")
    return outcome


def check_territories(label: Label, ids: Collection[int] | None) -> CheckOutcome:
    """For every region the recording's releases are sold in, every required signal of the
    territory checklist is in place. Recordings sold nowhere yet are left out."""
    failing_regions = {
        entry.key
        for entry in territory_map(label=label)
        if any(s.met is False for s in entry.required)
    }
    touched = _release_regions(label, ids)[1]
    tracks = _release_recordings(label, touched.keys())
    applicable: set[int] = set()
    failed: set[int] = set()
    for release_id, keys in touched.items():
        recordings = tracks.get(release_id, set())
        applicable |= recordings
        if keys & failing_regions:
            failed |= recordings
    if ids is not None:
        applicable &= set(ids)
    outcome = CheckOutcome(passed=applicable - failed, applicable=applicable)
    if _named(ids):
        for rid in applicable:
            outcome.details[rid] = (
                _("Every region it is sold in has its required signals.")
                if rid in outcome.passed
                else _("A region it is sold in misses a required signal.")
            )
    return outcome


# --- flags ------------------------------------------------------------------------------


def silent_sublicensing_ids(label: Label) -> set[int]:
    """Recordings on releases carried by a partner at risk of passing the catalog on."""
    risky = partners_at_risk(label=label).values("pk")
    releases = Partner.releases.through.objects.filter(partner_id__in=risky).values("release_id")
    return set(
        ReleaseTrack.objects.for_label(label)
        .order_by()
        .filter(release_id__in=releases)
        .values_list("recording_id", flat=True)
    )


def flag_silent_sublicensing(
    label: Label, passed: dict[str, set[int]], failing: dict[str, set[int]], ids: set[int]
) -> int:
    return len(silent_sublicensing_ids(label) & ids)


def flag_voice_not_covered(
    label: Label, passed: dict[str, set[int]], failing: dict[str, set[int]], ids: set[int]
) -> int:
    return len(voice_not_covered_ids(label) & ids)


def document_step_done(label: Label) -> bool:
    return Master.objects.for_label(label).filter(is_current=True).exists()


def url(name: str, label: Label, **kwargs: Any) -> str:
    return reverse(name, kwargs={"slug": label.slug, **kwargs})
