from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog import (  # noqa: F401  (registrations)
            job_kinds,
            job_kinds_masters,
            panels,
            panels_masters,
            upload_tasks,
        )

        panels.register()
        panels_masters.register()
