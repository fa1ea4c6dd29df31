"""Refuse TRUNCATE of the custody ledger and its anchors (row triggers do not see it)."""

from django.db import migrations

from optout.lib.frozen_rows import refuse_truncate


class Migration(migrations.Migration):
    dependencies = [("optout", "0007_ledger_anchor_and_mac")]

    operations = [
        refuse_truncate(
            tables=("optout_ledgerentry", "optout_ledgeranchor"),
            function="optout_ledger_refuse_truncate",
            message="the custody ledger is append-only",
        )
    ]
