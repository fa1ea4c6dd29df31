"""Sending a notice: a real SMTP server on loopback receives it with the PDF attached."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from evidence.models import EvidenceItem
from notices.models import PartnerNotice
from notices.services.notices import notice_create, notice_render, notice_send
from optout.jobs import JobFailure
from optout.models import LedgerEntry
from optout.services.blobs import blob_open
from tests.notices.conftest import World

pytestmark = pytest.mark.django_db


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smtp(settings: Any) -> Iterator[_Inbox]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


def _notice(world: World) -> PartnerNotice:
    notice = notice_create(
        label=world.label,
        partner=world.partner,
        scope="catalog",
        language="sv",
        actor=world.team.rights,
    )
    return notice_render(notice=notice, actor=world.team.rights)


def test_the_partner_receives_the_pdf_and_the_label_keeps_what_was_sent(
    world: World, smtp: _Inbox
) -> None:
    notice = _notice(world)
    assert notice.pdf is not None
    with blob_open(notice.pdf) as handle:
        rendered = handle.read()

    notice = notice_send(notice=notice, actor=world.team.rights)

    assert len(smtp.messages) == 1
    _sender, recipients, raw = smtp.messages[0]
    assert recipients == ["legal@fjord.example"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    attachments = list(message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content() == rendered
    assert "Förbehåll" in message["Subject"]

    assert notice.status == PartnerNotice.Status.SENT and notice.sent_at is not None
    assert notice.sent_message is not None
    with blob_open(notice.sent_message) as handle:
        stored = email.message_from_bytes(handle.read(), policy=email.policy.default)
    assert stored["X-Optout-Notice"] == str(notice.code)
    item = EvidenceItem.objects.for_label(world.label).get(blob=notice.sent_message)
    assert item.kind == "correspondence"
    actions = list(
        LedgerEntry.objects.for_label(world.label)
        .filter(action__startswith="notice.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["notice.create", "notice.render", "notice.send"]

    # Sending again is a no-op: the partner gets one letter.
    notice_send(notice=notice, actor=world.team.rights)
    assert len(smtp.messages) == 1


def test_a_partner_without_a_contact_fails_with_the_reason(world: World, smtp: _Inbox) -> None:
    notice = _notice(world)
    world.partner.contacts.all().delete()
    with pytest.raises(JobFailure, match="no contact with an e-mail address"):
        notice_send(notice=notice, actor=world.team.rights)
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.DRAFT
    assert smtp.messages == []
