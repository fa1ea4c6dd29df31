"""Ledger anchors (timestamped heads, append-only like the ledger) and entry MACs."""

import django.db.models.deletion
from django.db import migrations, models

from optout.lib.frozen_rows import refuse_changes


class Migration(migrations.Migration):

    dependencies = [
        ('optout', '0006_label_require_mfa_default_on'),
    ]

    operations = [
        migrations.AddField(
            model_name='ledgerentry',
            name='mac',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.CreateModel(
            name='LedgerAnchor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveBigIntegerField(verbose_name='sequence number')),
                ('entry_hash', models.CharField(max_length=64)),
                ('gen_time', models.DateTimeField(verbose_name='stamped at')),
                ('tsa_url', models.CharField(max_length=500)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('label', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='optout.label')),
                ('record', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='optout.blob')),
                ('token', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='optout.blob')),
            ],
            options={
                'verbose_name': 'ledger anchor',
                'verbose_name_plural': 'ledger anchors',
                'ordering': ('label_id', 'seq', 'pk'),
            },
        ),
        refuse_changes(
            table="optout_ledgeranchor",
            function="optout_ledger_anchor_refuse_change",
            triggers=("optout_ledger_anchor_no_update", "optout_ledger_anchor_no_delete"),
            message="ledger anchors are append-only",
        ),
    ]
