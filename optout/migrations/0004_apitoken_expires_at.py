"""API tokens get an expiry; tokens made before it expire 90 days after they were made."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import migrations, models
from django.db.models import F

EXISTING_TOKEN_DAYS = 90


def _expire_existing(apps: Any, schema_editor: Any) -> None:
    ApiToken = apps.get_model("optout", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=F("created_at") + timedelta(days=EXISTING_TOKEN_DAYS)
    )


class Migration(migrations.Migration):
    dependencies = [("optout", "0003_remove_label_reservation_note")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.RunPython(_expire_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
