"""Search and filters of every catalog list: one FilterSet per kind, used by the pages
and the API alike.

Filters that name another record take its code and match within the already
label-scoped queryset, so another label's code finds nothing (and reveals nothing).
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, CharField, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.entities import ENTITIES, Entity
from catalog.models import (
    AIClause,
    AIDisclosure,
    Consent,
    Contract,
    ContributionRecord,
    MarketNote,
    Partner,
    Party,
    PartyRole,
    Recording,
    Release,
    ReleaseTrack,
    ToolTerms,
    Work,
)
from catalog.selectors import risks
from optout.lib.sql import TableSQL
from optout.models import Label

YES_NO = (("yes", _("Yes")), ("no", _("No")))


# Recordings search title and artist through one expression, the one the trigram index
# of migration 0004 is built on.
RECORDING_SEARCH_TEXT = TableSQL(
    "UPPER({table}.title || ' ' || {table}.display_artist)", output_field=CharField()
)


# The words match on the stored full-text document of migration 0010.
RECORDING_WORDS_MATCH = (
    "{table}.search_document @@ to_tsquery('simple'::regconfig, optout_unaccent(%s))"
)
# The same match for the walk of the title order: a row whose word signature (migration
# 0015) lacks a bit the words need is passed without reading its document. CASE keeps that
# order (PostgreSQL would otherwise put the cheaper-looking document test first).
RECORDING_WORDS_WALK = (
    f"CASE WHEN {{table}}.search_signature & %s = %s THEN {RECORDING_WORDS_MATCH} ELSE false END"
)
# Words the application reads exactly as PostgreSQL's parser and the ``simple`` dictionary
# do: one lexeme, the word in lower case. Others (accents, other scripts) add no bit.
PLAIN_WORD = re.compile(r"[a-z0-9]+")
WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 8
# A words search that is not known to be common first asks the index for up to this many
# matches. Fewer: the answer is that short list of rows. More: the words are common, and
# walking the sorted list finds a page of them within a few thousand rows. The planner
# alone cannot choose well for a word it has no statistics for (it guesses, and may walk
# the whole list for no match).
RARE_MATCHES = 2000
# Words that PostgreSQL's statistics say at least this share of the recordings hold (all
# of them together, as if independent) skip that probe: the walk of the title order finds
# a page of 50 within about 5,000 index entries, where the probe would first gather every
# match (78,000 rows for a word in one title of six at 500,000 recordings).
COMMON_SHARE = 0.01
STATISTICS_SECONDS = 600
_statistics: tuple[float, dict[str, float]] | None = None


def query_words(term: str) -> list[str] | None:
    """The words of ``term`` (letters and digits, lower case, at most ``MAX_WORDS``).

    None when ``term`` reads as a partial code instead (one token holding a digit, such as
    "SE-A02" or "1999", or no letters at all): those keep the trigram substring match.
    """
    words = WORD.findall(term.lower())[:MAX_WORDS]
    if not words or not any(ch.isalpha() for ch in "".join(words)):
        return None
    if len(term.split()) == 1 and any(ch.isdigit() for ch in term):
        return None
    return words


def _prefix(word: str) -> bool:
    # A one-letter word as a prefix would read most of the index: it is matched whole.
    return len(word) > 1


def _tsquery(words: list[str]) -> str:
    last = f"'{words[-1]}':*" if _prefix(words[-1]) else f"'{words[-1]}'"
    return " & ".join([*(f"'{w}'" for w in words[:-1]), last])


def words_tsquery(term: str) -> str | None:
    """A ``to_tsquery`` text finding every word of ``term``; the last one, which the user
    may still be typing, also as the beginning of a word. Words are letters and digits
    only, so the query needs no escaping."""
    words = query_words(term)
    return None if words is None else _tsquery(words)


def _word_shares() -> dict[str, float]:
    """PostgreSQL's most common words of the recordings' documents and the share of rows
    holding each (its statistics, renewed by ANALYZE), read at most every
    ``STATISTICS_SECONDS`` in a process. They are the whole table's, every label's."""
    global _statistics
    now = time.monotonic()
    if _statistics is not None and now - _statistics[0] < STATISTICS_SECONDS:
        return _statistics[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
            " WHERE schemaname = current_schema() AND tablename = 'catalog_recording'"
            " AND attname = 'search_document'"
        )
        row = cursor.fetchone()
    # The frequencies array ends with three summary numbers; zip stops at the words.
    shares = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    _statistics = (now, shares)
    return shares


def estimated_share(words: list[str]) -> float:
    """The share of recordings estimated to hold every one of ``words`` (the last also as
    a beginning): 0 when one of them is not among the common words."""
    shares = _word_shares()
    share = 1.0
    for word in words[:-1]:
        share *= shares.get(word, 0.0)
    last = words[-1]
    if _prefix(last):
        share *= min(1.0, sum(value for key, value in shares.items() if key.startswith(last)))
    else:
        share *= shares.get(last, 0.0)
    return share


def _words_match(tsquery: str) -> Q:
    # The SQL is a constant naming the indexed column; the query text is a bound parameter.
    return Q(TableSQL(RECORDING_WORDS_MATCH, (tsquery,), output_field=BooleanField()))


def _bit(text: str) -> int:
    # As optout_word_bit() of migration 0015: the low six bits of the MD5's first 32 bits.
    return 1 << (int(hashlib.md5(text.encode()).hexdigest()[:8], 16) & 63)  # noqa: S324


def words_mask(words: list[str]) -> int:
    """The bits of the word signature (migration 0015) that a row matching ``words``
    must have: each word's own bit, the last one's first three letters when it may be
    the beginning of a word. As a signed 64-bit number, the column's type."""
    mask = 0
    for position, word in enumerate(words):
        if not PLAIN_WORD.fullmatch(word):
            continue
        if position == len(words) - 1 and _prefix(word):
            if len(word) >= 3:
                mask |= _bit("^" + word[:3])
        else:
            mask |= _bit(word)
    return mask - (1 << 64) if mask >= 1 << 63 else mask


def _words_walk(words: list[str]) -> Q:
    """The match of ``words`` for a walk of the title order: the signature first."""
    mask = words_mask(words)
    if not mask:
        return _words_match(_tsquery(words))
    params = (mask, mask, _tsquery(words))
    return Q(TableSQL(RECORDING_WORDS_WALK, params, output_field=BooleanField()))


def _rare_matches(tsquery: str, label: Label) -> list[int] | None:
    """The ids of the label's recordings matching ``tsquery`` when there are at most
    ``RARE_MATCHES``; None when there are more.

    Asked of the full-text index only: left to itself the planner may answer "no match"
    by reading the whole table, because it has no statistics for a word it never saw.
    The settings are restored before returning (or rolled back with the savepoint).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        # No order: sorting would read every match to keep the first RARE_MATCHES + 1.
        ids = list(
            Recording.objects.for_label(label)
            .filter(_words_match(tsquery))
            .order_by()
            .values_list("pk", flat=True)[: RARE_MATCHES + 1]
        )
        cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
        cursor.execute("SET LOCAL enable_indexscan TO DEFAULT")
    return ids if len(ids) <= RARE_MATCHES else None


def _recording_text_q(term: str, label: Label) -> Q:
    if connection.vendor == "postgresql":
        words = query_words(term)
        if words is not None:
            if estimated_share(words) >= COMMON_SHARE:
                return _words_walk(words)
            rare = _rare_matches(_tsquery(words), label)
            return _words_walk(words) if rare is None else Q(pk__in=rare)
    return Q(search_text__contains=term.upper())


def search_q(entity: Entity, term: str, label: Label) -> Q:
    """Words (or a partial code) on the search fields; identifiers that normalise match
    exactly."""
    term = term.strip()
    query = Q()
    if entity.key == "recording":
        query |= _recording_text_q(term, label)
    else:
        for name in entity.search_fields:
            query |= Q(**{f"{name}__icontains": term})
    for name, normalise in entity.exact_search:
        try:
            query |= Q(**{name: normalise(term)})
        except ValidationError:
            continue
    return query


def json_list_has(field: str, value: str) -> Q:
    """Rows whose JSON list ``field`` holds ``value``."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [value]})
    return Q(**{f"{field}__icontains": f'"{value}"'})


class CatalogFilterSet(filters.FilterSet):
    entity: Entity
    label: Label
    base_filters: dict[str, filters.Filter]
    q = filters.CharFilter(label=_("Search"), method="search", max_length=200)

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value.strip():
            return queryset
        if self.entity.key == "recording":
            queryset = queryset.alias(search_text=RECORDING_SEARCH_TEXT)
        return queryset.filter(search_q(self.entity, value, self.label))

    def __init__(
        self, data: Any = None, *args: Any, label: Label, named_only: bool = False, **kwargs: Any
    ) -> None:
        if named_only and data is not None:
            # For the API, which shows no form: a filter the request does not name changes
            # nothing, and building the form field of every filter of the kind cost a third
            # of the time of the query it filters.
            self.base_filters = {
                name: value for name, value in type(self).base_filters.items() if name in data
            }
        super().__init__(data, *args, **kwargs)
        self.label = label


def _yes_no(field: str, empty: Any = "") -> Any:
    def method(self: Any, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "yes":
            return queryset.exclude(**{field: empty})
        if value == "no":
            return queryset.filter(**{field: empty})
        return queryset

    return method


class RecordingFilter(CatalogFilterSet):
    entity = ENTITIES["recording"]
    work = filters.UUIDFilter(label=_("Work"), field_name="work__code")
    release = filters.UUIDFilter(label=_("Release"), method="on_release")
    performer = filters.UUIDFilter(label=_("Performer"), method="with_performer")
    has_isrc = filters.ChoiceFilter(label=_("Has an ISRC"), choices=YES_NO, method="filter_isrc")
    ai = filters.ChoiceFilter(
        label=_("AI disclosure"),
        choices=(
            ("used", _("AI used in some part")),
            ("unknown", _("Some part unknown")),
            ("none", _("No AI in any part")),
        ),
        method="filter_ai",
    )
    flag = filters.ChoiceFilter(
        label=_("Risk flag"),
        choices=((risks.FLAG_VOICE_NOT_COVERED, _("Voice not covered")),),
        method="filter_flag",
    )

    filter_isrc = _yes_no("isrc")

    class Meta:
        model = Recording
        fields: list[str] = []

    def on_release(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        tracks = ReleaseTrack.objects.unscoped().filter(
            recording=OuterRef("pk"), release__code=value
        )
        return queryset.filter(Exists(tracks))

    def with_performer(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(performers__party__code=value).distinct()

    def filter_ai(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        fields = Recording.AI_FIELDS
        used = Q()
        unknown = Q()
        for field in fields:
            used |= Q(**{f"{field}__in": (AIDisclosure.ASSISTED, AIDisclosure.GENERATED)})
            unknown |= Q(**{field: AIDisclosure.UNKNOWN})
        if value == "used":
            return queryset.filter(used)
        if value == "unknown":
            return queryset.filter(unknown)
        if value == "none":
            return queryset.filter(**dict.fromkeys(fields, AIDisclosure.NONE))
        return queryset

    def filter_flag(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == risks.FLAG_VOICE_NOT_COVERED:
            return queryset.filter(risks.uncovered_vocalists_q(label=self.label))
        return queryset


class ReleaseFilter(CatalogFilterSet):
    entity = ENTITIES["release"]
    release_type = filters.ChoiceFilter(label=_("Type"), choices=Release.Type.choices)
    partner = filters.UUIDFilter(label=_("Carried by partner"), method="carried_by")
    recording = filters.UUIDFilter(label=_("Has recording"), method="with_recording")
    has_upc = filters.ChoiceFilter(label=_("Has a UPC/EAN"), choices=YES_NO, method="filter_upc")

    filter_upc = _yes_no("upc")

    class Meta:
        model = Release
        fields: list[str] = []

    def carried_by(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        through = Partner.releases.through.objects.filter(
            release_id=OuterRef("pk"), partner__code=value
        )
        return queryset.filter(Exists(through))

    def with_recording(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        tracks = ReleaseTrack.objects.unscoped().filter(
            release=OuterRef("pk"), recording__code=value
        )
        return queryset.filter(Exists(tracks))


class WorkFilter(CatalogFilterSet):
    entity = ENTITIES["work"]
    has_iswc = filters.ChoiceFilter(label=_("Has an ISWC"), choices=YES_NO, method="filter_iswc")
    writer = filters.UUIDFilter(label=_("Writer"), method="with_writer")

    filter_iswc = _yes_no("iswc")

    class Meta:
        model = Work
        fields: list[str] = []

    def with_writer(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(writers__party__code=value).distinct()


class PartyFilter(CatalogFilterSet):
    entity = ENTITIES["party"]
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Party.Kind.choices)
    role = filters.ChoiceFilter(label=_("Role"), choices=PartyRole.choices, method="with_role")

    class Meta:
        model = Party
        fields: list[str] = []

    def with_role(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(json_list_has("roles", value))


class PartnerFilter(CatalogFilterSet):
    entity = ENTITIES["partner"]
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Partner.Kind.choices)
    release = filters.UUIDFilter(label=_("Carries release"), field_name="releases__code")
    flag = filters.ChoiceFilter(
        label=_("Risk flag"),
        choices=((risks.FLAG_PARTNER_AT_RISK, _("May pass the catalog on")),),
        method="filter_flag",
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def filter_flag(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == risks.FLAG_PARTNER_AT_RISK:
            return queryset.filter(pk__in=risks.partners_at_risk(label=self.label).values("pk"))
        return queryset


class ContractFilter(CatalogFilterSet):
    entity = ENTITIES["contract"]
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Contract.Kind.choices)
    partner = filters.UUIDFilter(label=_("Partner"), field_name="partner__code")
    party = filters.UUIDFilter(label=_("Party"), method="with_party")
    recording = filters.UUIDFilter(label=_("Covers recording"), method="with_recording")
    ai_training = filters.ChoiceFilter(label=_("AI model training"), choices=AIClause.choices)
    ai_voice = filters.ChoiceFilter(label=_("Voice modelling"), choices=AIClause.choices)
    ai_sublicensing = filters.ChoiceFilter(label=_("AI sublicensing"), choices=AIClause.choices)
    flag = filters.ChoiceFilter(
        label=_("Risk flag"),
        choices=((risks.FLAG_SILENT_SUBLICENSING, _("Silent sublicensing")),),
        method="filter_flag",
    )

    class Meta:
        model = Contract
        fields: list[str] = []

    def with_party(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(parties__code=value).distinct()

    def with_recording(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(
            Q(recordings__code=value) | Q(releases__tracks__recording__code=value)
        ).distinct()

    def filter_flag(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == risks.FLAG_SILENT_SUBLICENSING:
            return queryset.filter(risks.silent_sublicensing_q())
        return queryset


class ConsentFilter(CatalogFilterSet):
    entity = ENTITIES["consent"]
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Consent.Kind.choices)
    party = filters.UUIDFilter(label=_("Given by"), field_name="party__code")
    recording = filters.UUIDFilter(label=_("Recording"), field_name="recordings__code")

    class Meta:
        model = Consent
        fields: list[str] = []


class ContributionFilter(CatalogFilterSet):
    entity = ENTITIES["contribution"]
    kind = filters.ChoiceFilter(label=_("Kind"), choices=ContributionRecord.Kind.choices)
    recording = filters.UUIDFilter(label=_("Recording"), field_name="recording__code")
    contributor = filters.UUIDFilter(label=_("Made by"), field_name="contributor__code")

    class Meta:
        model = ContributionRecord
        fields: list[str] = []


class ToolTermsFilter(CatalogFilterSet):
    entity = ENTITIES["toolterm"]
    recording = filters.UUIDFilter(label=_("Recording"), field_name="recordings__code")

    class Meta:
        model = ToolTerms
        fields: list[str] = []


class MarketNoteFilter(CatalogFilterSet):
    entity = ENTITIES["marketnote"]
    recording = filters.UUIDFilter(label=_("Recording"), field_name="recording__code")

    class Meta:
        model = MarketNote
        fields: list[str] = []


FILTERSETS: dict[str, type[CatalogFilterSet]] = {
    "recording": RecordingFilter,
    "release": ReleaseFilter,
    "work": WorkFilter,
    "party": PartyFilter,
    "partner": PartnerFilter,
    "contract": ContractFilter,
    "consent": ConsentFilter,
    "contribution": ContributionFilter,
    "toolterm": ToolTermsFilter,
    "marketnote": MarketNoteFilter,
}
