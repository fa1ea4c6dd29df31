"""The territory map: seeded regions, label copies, and a release's territory checklist.

``territory_checklist`` is what the catalog's release page calls (the catalog is a higher
layer: it imports this module, never the other way round).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from optout.models import Label, User
from optout.policy.compilers import Use
from optout.policy.compilers.vocab import AI_USES
from optout.policy.models import SignalKind, TermsText, Territory, TerritoryNote
from optout.policy.services.policy import policy_current, policy_spec
from optout.services.ledger import ledger_append

WORLDWIDE = "Worldwide"
# Codes DDEX allows beside ISO 3166-1 (standards.md 2.7).
_EXTRA_CODES = {"XK", "AN", "CS", "ES-CE", "ES-CN", "ES-ML"}
EDITABLE = (
    "reading",
    "legal_hook",
    "required_signals",
    "recommended_signals",
    "disclosure",
    "notice_route",
    "checklist",
)


def valid_territory_code(code: str) -> bool:
    return (
        code == WORLDWIDE
        or code in _EXTRA_CODES
        or (len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) is not None)
    )


STATUS_MISSING = "missing"
STATUS_CHECK = "check"
STATUS_OK = "ok"


@dataclass(frozen=True)
class SignalStatus:
    kind: str
    name: str | Promise
    met: bool | None
    """True: in place; False: missing; None: this app cannot tell (kept elsewhere)."""
    detail: str


@dataclass(frozen=True)
class TerritoryEntry:
    key: str
    name: str
    countries: tuple[str, ...]
    """The region's countries that the release (or the query) covers."""
    reading: str
    legal_hook: str
    required: tuple[SignalStatus, ...]
    recommended: tuple[SignalStatus, ...]
    disclosure: str
    notice_route: str
    checklist: tuple[str, ...]
    customised: bool
    reviewed_on: Any
    sources: str

    @property
    def missing(self) -> tuple[SignalStatus, ...]:
        return tuple(s for s in self.required if s.met is False)

    @property
    def to_check(self) -> tuple[SignalStatus, ...]:
        return tuple(s for s in self.required if s.met is None)

    @property
    def status(self) -> str:
        """``missing`` (a required signal is not in place), ``check`` (one is kept outside
        this app: look at it there) or ``ok`` (every required signal is in place)."""
        if self.missing:
            return STATUS_MISSING
        if self.to_check:
            return STATUS_CHECK
        return STATUS_OK


@dataclass(frozen=True)
class TerritoryChecklist:
    entries: tuple[TerritoryEntry, ...]
    unmapped: tuple[str, ...] = field(default_factory=tuple)
    """Covered countries no region of the map speaks about."""

    @property
    def missing(self) -> list[tuple[TerritoryEntry, SignalStatus]]:
        return [(e, s) for e in self.entries for s in e.required if s.met is False]

    @property
    def matrix(self) -> TerritoryMatrix:
        return territory_matrix(self.entries)


@dataclass(frozen=True)
class MatrixRow:
    entry: TerritoryEntry
    cells: tuple[str, ...]
    """Per column: ``missing``, ``check``, ``ok`` for a required signal, ``""`` otherwise."""


@dataclass(frozen=True)
class TerritoryMatrix:
    """Regions by the signals they require, for a summary table; details stay per entry."""

    columns: tuple[tuple[str, str | Promise], ...]
    """(signal kind, its name) for every signal some region requires, in the list's order."""
    rows: tuple[MatrixRow, ...]

    @property
    def counts(self) -> dict[str, int]:
        """How many regions are in each status."""
        found = {STATUS_MISSING: 0, STATUS_CHECK: 0, STATUS_OK: 0}
        for row in self.rows:
            found[row.entry.status] += 1
        return found


def _cell(status: SignalStatus) -> str:
    if status.met is True:
        return STATUS_OK
    return STATUS_MISSING if status.met is False else STATUS_CHECK


def territory_matrix(entries: Sequence[TerritoryEntry]) -> TerritoryMatrix:
    """The summary of a map or a checklist: one row per region, one column per signal kind."""
    required = {s.kind for e in entries for s in e.required}
    columns = tuple((k, SignalKind(k).label) for k in SignalKind.values if k in required)
    rows = []
    for entry in entries:
        by_kind = {s.kind: _cell(s) for s in entry.required}
        rows.append(MatrixRow(entry=entry, cells=tuple(by_kind.get(k, "") for k, _name in columns)))
    return TerritoryMatrix(columns=columns, rows=tuple(rows))


class _LabelSignals:
    """What the label has in place, worked out once per checklist."""

    def __init__(self, label: Label) -> None:
        current = policy_current(label=label)
        spec = policy_spec(current) if current else None
        self.ai_reserved = bool(spec and any(spec.stances[u].restricts for u in AI_USES))
        self.tdm_reserved = bool(spec and spec.stances[Use.TDM].restricts)
        self.blocks = bool(spec and spec.blocked_purposes)
        self.languages = set(
            TermsText.objects.for_label(label)
            .filter(channel="website", status=TermsText.Status.APPROVED)
            .values_list("language", flat=True)
        )

    def status(self, kind: str, region: Territory) -> SignalStatus:
        name = SignalKind(kind).label
        if kind == SignalKind.TERMS:
            wanted = set(region.terms_languages)
            have = self.languages & wanted if wanted else self.languages
            if have:
                return SignalStatus(
                    kind,
                    name,
                    True,
                    _("Approved web-site terms: %(langs)s.") % {"langs": ", ".join(sorted(have))},
                )
            return SignalStatus(
                kind,
                name,
                False,
                _("No approved web-site terms in %(langs)s yet.")
                % {"langs": ", ".join(sorted(wanted)) or _("any language")},
            )
        if kind in {SignalKind.ROBOTS, SignalKind.AI_TXT}:
            ok = self.blocks if kind == SignalKind.ROBOTS else self.ai_reserved
            return SignalStatus(
                kind,
                name,
                ok,
                _("Generated from the policy and hosted; install it on your sites (Signals).")
                if ok
                else _("The policy in force refuses no AI crawler."),
            )
        if kind in {SignalKind.TDMREP, SignalKind.CONTENT_USAGE, SignalKind.RSL}:
            ok = self.tdm_reserved if kind == SignalKind.TDMREP else self.ai_reserved
            return SignalStatus(
                kind,
                name,
                ok,
                _("Generated from the policy and hosted; install it on your sites (Signals).")
                if ok
                else _("The policy in force reserves no use this signal carries."),
            )
        return SignalStatus(
            kind, name, None, _("Kept in the catalog and partner records; check it there.")
        )


def _fields(region: Territory, note: TerritoryNote | None) -> dict[str, Any]:
    source: Any = note or region
    return {name: getattr(source, name) for name in EDITABLE}


def _entry(
    region: Territory, note: TerritoryNote | None, covered: Sequence[str], signals: _LabelSignals
) -> TerritoryEntry:
    values = _fields(region, note)
    return TerritoryEntry(
        key=region.key,
        name=region.display_name,
        countries=tuple(covered),
        reading=values["reading"],
        legal_hook=values["legal_hook"],
        required=tuple(signals.status(k, region) for k in values["required_signals"]),
        recommended=tuple(signals.status(k, region) for k in values["recommended_signals"]),
        disclosure=values["disclosure"],
        notice_route=values["notice_route"],
        checklist=tuple(values["checklist"]),
        customised=note is not None,
        reviewed_on=region.reviewed_on,
        sources=region.sources,
    )


def _notes(label: Label) -> dict[int, TerritoryNote]:
    return {n.territory_id: n for n in TerritoryNote.objects.for_label(label)}


def territory_map(*, label: Label) -> list[TerritoryEntry]:
    """Every region as the label sees it (its own copy where it made one)."""
    signals = _LabelSignals(label)
    notes = _notes(label)
    return [_entry(r, notes.get(r.pk), r.countries, signals) for r in Territory.objects.all()]


def territory_checklist(
    *, label: Label, territories: Iterable[str], excluded: Iterable[str] = ()
) -> TerritoryChecklist:
    """The regions (and what each asks for) that a release's territories touch.

    ``territories`` are ISO 3166-1 alpha-2 codes (or ``"Worldwide"``); ``excluded`` removes
    countries, as DDEX's ``ExcludedTerritoryCode`` does after ``Worldwide``.
    """
    wanted = [t.strip() for t in territories if t and t.strip()]
    removed = {t.strip() for t in excluded if t and t.strip()}
    bad = sorted({t for t in [*wanted, *removed] if not valid_territory_code(t)})
    if bad:
        raise ValidationError(
            {
                "territories": _(
                    "Not territory codes: %(codes)s. Use ISO 3166-1 codes (GB, not UK) or "
                    "“Worldwide”."
                )
                % {"codes": ", ".join(bad)}
            }
        )
    if not wanted:
        raise ValidationError({"territories": _("Name at least one territory.")})
    signals = _LabelSignals(label)
    notes = _notes(label)
    worldwide = WORLDWIDE in wanted
    covered_all: set[str] = set()
    entries = []
    for region in Territory.objects.all():
        countries = [c for c in region.countries if (worldwide or c in wanted) and c not in removed]
        if countries:
            covered_all.update(countries)
            entries.append(_entry(region, notes.get(region.pk), countries, signals))
    named = {t for t in wanted if t != WORLDWIDE} - removed
    return TerritoryChecklist(entries=tuple(entries), unmapped=tuple(sorted(named - covered_all)))


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name in ("reading", "legal_hook"):
        text = str(values.get(name) or "").strip()
        if not text:
            errors[name] = [_("This field cannot be empty.")]
        cleaned[name] = text
    for name in ("disclosure", "notice_route"):
        cleaned[name] = str(values.get(name) or "").strip()
    for name in ("required_signals", "recommended_signals"):
        kinds = values.get(name) or []
        if not isinstance(kinds, list) or any(k not in SignalKind.values for k in kinds):
            errors[name] = [_("Choose signals from the list offered.")]
        cleaned[name] = list(dict.fromkeys(kinds)) if isinstance(kinds, list) else []
    overlap = set(cleaned["required_signals"]) & set(cleaned["recommended_signals"])
    if overlap and "recommended_signals" not in errors:
        errors["recommended_signals"] = [_("A signal cannot be both required and recommended.")]
    items = values.get("checklist") or []
    if not isinstance(items, list) or any(not isinstance(i, str) for i in items):
        errors["checklist"] = [_("Give the checklist as one item per line.")]
    else:
        cleaned["checklist"] = [i.strip() for i in items if i.strip()]
        if len(cleaned["checklist"]) > 50:
            errors["checklist"] = [_("Keep the checklist to 50 items.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def territory_region(*, key: str) -> Territory | None:
    return Territory.objects.filter(key=key).first()


def territory_note(*, label: Label, region: Territory) -> TerritoryNote | None:
    return TerritoryNote.objects.for_label(label).filter(territory=region).first()


@transaction.atomic
def territory_note_save(
    *, label: Label, region: Territory, actor: User, values: Mapping[str, Any]
) -> TerritoryNote:
    """Save the label's own copy of ``region`` (created from the seed on first save)."""
    cleaned = _clean(values)
    note = territory_note(label=label, region=region)
    created = note is None
    if note is None:
        note = TerritoryNote(label=label, territory=region)
    changed = (
        sorted(k for k in EDITABLE if getattr(note, k, None) != cleaned[k])
        if not created
        else sorted(k for k in EDITABLE if getattr(region, k) != cleaned[k])
    )
    for key, value in cleaned.items():
        setattr(note, key, value)
    note.updated_by = actor
    note.save()
    ledger_append(
        label=label,
        actor=actor,
        action="territory.customised",
        subject=note,
        data={"territory": region.key, "fields": changed, "created": created},
    )
    return note


@transaction.atomic
def territory_note_reset(*, note: TerritoryNote, actor: User) -> None:
    ledger_append(
        label=note.label,
        actor=actor,
        action="territory.reset",
        subject=note,
        data={"territory": note.territory.key},
    )
    note.delete()
