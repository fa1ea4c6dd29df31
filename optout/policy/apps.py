from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "optout.policy"
    label = "policy"
    verbose_name = _("Reservation policy and signals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from optout.policy import job_kinds, registrations  # noqa: F401  (registrations)

        registrations.register()
