"""Partner risk flags learnt from what a partner said: raised once per cause, shown, cleared."""

from __future__ import annotations

from typing import Any

from catalog.models import Contract, Partner
from catalog.selectors.risks import partners_at_risk
from catalog.services.partner_risks import partner_risk_clear, partner_risk_raise
from optout.models import LedgerEntry
from tests.conftest import Team


def test_a_raised_flag_puts_the_partner_on_the_risk_list_until_cleared(team: Team) -> None:
    label = team.label
    quiet = Partner.objects.create(label=label, name="Quiet Distribution", kind="distributor")
    talker = Partner.objects.create(label=label, name="Talker Data", kind="marketplace")
    assert list(partners_at_risk(label=label)) == []

    flag = partner_risk_raise(
        partner=talker, source="notice_answer", reason="Says it sold a dataset.", subject=quiet
    )
    # The same cause does not pile up a second open flag.
    again = partner_risk_raise(
        partner=talker, source="notice_answer", reason="Says it sold a dataset.", subject=quiet
    )
    assert again.pk == flag.pk
    assert [p.name for p in partners_at_risk(label=label)] == ["Talker Data"]
    assert LedgerEntry.objects.for_label(label).filter(action="partner.risk_raised").count() == 1

    client = team.client_for(team.viewer)
    page = client.get(f"/l/{label.slug}/catalog/partners/{talker.code}/")
    assert "Says it sold a dataset." in page.content.decode()
    listed = client.get(f"/l/{label.slug}/catalog/partners/?flag=at_risk")
    assert "Talker Data" in listed.content.decode()
    assert "Quiet Distribution" not in listed.content.decode()

    partner_risk_clear(flag=flag, actor=team.owner, note="Contract amended.")
    assert list(partners_at_risk(label=label)) == []


def test_a_contract_silent_on_sublicensing_also_counts(team: Team, **_: Any) -> None:
    label = team.label
    partner = Partner.objects.create(label=label, name="Silent Co", kind="distributor")
    Contract.objects.create(
        label=label,
        title="Distribution",
        kind="distribution",
        partner=partner,
        ai_sublicensing="silent",
    )
    assert [p.name for p in partners_at_risk(label=label)] == ["Silent Co"]
    # Another label sees nothing of it.
    assert list(partners_at_risk(label=team.other_label)) == []
