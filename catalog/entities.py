"""What the catalog knows about each of its kinds of record, in one table.

Services, selectors, pages, the API and the cross-label test matrix all read this table,
so a kind's capability, identifiers, files and sort orders are stated once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from catalog import identifiers
from catalog.models import (
    Consent,
    Contract,
    ContributionRecord,
    MarketNote,
    Partner,
    PartnerContact,
    Party,
    Recording,
    RecordingPerformer,
    Release,
    ReleaseTrack,
    ToolTerms,
    Work,
    WorkWriter,
)
from optout.roles import Capability


@dataclass(frozen=True)
class Unique:
    """A field that is unique per label when set, and the message when it is not."""

    field: str
    message: Promise


@dataclass(frozen=True)
class Sort:
    key: str
    field: str
    title: Promise


@dataclass(frozen=True)
class Child:
    """Rows that belong to one parent record (a work's writers, a release's tracks…)."""

    key: str
    """URL segment and API field name, e.g. ``writers``."""
    model: type[models.Model]
    parent_field: str
    title: Promise
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Entity:
    key: str
    plural: str
    model: type[models.Model]
    capability: Capability
    title: Promise
    title_plural: Promise
    sorts: tuple[Sort, ...]
    search_fields: tuple[str, ...] = ()
    exact_search: tuple[tuple[str, Callable[[str], str]], ...] = ()
    """(field, normaliser): a search term that normalises is also matched exactly."""
    unique: tuple[Unique, ...] = ()
    m2m: tuple[str, ...] = ()
    file_field: str | None = None
    file_name_field: str | None = None
    children: tuple[Child, ...] = ()
    natural_key: tuple[str, Callable[[str], str]] | None = None
    """Field and normaliser by which a user may name a record instead of its code."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def default_sort(self) -> Sort:
        return self.sorts[0]

    def sort(self, key: str | None) -> Sort:
        for sort in self.sorts:
            if sort.key == key:
                return sort
        return self.default_sort

    def child(self, key: str) -> Child | None:
        return next((c for c in self.children if c.key == key), None)


def _by_title(field_name: str = "title", column: str = "") -> tuple[Sort, ...]:
    column = column or field_name
    return (
        Sort(field_name, column, _("Title A-Z")),
        Sort(f"-{field_name}", column, _("Title Z-A")),
        Sort("-created", "created_at", _("Newest first")),
        Sort("created", "created_at", _("Oldest first")),
    )


def _by_name() -> tuple[Sort, ...]:
    return (
        Sort("name", "name", _("Name A-Z")),
        Sort("-name", "name", _("Name Z-A")),
        Sort("-created", "created_at", _("Newest first")),
        Sort("created", "created_at", _("Oldest first")),
    )


PARTY = Entity(
    key="party",
    plural="parties",
    model=Party,
    capability=Capability.CATALOG,
    title=_("Party"),
    title_plural=_("Parties"),
    sorts=_by_name(),
    search_fields=("name",),
    exact_search=(("ipi", identifiers.normalize_ipi), ("isni", identifiers.normalize_isni)),
    unique=(
        Unique("ipi", _("Another party of this label already has this IPI name number.")),
        Unique("isni", _("Another party of this label already has this ISNI.")),
    ),
)

WORK = Entity(
    key="work",
    plural="works",
    model=Work,
    capability=Capability.CATALOG,
    title=_("Work"),
    title_plural=_("Works"),
    sorts=_by_title(),
    search_fields=("title",),
    exact_search=(("iswc", identifiers.normalize_iswc),),
    unique=(Unique("iswc", _("Another work of this label already has this ISWC.")),),
    children=(Child("writers", WorkWriter, "work", _("Writers"), ("party", "role", "share")),),
    natural_key=("iswc", identifiers.normalize_iswc),
)

RECORDING = Entity(
    key="recording",
    plural="recordings",
    model=Recording,
    capability=Capability.CATALOG,
    title=_("Recording"),
    title_plural=_("Recordings"),
    sorts=(
        *_by_title(column="sort_title")[:2],
        Sort("artist", "display_artist", _("Artist A-Z")),
        Sort("-artist", "display_artist", _("Artist Z-A")),
        *_by_title()[2:],
    ),
    search_fields=("title", "display_artist"),
    exact_search=(("isrc", identifiers.normalize_isrc),),
    unique=(Unique("isrc", _("Another recording of this label already has this ISRC.")),),
    children=(
        Child(
            "performers",
            RecordingPerformer,
            "recording",
            _("Performers"),
            ("party", "role", "instrument"),
        ),
    ),
    natural_key=("isrc", identifiers.normalize_isrc),
)

RELEASE = Entity(
    key="release",
    plural="releases",
    model=Release,
    capability=Capability.CATALOG,
    title=_("Release"),
    title_plural=_("Releases"),
    sorts=_by_title(),
    search_fields=("title",),
    exact_search=(("upc", identifiers.normalize_gtin13),),
    unique=(Unique("upc", _("Another release of this label already has this UPC/EAN.")),),
    children=(
        Child(
            "tracks",
            ReleaseTrack,
            "release",
            _("Track list"),
            ("recording", "disc_number", "track_number"),
        ),
    ),
    natural_key=("upc", identifiers.normalize_gtin13),
)

PARTNER = Entity(
    key="partner",
    plural="partners",
    model=Partner,
    capability=Capability.RIGHTS,
    title=_("Partner"),
    title_plural=_("Partners"),
    sorts=_by_name(),
    search_fields=("name",),
    m2m=("releases",),
    children=(
        Child(
            "contacts", PartnerContact, "partner", _("Contacts"), ("name", "email", "phone", "role")
        ),
    ),
)

CONTRACT = Entity(
    key="contract",
    plural="contracts",
    model=Contract,
    capability=Capability.RIGHTS,
    title=_("Contract"),
    title_plural=_("Contracts"),
    sorts=_by_title(),
    search_fields=("title",),
    m2m=("parties", "works", "recordings", "releases"),
    file_field="document",
    file_name_field="document_name",
)

CONSENT = Entity(
    key="consent",
    plural="consents",
    model=Consent,
    capability=Capability.RIGHTS,
    title=_("Consent"),
    title_plural=_("Consents"),
    sorts=_by_title(),
    search_fields=("title",),
    m2m=("recordings",),
    file_field="document",
    file_name_field="document_name",
)

CONTRIBUTION = Entity(
    key="contribution",
    plural="contributions",
    model=ContributionRecord,
    capability=Capability.CATALOG,
    title=_("Contribution record"),
    title_plural=_("Contribution records"),
    sorts=_by_title(),
    search_fields=("title",),
    file_field="file",
    file_name_field="file_name",
)

TOOL_TERMS = Entity(
    key="toolterm",
    plural="toolterms",
    model=ToolTerms,
    capability=Capability.RIGHTS,
    title=_("Tool terms"),
    title_plural=_("Tool terms"),
    sorts=(
        Sort("tool", "tool", _("Tool A-Z")),
        Sort("-tool", "tool", _("Tool Z-A")),
        Sort("-created", "created_at", _("Newest first")),
        Sort("created", "created_at", _("Oldest first")),
    ),
    search_fields=("tool", "plan"),
    m2m=("recordings",),
    file_field="document",
    file_name_field="document_name",
)

MARKET_NOTE = Entity(
    key="marketnote",
    plural="marketnotes",
    model=MarketNote,
    capability=Capability.RIGHTS,
    title=_("Market upload note"),
    title_plural=_("Market upload notes"),
    sorts=(
        Sort("platform", "platform", _("Platform A-Z")),
        Sort("-platform", "platform", _("Platform Z-A")),
        Sort("-created", "created_at", _("Newest first")),
        Sort("created", "created_at", _("Oldest first")),
    ),
    search_fields=("platform",),
    file_field="file",
    file_name_field="file_name",
)

ENTITIES: dict[str, Entity] = {
    e.key: e
    for e in (
        RECORDING,
        RELEASE,
        WORK,
        PARTY,
        PARTNER,
        CONTRACT,
        CONSENT,
        CONTRIBUTION,
        TOOL_TERMS,
        MARKET_NOTE,
    )
}


def label_rows(model: type[models.Model], label: Any) -> Any:
    """``model``'s rows of ``label`` (every catalog model's default manager is scoped)."""
    manager: Any = model._default_manager
    return manager.for_label(label)


def no_rows(model: type[models.Model]) -> Any:
    manager: Any = model._default_manager
    return manager.unscoped().none()


def entity_for_model(model: type[models.Model]) -> Entity:
    for entity in ENTITIES.values():
        if entity.model is model:
            return entity
    raise KeyError(model.__name__)
