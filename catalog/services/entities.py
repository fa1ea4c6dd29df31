"""Create, update and delete catalog records, for the pages, the API and the demo alike.

Each write:

1. checks that every record it links to belongs to the same label (forms and
   serializers already look choices up in the label; this is the backstop);
2. checks the per-label unique identifiers and names the field that clashes;
3. validates the model, saves it, sets its many-to-many links and child rows;
4. stores an attached file as a blob and appends a custody-ledger entry, all in one
   transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from catalog.entities import Child, Entity, label_rows
from optout.models import Label, User
from optout.services.blobs import blob_store_upload
from optout.services.coverage import coverage_changed
from optout.services.ledger import ledger_append
from optout.uploads import HashedUploadedFile

PANEL_CACHE_KEY = "catalog-panel:{label_id}"


def catalog_changed(*, label: Label) -> None:
    """Forget cached counts of ``label`` (the dashboard panels recompute them) and have its
    protection coverage recomputed."""
    cache.delete(PANEL_CACHE_KEY.format(label_id=label.pk))
    coverage_changed(label=label)


def _check_same_label(label: Label, values: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        related = value if isinstance(value, list | tuple | set) else [value]
        for obj in related:
            if isinstance(obj, models.Model) and getattr(obj, "label_id", label.pk) != label.pk:
                errors.setdefault(name, []).append(_("Choose a record of this label."))
                break
    if errors:
        raise ValidationError(errors)


def _check_unique(entity: Entity, label: Label, instance: models.Model) -> None:
    errors: dict[str, str] = {}
    for unique in entity.unique:
        value = getattr(instance, unique.field)
        if not value:
            continue
        clash = label_rows(entity.model, label).filter(**{unique.field: value})
        if instance.pk:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors[unique.field] = str(unique.message)
    if errors:
        raise ValidationError(errors)


def _split(
    entity: Entity, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    fields: dict[str, Any] = {}
    m2m: dict[str, Any] = {}
    children: dict[str, Any] = {}
    for name, value in data.items():
        if name in entity.m2m:
            m2m[name] = list(value or [])
        elif entity.child(name) is not None:
            children[name] = value
        else:
            fields[name] = value
    return fields, m2m, children


def _ledger_data(entity: Entity, instance: models.Model, changed: Iterable[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"fields": sorted(set(changed))}
    for unique in entity.unique:
        value = getattr(instance, unique.field, "")
        if value:
            data[unique.field] = value
    return data


def _attach(
    entity: Entity,
    instance: models.Model,
    *,
    label: Label,
    upload: HashedUploadedFile | None,
    actor: User | None,
) -> None:
    if upload is None:
        return
    if entity.file_field is None:
        raise ValidationError(_("This kind of record takes no file."))
    blob = blob_store_upload(label=label, upload=upload, actor=actor)
    setattr(instance, entity.file_field, blob)
    if entity.file_name_field:
        setattr(instance, entity.file_name_field, (upload.name or "")[:255])


def _save(entity: Entity, instance: models.Model, *, label: Label) -> None:
    _check_unique(entity, label, instance)
    exclude = [f.name for f in instance._meta.many_to_many]
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        # Two writers raced past the check above; the database's unique index decided.
        _check_unique(entity, label, instance)
        raise


@transaction.atomic
def entity_create(
    *,
    entity: Entity,
    label: Label,
    actor: User | None,
    data: Mapping[str, Any],
    upload: HashedUploadedFile | None = None,
) -> Any:
    fields, m2m, children = _split(entity, data)
    _check_same_label(label, {**fields, **m2m})
    instance = entity.model(label=label, **fields)
    _attach(entity, instance, label=label, upload=upload, actor=actor)
    _save(entity, instance, label=label)
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    for name, rows in children.items():
        if rows is not None:
            _replace_children(entity, instance, name, rows, label=label)
    ledger_append(
        label=label,
        actor=actor,
        action=f"catalog.{entity.key}.created",
        subject=instance,
        blob=getattr(instance, entity.file_field) if entity.file_field else None,
        data=_ledger_data(entity, instance, [*fields, *m2m, *children]),
    )
    catalog_changed(label=label)
    return instance


@transaction.atomic
def entity_update(
    *,
    entity: Entity,
    instance: Any,
    actor: User | None,
    data: Mapping[str, Any],
    upload: HashedUploadedFile | None = None,
) -> Any:
    label = instance.label
    fields, m2m, children = _split(entity, data)
    _check_same_label(label, {**fields, **m2m})
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    for name, value in fields.items():
        setattr(instance, name, value)
    _attach(entity, instance, label=label, upload=upload, actor=actor)
    if upload is not None and entity.file_field:
        changed.append(entity.file_field)
    _save(entity, instance, label=label)
    for name, values in m2m.items():
        related = getattr(instance, name)
        if {o.pk for o in related.all()} != {o.pk for o in values}:
            related.set(values)
            changed.append(name)
    for name, rows in children.items():
        if rows is not None:
            _replace_children(entity, instance, name, rows, label=label)
            changed.append(name)
    if changed:
        ledger_append(
            label=label,
            actor=actor,
            action=f"catalog.{entity.key}.updated",
            subject=instance,
            blob=(
                getattr(instance, entity.file_field)
                if entity.file_field and upload is not None
                else None
            ),
            data=_ledger_data(entity, instance, changed),
        )
    catalog_changed(label=label)
    return instance


def _protection_message(entity: Entity, instance: models.Model, blockers: Counter[str]) -> str:
    listed = ", ".join(f"{name}: {n}" for name, n in sorted(blockers.items()))
    return _(
        "“%(name)s” cannot be deleted while other records depend on it (%(list)s). Remove "
        "or re-link those first."
    ) % {"name": str(instance), "list": listed}


def _linking_records(instance: models.Model) -> Counter[str]:
    """Records that link to ``instance`` through many-to-many fields (those links would
    otherwise vanish silently with it)."""
    found: Counter[str] = Counter()
    for relation in instance._meta.related_objects:
        if not relation.many_to_many:
            continue
        model = relation.related_model
        if isinstance(model, str):
            continue
        # Through the declaring model, not the reverse accessor: a relation without one
        # (related_name="+", e.g. a takedown's recordings) must block the delete too.
        count = model._base_manager.filter(**{relation.field.name: instance}).count()
        if count:
            found[str(capfirst(model._meta.verbose_name_plural))] += count
    return found


@transaction.atomic
def entity_delete(*, entity: Entity, instance: Any, actor: User | None) -> None:
    """Delete a record, or refuse with a message that names what depends on it."""
    label = instance.label
    blockers = _linking_records(instance)
    if blockers:
        raise ValidationError(_protection_message(entity, instance, blockers), code="protected")
    description = str(instance)
    data = _ledger_data(entity, instance, [])
    data.pop("fields", None)
    data["title"] = description[:200]
    ledger_append(
        label=label,
        actor=actor,
        action=f"catalog.{entity.key}.deleted",
        subject=instance,
        data=data,
    )
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as exc:
        counted: Counter[str] = Counter(
            str(capfirst(obj._meta.verbose_name_plural)) for obj in exc.protected_objects
        )
        raise ValidationError(
            _protection_message(entity, instance, counted), code="protected"
        ) from None
    catalog_changed(label=label)


# --- child rows (writers, performers, tracks, contacts) ------------------------------------


def _child_instance(
    child: Child, parent: models.Model, row: Mapping[str, Any], *, label: Label
) -> models.Model:
    values = {name: row[name] for name in child.fields if name in row}
    _check_same_label(label, values)
    obj = child.model(label=label, **{child.parent_field: parent}, **values)
    obj.full_clean(
        exclude=[child.parent_field, "label"], validate_unique=False, validate_constraints=False
    )
    return obj


def _replace_children(
    entity: Entity,
    parent: models.Model,
    key: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    label: Label,
) -> None:
    child = entity.child(key)
    assert child is not None
    built = []
    errors: list[str] = []
    for index, row in enumerate(rows, start=1):
        try:
            built.append(_child_instance(child, parent, row, label=label))
        except ValidationError as exc:
            errors.extend(f"#{index}: {m}" for m in exc.messages)
    if errors:
        raise ValidationError({key: errors})
    _check_shares(key, [getattr(obj, "share", 0) for obj in built])
    label_rows(child.model, label).filter(**{child.parent_field: parent}).delete()
    try:
        with transaction.atomic():
            for obj in built:
                obj.save()
    except IntegrityError:
        raise ValidationError({key: [_duplicate_child_message(child)]}) from None


def _check_shares(key: str, shares: list[Any]) -> None:
    """Writers' shares of one work add up to at most 100 %."""
    if key == "writers" and sum(shares) > 100:
        raise ValidationError(
            {
                "share": [
                    _("The writers' shares add up to %(total)s %%; at most 100 %% is possible.")
                    % {"total": sum(shares)}
                ]
            }
        )


def _duplicate_child_message(child: Child) -> str:
    if child.key == "tracks":
        return _("Two tracks share the same disc and track number.")
    return _("The same entry is listed twice.")


@transaction.atomic
def child_add(
    *, entity: Entity, parent: Any, key: str, data: Mapping[str, Any], actor: User | None
) -> models.Model:
    child = entity.child(key)
    if child is None:
        raise ValidationError(_("Unknown list."))
    label = parent.label
    obj = _child_instance(child, parent, data, label=label)
    if key == "writers":
        existing = (
            label_rows(child.model, label).filter(work=parent).values_list("share", flat=True)
        )
        _check_shares(key, [*existing, getattr(obj, "share", 0)])
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationError(_duplicate_child_message(child)) from None
    ledger_append(
        label=label,
        actor=actor,
        action=f"catalog.{entity.key}.{key}.added",
        subject=parent,
        data={"entry": str(obj)[:200]},
    )
    catalog_changed(label=label)
    return obj


@transaction.atomic
def child_remove(*, entity: Entity, parent: Any, key: str, code: Any, actor: User | None) -> None:
    from django.http import Http404

    child = entity.child(key)
    if child is None:
        raise Http404
    label = parent.label
    try:
        obj = label_rows(child.model, label).get(**{child.parent_field: parent, "code": code})
    except (child.model.DoesNotExist, ValidationError, ValueError):  # type: ignore[attr-defined]
        raise Http404 from None
    description = str(obj)[:200]
    obj.delete()
    ledger_append(
        label=label,
        actor=actor,
        action=f"catalog.{entity.key}.{key}.removed",
        subject=parent,
        data={"entry": description},
    )
    catalog_changed(label=label)
