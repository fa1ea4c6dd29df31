"""The notice pages: rights creates and sends, the viewer reads, markup stays text."""

from __future__ import annotations

import pytest
from django.core import mail

from notices.models import PartnerNotice
from notices.services.notices import notice_create, notice_render
from optout.models import Job
from tests.conftest import Team
from tests.notices.conftest import World, catalog_for

pytestmark = pytest.mark.django_db


def _base(world: World) -> str:
    return f"/l/{world.label.slug}/notices/"


def test_rights_creates_a_notice_in_the_partners_language(world: World) -> None:
    world.partner.territories = ["DE"]
    world.partner.save()
    client = world.team.client_for(world.team.rights)
    assert client.get(_base(world) + "new/").status_code == 200
    response = client.post(
        _base(world) + "new/", {"partner": str(world.partner.code), "scope": "catalog"}
    )
    assert response.status_code == 302
    notice = PartnerNotice.objects.for_label(world.label).get()
    assert response["Location"] == f"{_base(world)}{notice.code}/"
    assert notice.language == "de" and notice.status == "draft"
    assert Job.objects.for_label(world.label).filter(kind="notices.render").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Draft translation" in page
    assert "Notices" in client.get(_base(world)).content.decode()


def test_a_bad_form_says_what_is_wrong(world: World) -> None:
    client = world.team.client_for(world.team.rights)
    response = client.post(
        _base(world) + "new/", {"partner": str(world.partner.code), "scope": "releases"}
    )
    assert response.status_code == 400
    assert "Choose at least one release." in response.content.decode()
    assert not PartnerNotice.objects.for_label(world.label).exists()


def test_viewer_reads_but_cannot_create_or_send(world: World) -> None:
    notice = notice_render(
        notice=notice_create(
            label=world.label, partner=world.partner, scope="catalog", language="en", actor=None
        ),
        actor=None,
    )
    viewer = world.team.client_for(world.team.viewer)
    assert viewer.get(f"{_base(world)}{notice.code}/").status_code == 200
    pdf = viewer.get(f"{_base(world)}{notice.code}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert viewer.post(f"{_base(world)}{notice.code}/send/").status_code == 403
    assert viewer.post(_base(world) + "new/", {}).status_code == 403
    assert not Job.objects.for_label(world.label).filter(kind="notices.send").exists()

    rights = world.team.client_for(world.team.rights)
    sent = rights.post(f"{_base(world)}{notice.code}/send/")
    assert sent.status_code == 302
    job = Job.objects.for_label(world.label).get(kind="notices.send")
    assert sent["Location"] == f"/l/{world.label.slug}/jobs/{job.code}/"
    assert mail.outbox == []  # the job sends; the request only queued it


def test_hostile_partner_names_are_escaped_in_pages(team: Team) -> None:
    name = '<img src="http://127.0.0.1:9/x"><script>alert(1)</script>'
    world = catalog_for(team.label, partner_name=name)
    notice = notice_create(
        label=team.label, partner=world.partner, scope="catalog", language="en", actor=None
    )
    client = team.client_for(team.owner)
    for url in (f"/l/{team.label.slug}/notices/", f"/l/{team.label.slug}/notices/{notice.code}/"):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert '<img src="http://127.0.0.1:9/x">' not in body
        assert "&lt;script&gt;" in body
