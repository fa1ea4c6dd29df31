from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from evidence import (  # noqa: F401  (job kinds and tasks register on import)
            capture_tasks,
            job_kinds,
            panels,
            sources,
        )
        from evidence.selectors import signing_tsa_url
        from evidence.services import capture_evidence
        from optout.navigation import NavItem, register_nav_item
        from optout.policy.services.signing import register_signing_timestamp_authority

        panels.register()
        sources.register()
        sources.register_catalog_sources()
        capture_evidence.register()
        register_signing_timestamp_authority(signing_tsa_url)
        register_nav_item(NavItem("captures", _("Captures"), "evidence:captures", order=400))
