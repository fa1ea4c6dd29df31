"""Matters: case files, their notes, their legal hold and the items gathered in them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.matter_items import (
    MatterItemSnapshot,
    NotAddable,
    matter_item_source,
    matter_item_sources,
)
from evidence.models import Matter, MatterItem, MatterNote
from evidence.selectors import matter_owner_candidates
from evidence.services.links import catalog_links_resolve, link_codes
from evidence.territories import territory_normalise
from optout.lib.canonical import utc_iso
from optout.models import Label, Membership, User
from optout.services.ledger import ledger_append

EDITABLE_FIELDS = (
    "title",
    "status",
    "owner",
    "summary",
    "target_platform",
    "target_url",
    "target_company",
    "territory",
)


def _facts(matter: Matter) -> dict[str, Any]:
    return {
        "title": matter.title,
        "status": matter.status,
        "owner": matter.owner.email if matter.owner else "",
        "summary": matter.summary,
        "target_platform": matter.target_platform,
        "target_url": matter.target_url,
        "target_company": matter.target_company,
        "territory": matter.territory,
    }


def _validated(matter: Matter) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("title", "summary", "target_platform", "target_url", "target_company"):
        setattr(matter, name, (getattr(matter, name) or "").strip())
    try:
        matter.territory = territory_normalise(matter.territory)
    except ValidationError as exc:
        errors["territory"] = exc.messages
    if (
        matter.owner is not None
        and not Membership.objects.filter(label_id=matter.label_id, user=matter.owner).exists()
    ):
        errors["owner"] = [_("The owner of a matter must be a member of the label.")]
    elif (
        matter.owner is not None
        and not matter_owner_candidates(label=matter.label).filter(pk=matter.owner.pk).exists()
    ):
        errors["owner"] = [
            _(
                "Choose an owner or a rights member to run the matter: this member's role "
                "cannot add its notes and items."
            )
        ]
    try:
        matter.full_clean(exclude=["label", "territory", "owner"], validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def matter_create(
    *,
    label: Label,
    actor: User | None,
    title: str,
    status: str = Matter.Status.OPEN,
    owner: User | None = None,
    summary: str = "",
    target_platform: str = "",
    target_url: str = "",
    target_company: str = "",
    territory: str = "",
    recordings: Iterable[Any] | None = None,
    works: Iterable[Any] | None = None,
) -> Matter:
    linked_recordings, linked_works = catalog_links_resolve(
        label=label, recordings=recordings, works=works
    )
    matter = Matter(
        label=label,
        title=title,
        status=status,
        owner=owner if owner is not None else actor,
        summary=summary,
        target_platform=target_platform,
        target_url=target_url,
        target_company=target_company,
        territory=territory,
        created_by=actor,
    )
    _validated(matter)
    matter.save()
    matter.recordings.set(linked_recordings or [])
    matter.works.set(linked_works or [])
    ledger_append(
        label=label,
        actor=actor,
        action="matter.created",
        subject=matter,
        data={**_facts(matter), **link_codes(matter)},
    )
    return matter


def _locked(matter: Matter) -> Matter:
    locked: Matter = (
        Matter.objects.for_label(matter.label)
        .select_for_update(of=("self",))
        .select_related("owner", "label")
        .get(pk=matter.pk)
    )
    return locked


@transaction.atomic
def matter_update(
    *,
    matter: Matter,
    actor: User | None,
    recordings: Iterable[Any] | None = None,
    works: Iterable[Any] | None = None,
    **values: Any,
) -> Matter:
    """Change a matter's description; ``recordings``/``works`` (ids) replace its links."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    matter = _locked(matter)
    linked_recordings, linked_works = catalog_links_resolve(
        label=matter.label, recordings=recordings, works=works
    )
    before = {**_facts(matter), **link_codes(matter)}
    for name, value in values.items():
        setattr(matter, name, value)
    _validated(matter)
    if linked_recordings is not None:
        matter.recordings.set(linked_recordings)
    if linked_works is not None:
        matter.works.set(linked_works)
    after = {**_facts(matter), **link_codes(matter)}
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if not changed:
        return matter
    matter.save()
    ledger_append(
        label=matter.label,
        actor=actor,
        action="matter.updated",
        subject=matter,
        data={"changed": changed},
    )
    return matter


@transaction.atomic
def matter_set_hold(*, matter: Matter, actor: User | None, hold: bool, reason: str) -> Matter:
    """Put a matter on legal hold, or release it. Both need a reason, which goes on record."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give a reason; it is kept in the custody ledger.")}, code="required"
        )
    matter = _locked(matter)
    if matter.legal_hold == hold:
        raise ValidationError(
            _("The matter is already on legal hold.")
            if hold
            else _("The matter is not on legal hold."),
            code="unchanged",
        )
    now = timezone.now()
    matter.legal_hold = hold
    matter.legal_hold_reason = reason if hold else ""
    matter.legal_hold_since = now if hold else None
    matter.legal_hold_by = actor if hold else None
    matter.save()
    ledger_append(
        label=matter.label,
        actor=actor,
        action="matter.hold_set" if hold else "matter.hold_released",
        subject=matter,
        data={"reason": reason, "at": utc_iso(now)},
    )
    return matter


@transaction.atomic
def matter_note_add(*, matter: Matter, actor: User | None, text: str) -> MatterNote:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The note is empty.")}, code="required")
    if len(text) > 20000:
        raise ValidationError({"text": _("Keep a note under 20,000 characters.")}, code="long")
    note: MatterNote = MatterNote.objects.create(
        label=matter.label, matter=matter, author=actor, text=text
    )
    ledger_append(
        label=matter.label,
        actor=actor,
        action="matter.note_added",
        subject=matter,
        data={"note": str(note.code), "text": text},
    )
    return note


def matter_item_request(request: dict[str, Any]) -> tuple[str, str]:
    """The single ``{"<kind>": "<id>"}`` pair of an add-to-matter request, checked."""
    known = {s.key for s in matter_item_sources()}
    given = {k: v for k, v in request.items() if v not in (None, "")}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValidationError(
            {
                key: [
                    _("Not something that can be added to a matter. Use one of: %(kinds)s.")
                    % {"kinds": ", ".join(sorted(known))}
                ]
                for key in unknown
            },
            code="unknown_kind",
        )
    if len(given) != 1:
        raise ValidationError(
            _('Name exactly one thing to add, e.g. {"evidence": "<id>"}.'), code="one"
        )
    key, value = next(iter(given.items()))
    return key, str(value)


@transaction.atomic
def matter_item_add(
    *, matter: Matter, actor: User | None, source_key: str, source_code: uuid.UUID | str
) -> MatterItem:
    """Add one object of any registered kind to a matter, e.g. ``{"master": "<id>"}``.

    The object is looked up within the matter's label only: an id from another label is
    the same error as an id that does not exist, and nothing is written.
    """
    key = source_key
    source = matter_item_source(key)
    if source is None:
        raise ValidationError(
            {key: [_("Not something that can be added to a matter.")]}, code="unknown_kind"
        )
    try:
        code = source_code if isinstance(source_code, uuid.UUID) else uuid.UUID(str(source_code))
    except (ValueError, TypeError, AttributeError):
        raise ValidationError(
            {key: [_("“%(value)s” is not a valid id.") % {"value": str(source_code)[:60]}]},
            code="invalid",
        ) from None
    matter = _locked(matter)
    if not matter.is_open:
        raise ValidationError(_("The matter is closed. Reopen it to add evidence."), code="closed")
    obj = source.lookup(label=matter.label, code=code)
    if obj is None:
        raise ValidationError(
            {key: [_("No %(kind)s with this id in this label.") % {"kind": source.verbose_name}]},
            code="not_found",
        )
    try:
        snapshot = source.snapshot(obj)
    except NotAddable as exc:
        raise ValidationError({key: [str(exc)]}, code="not_addable") from None
    if snapshot.blob.label_id != matter.label_id:
        raise ValidationError({key: [_("The file belongs to another label.")]})
    if (
        MatterItem.objects.for_label(matter.label)
        .active()
        .filter(matter=matter, source_key=key, source_code=code)
        .exists()
    ):
        raise ValidationError({key: [_("This is already in the matter.")]}, code="duplicate")
    item = MatterItem(
        label=matter.label,
        matter=matter,
        source_key=key,
        source_code=code,
        title=snapshot.title[:300],
        title_message=dict(snapshot.title_message or {}),
        description=snapshot.description,
        blob=snapshot.blob,
        filename=(snapshot.filename or snapshot.title or key)[:255],
        document_date=snapshot.document_date,
        recorded_at=snapshot.recorded_at,
        source_url=snapshot.source_url[:2000],
        provenance=dict(snapshot.provenance),
        timestamp_blob=snapshot.timestamp_blob,
        added_by=actor,
    )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError({key: [_("This is already in the matter.")]}) from None
    ledger_append(
        label=matter.label,
        actor=actor,
        action="matter.item_added",
        subject=item,
        blob=item.blob,
        data={
            "matter": str(matter.code),
            "source": key,
            "source_id": str(code),
            "title": item.title,
        },
    )
    return item


@transaction.atomic
def matter_items_reseal(
    *, label: Label, source_key: str, source_code: uuid.UUID, snapshot: MatterItemSnapshot
) -> int:
    """The items of one object take its newly sealed file and facts; returns how many.

    For a seal that arrives after the object joined a matter (a capture's timestamp): the
    same content, now with its proof, so every packet built later carries the latest seal.
    The file each item held stays stored; the ledger entry names both.
    """
    items = (
        MatterItem.objects.for_label(label)
        .active()
        .select_for_update()
        .select_related("matter", "blob")
        .filter(source_key=source_key, source_code=source_code)
    )
    changed = 0
    for item in items:
        if item.blob_id == snapshot.blob.pk and item.provenance == dict(snapshot.provenance):
            continue
        previous = item.blob
        item.blob = snapshot.blob
        item.provenance = dict(snapshot.provenance)
        item.timestamp_blob = snapshot.timestamp_blob
        item.save(update_fields=["blob", "provenance", "timestamp_blob"])
        ledger_append(
            label=label,
            actor=None,
            action="matter.item_resealed",
            subject=item,
            blob=item.blob,
            data={
                "matter": str(item.matter.code),
                "source": source_key,
                "source_id": str(source_code),
                "previous_sha256": previous.sha256,
            },
        )
        changed += 1
    return changed


@transaction.atomic
def matter_item_withdraw(*, item: MatterItem, actor: User | None, reason: str) -> MatterItem:
    """Take an item out of a matter with a reason. Refused while the matter is on legal hold."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the item is withdrawn; the reason goes on the record.")},
            code="required",
        )
    matter = _locked(item.matter)
    item = MatterItem.objects.for_label(matter.label).select_for_update().get(pk=item.pk)
    if matter.legal_hold:
        raise ValidationError(
            _(
                "The matter “%(matter)s” is on legal hold: its items cannot be withdrawn until "
                "the hold is released."
            )
            % {"matter": matter.title},
            code="legal_hold",
        )
    if item.is_withdrawn:
        raise ValidationError(_("This item was already withdrawn."), code="withdrawn")
    now = timezone.now()
    item.status = MatterItem.Status.WITHDRAWN
    item.withdrawn_at = now
    item.withdrawn_by = actor
    item.withdrawal_reason = reason
    item.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    ledger_append(
        label=matter.label,
        actor=actor,
        action="matter.item_withdrawn",
        subject=item,
        blob=item.blob,
        data={"matter": str(matter.code), "reason": reason, "withdrawn_at": utc_iso(now)},
    )
    return item
