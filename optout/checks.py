"""System checks for settings that would break the job guarantees."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def check_job_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    visibility = options.get("visibility_timeout")
    if settings.CELERY_BROKER_URL.startswith("redis") and (
        visibility is None or visibility < 2 * settings.CELERY_TASK_TIME_LIMIT
    ):
        problems.append(
            Error(
                "The broker's visibility timeout must be at least twice CELERY_TASK_TIME_LIMIT, "
                "or a long job would be delivered twice.",
                id="optout.E001",
            )
        )
    if settings.OPTOUT_JOB_LEASE_SECONDS * 2 > settings.CELERY_TASK_TIME_LIMIT:
        problems.append(
            Warning(
                "OPTOUT_JOB_LEASE_SECONDS is long compared with CELERY_TASK_TIME_LIMIT.",
                id="optout.W001",
            )
        )
    return problems
