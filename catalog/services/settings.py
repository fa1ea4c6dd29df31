from __future__ import annotations

from django.db import transaction

from catalog.models import CatalogSettings
from optout.models import Label, User
from optout.services.ledger import ledger_append


@transaction.atomic
def column_aliases_update(
    *, label: Label, actor: User | None, aliases: dict[str, list[str]]
) -> CatalogSettings:
    found: tuple[CatalogSettings, bool] = CatalogSettings.objects.for_label(label).get_or_create(
        label=label
    )
    settings = found[0]
    settings.column_aliases = aliases
    settings.save(update_fields=["column_aliases", "updated_at"])
    ledger_append(
        label=label,
        actor=actor,
        action="catalog.settings.updated",
        subject=settings,
        data={"column_aliases": {k: list(v) for k, v in aliases.items()}},
    )
    return settings
