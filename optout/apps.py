from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OptoutConfig(AppConfig):
    name = "optout"
    verbose_name = _("Optout core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from optout import checks, job_kinds, registrations  # noqa: F401  (registrations)
        from optout.api import schema  # noqa: F401  (OpenAPI extension)

        registrations.register()

        from optout import receivers

        receivers.connect()
