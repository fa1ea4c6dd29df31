"""Approved terms texts never change: the database refuses UPDATE and DELETE of them.

What the label's terms said on a date is evidence; drafts stay editable.
"""

from django.db import migrations

from optout.lib.frozen_rows import refuse_changes


class Migration(migrations.Migration):
    dependencies = [("policy", "0004_terms_texts_and_publications")]

    operations = [
        refuse_changes(
            table="policy_termstext",
            function="policy_terms_refuse_change",
            triggers=("policy_terms_frozen_update", "policy_terms_frozen_delete"),
            message="an approved terms text is immutable",
            only_when_approved=True,
        )
    ]
