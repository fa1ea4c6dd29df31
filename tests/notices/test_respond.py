"""The response link: the partner answers once, without an account; nothing else gets in."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from evidence.models import Alert, EvidenceItem
from notices.models import PartnerNotice
from notices.services.deadlines import notices_mark_overdue
from notices.services.notices import notice_close
from notices.services.responses import notice_for_token
from optout.models import LedgerEntry
from tests.notices.conftest import World, rendered_notice, sent_notice

pytestmark = pytest.mark.django_db

ANSWERS = {
    "ai_training__answer": "yes",
    "ai_training__explanation": "<script>alert(1)</script> We licensed stems to a lab.",
    "sublicensing__answer": "no",
    "datasets__answer": "no",
    "signals__answer": ["robots_txt", "tdmrep"],
    "signals__explanation": "<img src=http://127.0.0.1:9/x>",
}


def _url(token: str) -> str:
    return f"/n/{token}/"


def test_the_partner_sees_the_summary_and_answers_once(world: World, tmp_path: Path) -> None:
    notice, token = sent_notice(world, tmp_path)
    client = Client()
    page = client.get(_url(token))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Label A" in body and "Fjord Distribution AB" in body
    assert notice.deadline.isoformat() in body
    assert "train AI models" in body

    assert page["Referrer-Policy"] == "same-origin"  # not no-referrer: see the browser test
    answered = client.post(_url(token), ANSWERS)
    assert answered.status_code == 302
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.ANSWERED and notice.answered_at is not None
    assert notice.answers["ai_training"]["answer"] == "yes"
    assert notice.answers["signals"]["answer"] == ["robots_txt", "tdmrep"]
    entry = LedgerEntry.objects.for_label(world.label).get(action="notice.answer")
    assert entry.data["raises_risk"] is True
    assert EvidenceItem.objects.for_label(world.label).filter(blob__sha256=entry.sha256).exists()

    # Read-only afterwards: a second submission changes nothing.
    again = client.post(_url(token), {**ANSWERS, "ai_training__answer": "no"})
    assert again.status_code == 200
    notice.refresh_from_db()
    assert notice.answers["ai_training"]["answer"] == "yes"
    shown = client.get(_url(token)).content.decode()
    assert "can no longer be changed" in shown
    # The partner's text is shown as text.
    assert "<script>alert(1)</script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<img src=http://127.0.0.1:9/x>" not in shown


def test_an_incomplete_answer_is_refused_with_the_reason(world: World, tmp_path: Path) -> None:
    notice, token = sent_notice(world, tmp_path)
    page = Client().post(_url(token), {"ai_training__answer": "maybe"})
    assert page.status_code == 200
    assert "field-error" in page.content.decode()
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.SENT and notice.answers == {}


def _assert_not_found(response: Any) -> None:
    assert response.status_code == 404
    body = response.content.decode()
    assert "Label A" not in body and "Fjord" not in body


def test_wrong_closed_and_unsent_links_are_404_without_label_data(
    world: World, tmp_path: Path
) -> None:
    notice, token = sent_notice(world, tmp_path)
    client = Client()
    _assert_not_found(client.get(_url(token[:-1] + ("A" if token[-1] != "A" else "B"))))
    _assert_not_found(client.get(_url("short")))
    _assert_not_found(client.post(_url(secrets.token_urlsafe(32)), ANSWERS))

    PartnerNotice.objects.for_label(world.label).filter(pk=notice.pk).update(status="closed")
    _assert_not_found(client.get(_url(token)))
    _assert_not_found(client.post(_url(token), ANSWERS))

    # A draft's link (rendered, not sent yet) opens nothing either.
    draft, draft_token = rendered_notice(world, tmp_path)
    assert draft.status == PartnerNotice.Status.DRAFT
    _assert_not_found(client.get(_url(draft_token)))
    _assert_not_found(client.post(_url(draft_token), ANSWERS))
    assert not PartnerNotice.objects.for_label(world.label).filter(answered_at__isnull=False)


def test_a_thousand_guessed_tokens_find_nothing(world: World, tmp_path: Path) -> None:
    sent_notice(world, tmp_path)
    assert all(notice_for_token(secrets.token_urlsafe(32)) is None for _ in range(1000))


def test_guessing_over_http_is_rate_limited(world: World, tmp_path: Path) -> None:
    _notice, token = sent_notice(world, tmp_path)
    cache.clear()
    client = Client()
    statuses = [client.get(_url(secrets.token_urlsafe(32))).status_code for _ in range(30)]
    assert statuses == [404] * 30
    # Even the right link waits once the address has used its allowance.
    limited = client.get(_url(token))
    assert limited.status_code == 429
    assert "Fjord" not in limited.content.decode()


def _past_deadline(notice: PartnerNotice) -> PartnerNotice:
    """The deadline passes and the beat task marks the notice overdue."""
    PartnerNotice.objects.for_label(notice.label).filter(pk=notice.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    assert notices_mark_overdue() == 1
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.OVERDUE and notice.overdue_at is not None
    return notice


def test_an_overdue_notice_still_takes_a_late_answer(world: World, tmp_path: Path) -> None:
    notice, token = sent_notice(world, tmp_path)
    notice = _past_deadline(notice)
    alert = Alert.objects.for_label(world.label).get(kind=Alert.Kind.NOTICE_OVERDUE)
    assert alert.resolved_at is None

    client = Client()
    page = client.get(_url(token))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Fjord Distribution AB" in body and "Send the answers" in body
    answered = client.post(_url(token), ANSWERS)
    assert answered.status_code == 302

    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.ANSWERED and notice.answer_source == "link"
    assert notice.answers["ai_training"]["answer"] == "yes"
    # The label sees that the answer came late: both dates are kept.
    assert notice.overdue_at is not None and notice.answered_at is not None
    assert notice.answered_at > notice.overdue_at
    page = world.team.client_for(world.team.viewer).get(
        f"/l/{world.label.slug}/notices/{notice.code}/"
    )
    timeline = page.content.decode().split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert timeline.index("<strong>Overdue</strong>") < timeline.index("<strong>Answered</strong>")
    # "Has not answered" is no longer true: the overdue alert is resolved by the answer.
    resolved = Alert.objects.for_label(world.label).get(pk=alert.pk)
    assert resolved.resolved_at is not None and resolved.resolved_by is None  # the partner
    assert "can no longer be changed" in client.get(_url(token)).content.decode()


def test_closing_a_notice_ends_its_link_answered_or_not(world: World, tmp_path: Path) -> None:
    client = Client()
    # Overdue and never answered, then closed by the label: the link is gone.
    silent, silent_token = sent_notice(world, tmp_path)
    silent = _past_deadline(silent)
    alert = Alert.objects.for_label(world.label).get(kind=Alert.Kind.NOTICE_OVERDUE)
    notice_close(notice=silent, actor=world.team.rights)
    # Closed by the label, the notice waits on nobody: its overdue alert is resolved.
    alert.refresh_from_db()
    assert alert.resolved_at is not None and alert.resolved_by == world.team.rights
    _assert_not_found(client.get(_url(silent_token)))
    _assert_not_found(client.post(_url(silent_token), ANSWERS))
    silent.refresh_from_db()
    assert silent.status == PartnerNotice.Status.CLOSED and silent.answers == {}
    assert silent.answered_at is None

    # Answered, then closed: the read-only page with the answers is gone too.
    answered, token = sent_notice(world, tmp_path)
    assert client.post(_url(token), ANSWERS).status_code == 302
    assert client.get(_url(token)).status_code == 200
    notice_close(notice=answered, actor=world.team.rights)
    _assert_not_found(client.get(_url(token)))
    _assert_not_found(client.post(_url(token), {**ANSWERS, "ai_training__answer": "no"}))
    answered.refresh_from_db()
    assert answered.answers["ai_training"]["answer"] == "yes"
