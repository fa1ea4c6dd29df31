"""Delivery reports: Mailgun's tracking webhook, signed as Mailgun signs it, moves notices."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from notices.models import PartnerNotice
from optout.models import LedgerEntry
from tests.notices.conftest import World, another_partner, sent_notice

pytestmark = pytest.mark.django_db

KEY = "key-" + "9" * 32
URL = "/anymail/mailgun/tracking/"


@pytest.fixture
def mailgun(settings: Any) -> None:
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


def _signature(key: str) -> dict[str, str]:
    """Mailgun's signature block: HMAC-SHA256 over timestamp + token with the signing key."""
    timestamp, token = str(int(time.time())), secrets.token_hex(25)
    digest = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": digest}


def _payload(notice: PartnerNotice, event: str, *, key: str = KEY) -> dict[str, Any]:
    """A webhook body in the shape of Mailgun's documented examples."""
    message_id = notice.message_id.strip("<>")  # Mailgun reports it without brackets
    data: dict[str, Any] = {
        "tags": [],
        "timestamp": time.time(),
        "storage": {"url": "https://se.api.mailgun.net/v3/domains/x/messages/abc", "key": "abc"},
        "envelope": {
            "transport": "smtp",
            "sender": "optout@mg.label.example",
            "sending-ip": "209.61.154.250",
            "targets": "legal@fjord.example",
        },
        "recipient-domain": "fjord.example",
        "id": "CPgfbmQMTCKtHW6uIWtuVe",
        "campaigns": [],
        "user-variables": {},
        "flags": {"is-routed": False, "is-authenticated": True, "is-test-mode": False},
        "log-level": "info",
        "message": {
            "headers": {
                "to": "legal@fjord.example",
                "message-id": message_id,
                "from": "Optout <optout@mg.label.example>",
                "subject": "Reservation of rights",
            },
            "attachments": [],
            "size": 48211,
        },
        "recipient": "legal@fjord.example",
        "event": event,
    }
    if event == "delivered":
        data["delivery-status"] = {
            "tls": True,
            "mx-host": "mx.fjord.example",
            "attempt-no": 1,
            "description": "",
            "session-seconds": 0.43,
            "utf8": True,
            "code": 250,
            "message": "OK",
            "certificate-verified": True,
        }
    else:
        data["log-level"] = "error"
        data["severity"] = "permanent"
        data["reason"] = "bounce"
        data["delivery-status"] = {
            "attempt-no": 1,
            "message": "550 5.1.1 The email account that you tried to reach does not exist",
            "code": 550,
            "description": "No such mailbox",
            "session-seconds": 0.1,
        }
    return {"signature": _signature(key), "event-data": data}


def _post(body: dict[str, Any]) -> Any:
    return Client().post(URL, data=json.dumps(body), content_type="application/json")


def test_a_signed_delivered_report_marks_the_notice_delivered(
    world: World, tmp_path: Path, mailgun: None
) -> None:
    notice, _token = sent_notice(world, tmp_path)
    assert notice.message_id.startswith("<") and notice.message_id.endswith(">")

    response = _post(_payload(notice, "delivered"))

    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.DELIVERED
    assert notice.delivered_at is not None
    entry = LedgerEntry.objects.for_label(world.label).get(action="notice.delivered")
    assert entry.data["recipient"] == "legal@fjord.example"
    # Mailgun retries a webhook it thinks failed: the same report again changes nothing.
    assert _post(_payload(notice, "delivered")).status_code == 200
    assert LedgerEntry.objects.for_label(world.label).filter(action="notice.delivered").count() == 1


def test_a_bounce_report_marks_another_notice_bounced(
    world: World, tmp_path: Path, mailgun: None
) -> None:
    delivered, _ = sent_notice(world, tmp_path)
    bounced, _ = sent_notice(another_partner(world, "Harbour Records Ltd"), tmp_path)

    assert _post(_payload(delivered, "delivered")).status_code == 200
    assert _post(_payload(bounced, "failed")).status_code == 200

    delivered.refresh_from_db()
    bounced.refresh_from_db()
    assert delivered.status == PartnerNotice.Status.DELIVERED
    assert bounced.status == PartnerNotice.Status.BOUNCED
    assert bounced.bounced_at is not None
    assert "No such mailbox" in bounced.delivery_note


def test_a_spam_complaint_is_recorded(world: World, tmp_path: Path, mailgun: None) -> None:
    notice, _ = sent_notice(world, tmp_path)
    body = _payload(notice, "delivered")
    assert _post(body).status_code == 200
    complaint = _payload(notice, "complained")
    complaint["event-data"].pop("delivery-status", None)
    complaint["event-data"].pop("severity", None)
    complaint["event-data"].pop("reason", None)
    assert _post(complaint).status_code == 200
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.COMPLAINED and notice.complained_at is not None
    assert LedgerEntry.objects.for_label(world.label).filter(action="notice.complained").exists()


def test_a_bad_signature_is_refused_and_changes_nothing(
    world: World, tmp_path: Path, mailgun: None
) -> None:
    notice, _ = sent_notice(world, tmp_path)
    forged = _payload(notice, "delivered", key="key-someone-else")

    response = _post(forged)

    assert response.status_code == 400
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.SENT
    assert not LedgerEntry.objects.for_label(world.label).filter(action="notice.delivered").exists()


def test_without_a_signing_key_the_webhook_is_absent(world: World, tmp_path: Path) -> None:
    notice, _ = sent_notice(world, tmp_path)
    # An empty key would make an empty-key HMAC "valid": the route answers 404 instead.
    assert _post(_payload(notice, "delivered", key="")).status_code == 404
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.SENT


def test_sent_through_mailgun_the_report_names_mailguns_id(
    world: World, tmp_path: Path, settings: Any, http_server: Any
) -> None:
    """The whole loop: anymail's Mailgun backend sends to Mailgun's API (a loopback
    stand-in answering as Mailgun does), the id Mailgun gives is kept, and Mailgun's signed
    report naming that id marks the notice delivered."""
    received: list[bytes] = []
    mailgun_id = "<20261206105900.1.ABCDEF0123456789@mg.label.example>"

    def messages_api(conn: Any) -> None:
        _head, _sep, body = conn.request.raw.partition(b"\r\n\r\n")
        length = int(conn.request.header("Content-Length") or 0)
        while len(body) < length:
            chunk = conn.sock.recv(65536)
            if not chunk:
                break
            body += chunk
        received.append(body)
        answer = json.dumps({"id": mailgun_id, "message": "Queued. Thank you."}).encode()
        conn.respond(answer, headers=[("Content-Type", "application/json")])

    http_server.route("/v3/mg.label.example/messages.mime", messages_api)
    http_server.route("/v3/mg.label.example/messages", messages_api)
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {
        "MAILGUN_API_KEY": "key-test",
        "MAILGUN_SENDER_DOMAIN": "mg.label.example",
        "MAILGUN_API_URL": http_server.url("/v3"),
        "MAILGUN_WEBHOOK_SIGNING_KEY": KEY,
    }

    notice, _token = sent_notice(world, tmp_path)

    assert len(received) == 1 and b"legal@fjord.example" in received[0]
    assert notice.message_id == mailgun_id
    assert _post(_payload(notice, "delivered")).status_code == 200
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.DELIVERED
