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


@register()
def check_fetch_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    from pathlib import Path

    from django.core.exceptions import ImproperlyConfigured

    from optout.lib.fetch import allowlist

    problems: list[CheckMessage] = []
    try:
        allowlist()
    except ImproperlyConfigured as exc:
        problems.append(Error(str(exc), id="optout.E020"))
    bundle = getattr(settings, "OPTOUT_FETCH_CA_BUNDLE", "")
    if bundle and not Path(bundle).is_file():
        problems.append(
            Error(f"OPTOUT_FETCH_CA_BUNDLE={bundle!r} is not a file.", id="optout.E021")
        )
    return problems
