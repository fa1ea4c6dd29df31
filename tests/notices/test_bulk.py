"""Bulk notices with the real worker: one job notifies every partner of a release, or of
the whole catalog, lists the partner without a contact, and the mail reaches a real SMTP
server on loopback."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from catalog.models import Partner, PartnerContact, Release
from notices.models import NoticeBatch, PartnerNotice
from optout.models import Job, LedgerEntry
from tests.notices.conftest import World, another_partner
from tests.notices.test_send import _free_port, _Inbox
from tests.workers import Worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _assert_two_notified_and_the_silent_partner_listed(batch: Any, silent: Any) -> None:
    batch.refresh_from_db()
    assert sorted(r["name"] for r in batch.result["notices"]) == [
        "Fjord Distribution AB",
        "Harbour Records Ltd",
    ]
    # The partner without a contact is listed, not skipped silently.
    assert batch.result["without_contact"] == [
        {"partner": str(silent.code), "name": "Silent Shelf GmbH"}
    ]
    assert batch.result["failed"] == []


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
    _assert_two_notified_and_the_silent_partner_listed(batch, silent)

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


def test_one_job_notifies_every_partner_of_the_whole_catalog(
    world: World, worker_with_smtp: Any
) -> None:
    inbox, worker = worker_with_smtp
    first, second = world.releases
    # Fjord carries both albums; Harbour only the second; Silent Shelf has no contact; Idle
    # carries nothing of the catalog; Label B's partner belongs to another label.
    harbour = another_partner(world, "Harbour Records Ltd").partner
    harbour.releases.set([second])
    silent = another_partner(world, "Silent Shelf GmbH", email=None).partner
    silent.releases.set([first])
    idle = another_partner(world, "Idle Imports AB", email="idle@idle.example").partner
    idle.releases.clear()
    other = world.team.other_label
    outsider = Partner.objects.create(label=other, name="Outside Distro", kind="distributor")
    PartnerContact.objects.create(
        label=other, partner=outsider, name="Ops", email="ops@outside.example"
    )
    outsider.releases.set(
        [Release.objects.create(label=other, upc="0000000099999", title="Outside Album")]
    )
    slug = world.label.slug
    client = world.team.client_for(world.team.rights)
    bulk_url = reverse("notices:bulk", kwargs={"slug": slug})

    # With no release chosen, the page offers the whole catalog and lists who carries it.
    form = client.get(bulk_url).content.decode()
    assert '<option value="" selected>The whole catalog' in form
    carriers = form.split('id="partners-heading"', 1)[1].split("</section>", 1)[0]
    assert "Partners that carry the catalog" in carriers
    for name in ("Fjord Distribution AB", "Harbour Records Ltd", "Silent Shelf GmbH"):
        assert name in carriers
    assert "Idle Imports AB" not in carriers and "Outside Distro" not in carriers
    assert 'Silent Shelf GmbH <span class="pill warning">no contact</span>' in carriers

    response = client.post(bulk_url, {"release": "", "send": "on"})
    assert response.status_code == 302, response.content
    batch = NoticeBatch.objects.for_label(world.label).get()
    assert batch.scope == NoticeBatch.Scope.CATALOG and batch.release is None
    jobs = Job.objects.for_label(world.label).filter(kind="notices.bulk")
    assert list(jobs.values_list("pk", flat=True)) == [batch.job_id]

    job = wait_for(lambda: jobs.filter(status="done").first(), timeout=180, what="the bulk job")
    assert job.progress == 100, worker.output()
    _assert_two_notified_and_the_silent_partner_listed(batch, silent)

    notices = {
        n.partner.name: n
        for n in PartnerNotice.objects.for_label(world.label).select_related("partner")
    }
    assert set(notices) == {"Fjord Distribution AB", "Harbour Records Ltd"}
    for notice in notices.values():
        assert notice.scope == "catalog" and notice.job_id == job.pk
        assert notice.status == PartnerNotice.Status.SENT and notice.pdf is not None

    # Each notice covers what its partner carries: all of it for Fjord, one album for Harbour.
    def isrcs(release: Any) -> set[str]:
        return {t.recording.isrc for t in release.tracks.all()}

    fjord = notices["Fjord Distribution AB"].covered
    assert {r["isrc"] for r in fjord["recordings"]} == isrcs(first) | isrcs(second)
    assert len(fjord["releases"]) == 2
    covered = notices["Harbour Records Ltd"].covered
    assert {r["isrc"] for r in covered["recordings"]} == isrcs(second)
    assert [r["title"] for r in covered["releases"]] == [second.title]

    received = sorted(rcpt[0] for _f, rcpt, _raw in inbox.messages)
    assert received == ["legal@fjord.example", "ops@harbour.example"]
    for _sender, _rcpt, raw in inbox.messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]

    page = client.get(response["Location"]).content.decode()
    assert "Notices to the partners of the catalog" in page
    assert "Partners without a contact (not notified)" in page and "Silent Shelf GmbH" in page
    assert "Idle Imports AB" not in page
    request = LedgerEntry.objects.for_label(world.label).get(action="notices.bulk_request")
    assert request.data == {"scope": "catalog", "release": "", "send": True}
    done = LedgerEntry.objects.for_label(world.label).get(action="notices.bulk_done")
    assert done.data == {"notices": 2, "without_contact": 1, "failed": 0}
