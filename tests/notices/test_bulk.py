"""Bulk notices with the real worker: one job notifies every partner of a release, lists
the partner without a contact, and the mail reaches a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from notices.models import NoticeBatch, PartnerNotice
from optout.models import Job, LedgerEntry
from tests.notices.conftest import World, another_partner
from tests.notices.test_send import _free_port, _Inbox
from tests.workers import Worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker_with_smtp(worker_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setenv("OPTOUT_EMAIL", "smtp")
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(controller.port))
    worker: Worker = worker_factory()
    try:
        yield inbox, worker
    finally:
        controller.stop()


def test_one_job_notifies_every_partner_of_a_release(world: World, worker_with_smtp: Any) -> None:
    inbox, worker = worker_with_smtp
    harbour = another_partner(world, "Harbour Records Ltd").partner
    silent = another_partner(world, "Silent Shelf GmbH", email=None).partner
    release = world.releases[0]
    slug = world.label.slug
    client = world.team.client_for(world.team.rights)

    # The release page links to the bulk page with the release chosen.
    release_page = client.get(
        reverse("catalog:release", kwargs={"slug": slug, "code": release.code})
    )
    link = f"{reverse('notices:bulk', kwargs={'slug': slug})}?release={release.code}"
    assert link in release_page.content.decode()
    form = client.get(link).content.decode()
    assert f'value="{release.code}" selected' in form
    assert "Silent Shelf GmbH" in form and "no contact" in form

    response = client.post(
        reverse("notices:bulk", kwargs={"slug": slug}),
        {"release": str(release.code), "send": "on"},
    )
    assert response.status_code == 302, response.content
    batch = NoticeBatch.objects.for_label(world.label).get()
    assert response["Location"] == reverse(
        "notices:bulk_detail", kwargs={"slug": slug, "code": batch.code}
    )
    assert Job.objects.for_label(world.label).filter(kind="notices.bulk").count() == 1

    job = wait_for(
        lambda: Job.objects.for_label(world.label).filter(pk=batch.job_id, status="done").first(),
        timeout=180,
        what="the bulk job",
    )
    assert job.progress == 100, worker.output()
    batch.refresh_from_db()
    assert sorted(r["name"] for r in batch.result["notices"]) == [
        "Fjord Distribution AB",
        "Harbour Records Ltd",
    ]
    assert batch.result["without_contact"] == [
        {"partner": str(silent.code), "name": "Silent Shelf GmbH"}
    ]
    assert batch.result["failed"] == []

    notices = PartnerNotice.objects.for_label(world.label).order_by("partner__name")
    assert [n.partner for n in notices] == [world.partner, harbour]
    for notice in notices:
        assert notice.status == PartnerNotice.Status.SENT and notice.pdf is not None
        assert notice.scope == "releases" and list(notice.releases.all()) == [release]
        assert notice.job_id == job.pk  # one job made them all
        assert notice.message_id
    # Only one release is covered: the other album's ISRCs are not in the notice.
    assert {r["isrc"] for r in notices[0].covered["recordings"]} == {
        t.recording.isrc for t in release.tracks.all()
    }

    received = sorted(rcpt[0] for _f, rcpt, _raw in inbox.messages)
    assert received == ["legal@fjord.example", "ops@harbour.example"]
    message = email.message_from_bytes(inbox.messages[0][2], policy=email.policy.default)
    assert [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]

    page = client.get(response["Location"]).content.decode()
    assert "Partners without a contact" in page and "Silent Shelf GmbH" in page
    done = LedgerEntry.objects.for_label(world.label).get(action="notices.bulk_done")
    assert done.data == {"notices": 2, "without_contact": 1, "failed": 0}
