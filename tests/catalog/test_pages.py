from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.entities import ENTITIES
from tests.conftest import Team

pytestmark = pytest.mark.django_db


def test_it_renders_every_list_detail_and_form_page(demo: Team) -> None:
    client = demo.client_for(demo.owner)
    slug = demo.label.slug
    assert client.get(reverse("catalog:index", args=[slug])).status_code == 200
    for entity in ENTITIES.values():
        listing = client.get(reverse(f"catalog:{entity.plural}", args=[slug]))
        assert listing.status_code == 200, entity.key
        obj = entity.model.objects.for_label(demo.label).first()  # type: ignore[attr-defined]
        assert obj is not None, entity.key
        assert str(obj.code) in listing.content.decode() or entity.key in {"contribution"}
        detail = client.get(reverse(f"catalog:{entity.key}", args=[slug, obj.code]))
        assert detail.status_code == 200, entity.key
        assert client.get(reverse(f"catalog:{entity.key}_new", args=[slug])).status_code == 200
        assert (
            client.get(reverse(f"catalog:{entity.key}_edit", args=[slug, obj.code])).status_code
            == 200
        )


def test_a_release_page_shows_the_territory_checklist_of_its_territories(demo: Team) -> None:
    from catalog.models import Release

    release = Release.objects.for_label(demo.label).get()
    client = demo.client_for(demo.viewer)
    page = client.get(reverse("catalog:release", args=[demo.label.slug, release.code]))
    text = page.content.decode()
    assert "Territory checklist" in text
    assert page.context["territory_checklist"].entries
    release.territories = []
    release.save()
    page = client.get(reverse("catalog:release", args=[demo.label.slug, release.code]))
    assert page.context["territory_checklist"] is None
