"""The beat task: one reminder before the deadline, then overdue."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from evidence.models import Alert
from notices.models import PartnerNotice
from notices.tasks import deadlines
from optout.models import LedgerEntry
from optout.services.blobs import blob_open
from tests.notices.conftest import World, sent_notice

pytestmark = pytest.mark.django_db


def _set_deadline(notice: PartnerNotice, days: int) -> None:
    PartnerNotice.objects.for_label(notice.label).filter(pk=notice.pk).update(
        deadline=timezone.localdate() + timedelta(days=days)
    )


def test_one_reminder_inside_the_window_then_overdue(
    world: World, tmp_path: Path, settings: Any
) -> None:
    settings.OPTOUT_NOTICE_REMINDER_DAYS = 5
    notice, _token = sent_notice(world, tmp_path)
    mail.outbox.clear()

    _set_deadline(notice, 6)
    deadlines()
    assert mail.outbox == []

    _set_deadline(notice, 5)
    deadlines()
    deadlines()
    assert len(mail.outbox) == 1
    reminder = mail.outbox[0]
    assert reminder.to == ["legal@fjord.example"]
    assert reminder.attachments[0][2] == "application/pdf"
    notice.refresh_from_db()
    assert notice.reminded_at is not None and notice.status == PartnerNotice.Status.SENT

    _set_deadline(notice, -1)
    deadlines()
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.OVERDUE and notice.overdue_at is not None
    actions = list(
        LedgerEntry.objects.for_label(world.label)
        .filter(action__in=["notice.remind", "notice.overdue"])
        .values_list("action", flat=True)
    )
    assert sorted(actions) == ["notice.overdue", "notice.remind"]
    assert len(mail.outbox) == 1
    # The reminder as sent is an evidence item of the notice; the overdue one an alert.
    reminder_item = notice.evidence_items.get(filename__endswith="-reminder.eml")
    with blob_open(reminder_item.blob) as handle:
        assert b"application/pdf" in handle.read()
    alert = Alert.objects.for_label(world.label).get(kind=Alert.Kind.NOTICE_OVERDUE)
    assert alert.subject_code == str(notice.code) and world.partner.name in alert.message
    deadlines()
    assert Alert.objects.for_label(world.label).filter(kind="notice_overdue").count() == 1


def test_answered_and_draft_notices_are_left_alone(world: World, tmp_path: Path) -> None:
    notice, _token = sent_notice(world, tmp_path)
    PartnerNotice.objects.for_label(world.label).filter(pk=notice.pk).update(
        status=PartnerNotice.Status.ANSWERED,
        deadline=timezone.localdate() - timedelta(days=1),
    )
    mail.outbox.clear()
    deadlines()
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.ANSWERED and mail.outbox == []
