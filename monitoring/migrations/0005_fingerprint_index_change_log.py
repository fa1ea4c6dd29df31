"""The fingerprint index gets a change log: which recording's reference changed at each
version. Versions reached before it have no lines, so the log starts at the current one."""

import uuid
from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F


def _log_starts_now(apps: Any, schema_editor: Any) -> None:
    State = apps.get_model("monitoring", "FingerprintIndexState")
    State._base_manager.update(log_from=F("version"))


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0014_recording_sort_title_covers_words'),
        ('monitoring', '0004_platform_controls_and_crawler_logs'),
        ('optout', '0011_protection_coverage'),
    ]

    operations = [
        migrations.AddField(
            model_name='fingerprintindexstate',
            name='log_from',
            field=models.PositiveBigIntegerField(default=0, help_text='The change log holds every version above this one (older lines pruned).'),
        ),
        migrations.RunPython(_log_starts_now, migrations.RunPython.noop),
        migrations.CreateModel(
            name='FingerprintIndexChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('version', models.PositiveBigIntegerField()),
                ('label', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='optout.label')),
                ('recording', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.recording')),
            ],
            options={
                'indexes': [models.Index(fields=['label', 'version'], name='fingerprint_change_version')],
            },
        ),
    ]
