"""Make the custody ledger append-only in the database itself.

Triggers refuse every UPDATE and DELETE on ledger rows, whatever code (or person with a
database shell) tries it. TRUNCATE is left alone: test databases are flushed with it, and
production should run the application under a role without TRUNCATE rights on the table.
"""

from django.db import migrations

from optout.lib.frozen_rows import refuse_changes


class Migration(migrations.Migration):
    dependencies = [("optout", "0001_initial")]

    operations = [
        refuse_changes(
            table="optout_ledgerentry",
            function="optout_ledger_refuse_change",
            triggers=("optout_ledger_no_update", "optout_ledger_no_delete"),
            message="the custody ledger is append-only",
        )
    ]
