from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog import job_kinds  # noqa: F401  (registrations)

        try:
            from catalog import panels
        except ImportError:  # pragma: no cover
            return
        panels.register()
