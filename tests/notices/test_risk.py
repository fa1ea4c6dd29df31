"""Answers that admit training, sublicensing or dataset deals raise the partner's risk flag."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import PartnerRiskFlag
from catalog.selectors.risks import partner_open_risk_flags, partners_at_risk
from notices.services.responses import notice_answer
from tests.notices.conftest import World, another_partner, sent_notice

pytestmark = pytest.mark.django_db


def _values(*, training: str, datasets: str = "no") -> dict[str, dict[str, object]]:
    return {
        "ai_training": {"answer": training, "explanation": "Stems went to a lab."},
        "sublicensing": {"answer": "no", "explanation": ""},
        "datasets": {"answer": datasets, "explanation": ""},
        "signals": {"answer": ["robots_txt"], "explanation": ""},
    }


def test_a_yes_raises_the_flag_shown_on_the_partner_page_and_the_dashboard(
    world: World, tmp_path: Path
) -> None:
    notice, token = sent_notice(world, tmp_path)
    notice_answer(token=token, values=_values(training="yes", datasets="yes"))

    flags = list(partner_open_risk_flags(partner=world.partner))
    assert len(flags) == 1
    flag = flags[0]
    assert flag.source == PartnerRiskFlag.Source.NOTICE_ANSWER
    assert flag.subject_type == "notices.partnernotice" and flag.subject_code == str(notice.code)
    assert "train AI models" in flag.reason and "datasets" in flag.reason
    assert world.partner in list(partners_at_risk(label=world.label))

    client = Client()
    client.force_login(world.team.owner)
    home = client.get(f"/l/{world.label.slug}/").content.decode()
    assert "1 partner may pass the catalog on to AI training" in home
    page = client.get(
        reverse("catalog:partner", kwargs={"slug": world.label.slug, "code": world.partner.code})
    )
    assert page.status_code == 200
    assert "train AI models" in page.content.decode()


def test_no_to_every_risk_question_raises_nothing(world: World, tmp_path: Path) -> None:
    other = another_partner(world, "Harbour Records Ltd")
    _notice, token = sent_notice(other, tmp_path)
    notice_answer(token=token, values=_values(training="no"))
    assert list(partner_open_risk_flags(partner=other.partner)) == []
    assert other.partner not in list(partners_at_risk(label=world.label))
