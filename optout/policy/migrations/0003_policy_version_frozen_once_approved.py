"""Approved policy versions never change: the database itself refuses it.

A reservation's legal weight rests on being able to show what it said on a date, so an
approved row refuses every UPDATE and DELETE, whatever code (or database shell) tries.
Drafts stay editable; approving is the one UPDATE of a row that is still a draft.
"""

from django.db import migrations

from optout.lib.frozen_rows import refuse_changes


class Migration(migrations.Migration):
    dependencies = [("policy", "0002_policy_version")]

    operations = [
        refuse_changes(
            table="policy_policyversion",
            function="policy_version_refuse_change",
            triggers=("policy_version_frozen_update", "policy_version_frozen_delete"),
            message="an approved policy version is immutable",
            only_when_approved=True,
        )
    ]
