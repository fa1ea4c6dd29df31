"""Forms and API: field errors, per-label uniqueness, tenancy, deletion rules, risk flags."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from catalog.entities import ENTITIES
from catalog.models import Contract, ContributionRecord, Recording, Release
from catalog.services.entities import entity_create
from optout.models import LedgerEntry
from tests.catalog.conftest import api, errors_of
from tests.conftest import Team

pytestmark = pytest.mark.django_db


def make(team: Team, key: str, label: Any = None, **data: Any) -> Any:
    return entity_create(
        entity=ENTITIES[key], label=label or team.label, actor=team.owner, data=data
    )


def post_json(client: Any, url: str, data: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


# --- identifiers everywhere ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "field", "value", "fragment"),
    [
        ("recording", "isrc", "XX-SKG-19-12345", "not an allocated ISRC prefix"),
        ("recording", "isrc", "US-SKG-9-12345", "12 characters"),
        ("work", "iswc", "T-034.524.680-2", "check digit"),
        ("release", "upc", "036000291453", "check digit"),
        ("party", "ipi", "I-000000229-7", "IPI base number"),
        ("party", "isni", "0000000122819550", "check character"),
        ("release", "territories", "UK", "GB"),
    ],
)
def test_a_bad_identifier_is_a_field_error_in_the_form_and_the_api(
    team: Team, key: str, field: str, value: str, fragment: str
) -> None:
    client = team.client_for(team.owner)
    entity = ENTITIES[key]
    base = {
        "recording": {"title": "T"},
        "work": {"title": "T"},
        "party": {"name": "N", "kind": "person"},
        "release": {"title": "T", "release_type": "single"},
    }[key]
    if key == "recording":
        base.update(dict.fromkeys(Recording.AI_FIELDS, "unknown"))
    before = entity.model.objects.for_label(team.label).count()  # type: ignore[attr-defined]

    page = client.post(
        reverse(f"catalog:{key}_new", args=[team.label.slug]), {**base, field: value}
    )
    assert page.status_code == 400
    assert fragment in page.context["form"].errors[field][0]

    response = post_json(client, api(team.label.slug, f"{entity.plural}/"), {**base, field: value})
    assert response.status_code == 400
    assert fragment in " ".join(errors_of(response)[field])
    assert entity.model.objects.for_label(team.label).count() == before  # type: ignore[attr-defined]


def test_identifiers_are_stored_normalised(team: Team) -> None:
    client = team.client_for(team.a_r)
    response = post_json(
        client,
        api(team.label.slug, "recordings/"),
        {"title": "Song", "isrc": "se-abc-26-00001", "duration_ms": 180000},
    )
    assert response.status_code == 201, response.content
    assert response.json()["isrc"] == "SEABC2600001"
    page = client.post(
        reverse("catalog:release_new", args=[team.label.slug]),
        {
            "title": "Single",
            "release_type": "single",
            "upc": "0 36000 29145 2",
            "territories": "Worldwide",
            "excluded_territories": "us, ca",
        },
    )
    assert page.status_code == 302
    release = Release.objects.for_label(team.label).get()
    assert (release.upc, release.territories, release.excluded_territories) == (
        "0036000291452",
        ["Worldwide"],
        ["US", "CA"],
    )


def test_an_isrc_is_unique_per_label_only(team: Team) -> None:
    make(team, "recording", title="First", isrc="SEABC2600001")
    make(team, "recording", label=team.other_label, title="Theirs", isrc="SEABC2600001")
    client = team.client_for(team.owner)
    response = post_json(
        client, api(team.label.slug, "recordings/"), {"title": "Again", "isrc": "SE-ABC-26-00001"}
    )
    assert response.status_code == 400
    assert "already has this ISRC" in errors_of(response)["isrc"][0]
    page = client.post(
        reverse("catalog:recording_new", args=[team.label.slug]),
        {"title": "Again", "isrc": "SEABC2600001", **dict.fromkeys(Recording.AI_FIELDS, "unknown")},
    )
    assert "already has this ISRC" in page.context["form"].errors["isrc"][0]


def test_exclusions_without_worldwide_are_refused(team: Team) -> None:
    client = team.client_for(team.owner)
    response = post_json(
        client,
        api(team.label.slug, "releases/"),
        {"title": "X", "territories": ["SE"], "excluded_territories": ["NO"]},
    )
    assert response.status_code == 400
    assert "excluded_territories" in errors_of(response)


def test_a_contract_cannot_end_before_it_starts(team: Team) -> None:
    client = team.client_for(team.rights)
    response = post_json(
        client,
        api(team.label.slug, "contracts/"),
        {"title": "X", "kind": "sync", "starts_on": "2026-05-01", "ends_on": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "ends_on" in errors_of(response)


# --- tenancy (TEN-3, TEN-4) ----------------------------------------------------------------


def test_another_labels_ids_in_a_body_are_field_errors_and_write_nothing(team: Team) -> None:
    their_work = make(team, "work", label=team.other_label, title="Theirs")
    their_party = make(team, "party", label=team.other_label, name="Their singer")
    their_recording = make(
        team, "recording", label=team.other_label, title="Theirs", isrc="SEABC2600009"
    )
    client = team.client_for(team.owner)
    slug = team.label.slug
    ledger_before = LedgerEntry.objects.for_label(team.label).count()

    response = post_json(
        client,
        api(slug, "recordings/"),
        {
            "title": "Mine",
            "work": str(their_work.code),
            "performers": [{"party": str(their_party.code), "role": "vocalist"}],
        },
    )
    assert response.status_code == 400
    fields = errors_of(response)
    assert "work" in fields and "performers" in fields
    response = post_json(
        client,
        api(slug, "contracts/"),
        {"title": "Deal", "kind": "sync", "recordings": [str(their_recording.code)]},
    )
    assert response.status_code == 400 and "recordings" in errors_of(response)
    # The HTML form looks records up in the label too: another label's code is unknown.
    page = client.post(
        reverse("catalog:contribution_new", args=[slug]),
        {"recording": str(their_recording.code), "kind": "midi", "title": "x"},
    )
    assert page.status_code == 400 and "recording" in page.context["form"].errors

    assert Recording.objects.for_label(team.label).count() == 0
    assert Contract.objects.for_label(team.label).count() == 0
    assert ContributionRecord.objects.for_label(team.label).count() == 0
    assert LedgerEntry.objects.for_label(team.label).count() == ledger_before


def test_filters_and_search_never_reach_another_label(team: Team) -> None:
    mine = make(team, "recording", title="River Song", isrc="SEABC2600001")
    theirs = make(
        team, "recording", label=team.other_label, title="River Song", isrc="SEABC2600002"
    )
    their_release = make(team, "release", label=team.other_label, title="Theirs")
    client = team.client_for(team.viewer)
    slug = team.label.slug
    found = client.get(api(slug, "recordings/"), {"q": "river"}).json()["results"]
    assert [r["id"] for r in found] == [str(mine.code)]
    assert client.get(api(slug, "recordings/"), {"q": "SEABC2600002"}).json()["results"] == []
    assert (
        client.get(api(slug, "recordings/"), {"release": str(their_release.code)}).json()["results"]
        == []
    )
    page = client.get(reverse("catalog:recordings", args=[slug]), {"q": "river"})
    assert str(mine.code) in page.content.decode() and str(theirs.code) not in page.content.decode()
    assert client.get(api(slug, "recordings/"), {"work": "not-a-uuid"}).status_code == 400
    # The API checks and applies the filters a request names, beside a search too.
    assert client.get(api(slug, "recordings/"), {"q": "river", "ai": "bogus"}).status_code == 400
    assert client.get(api(slug, "recordings/"), {"q": "river", "has_isrc": "no"}).json() == {
        "next": None,
        "previous": None,
        "results": [],
    }
    yes = client.get(api(slug, "recordings/"), {"q": "river", "has_isrc": "yes"}).json()
    assert [r["id"] for r in yes["results"]] == [str(mine.code)]


def test_keyset_pages_walk_every_row_once_in_order(team: Team) -> None:
    for n in range(7):
        make(team, "recording", title=f"Song {n % 3}", isrc=f"SEABC26{n:05d}")
    client = team.client_for(team.viewer)
    seen: list[str] = []
    url: str | None = api(team.label.slug, "recordings/") + "?page_size=3&sort=-title"
    while url:
        body = client.get(url).json()
        seen += [r["title"] for r in body["results"]]
        url = body["next"]
    assert sorted(seen, reverse=True) == seen and len(seen) == 7
    assert client.get(api(team.label.slug, "recordings/"), {"cursor": "garbage"}).status_code == 400


# --- deleting ------------------------------------------------------------------------------


def test_a_recording_with_documentation_cannot_be_deleted(team: Team) -> None:
    recording = make(team, "recording", title="Kept", isrc="SEABC2600001")
    make(team, "contribution", recording=recording, kind="stems", title="Stems")
    client = team.client_for(team.owner)
    response = client.delete(api(team.label.slug, f"recordings/{recording.code}/"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "protected"
    assert "Contribution records" in response.json()["error"]["message"]
    page = client.post(
        reverse("catalog:recording_delete", args=[team.label.slug, recording.code]), follow=True
    )
    assert "cannot be deleted" in page.content.decode()
    assert Recording.objects.for_label(team.label).filter(pk=recording.pk).exists()


def test_deleting_a_free_record_works_and_is_logged(team: Team) -> None:
    work = make(team, "work", title="Gone", iswc="T0345246801")
    client = team.client_for(team.a_r)
    assert client.delete(api(team.label.slug, f"works/{work.code}/")).status_code == 204
    assert LedgerEntry.objects.for_label(team.label).filter(action="catalog.work.deleted").exists()


# --- risk flags ----------------------------------------------------------------------------


def test_silent_sublicensing_is_flagged_on_partner_contracts_only(team: Team) -> None:
    partner = make(team, "partner", name="Distro", kind="distributor")
    flagged = make(
        team,
        "contract",
        title="Distro deal",
        kind="distribution",
        partner=partner,
        ai_sublicensing="silent",
    )
    make(team, "contract", title="Producer deal", kind="producer", ai_sublicensing="silent")
    make(
        team,
        "contract",
        title="Safe deal",
        kind="distribution",
        partner=partner,
        ai_sublicensing="prohibited",
    )
    client = team.client_for(team.viewer)
    found = client.get(api(team.label.slug, "contracts/"), {"flag": "silent_sublicensing"}).json()
    assert [c["id"] for c in found["results"]] == [str(flagged.code)]
    detail = client.get(api(team.label.slug, f"contracts/{flagged.code}/")).json()
    assert detail["flags"] == ["silent_sublicensing"]
    page = client.get(reverse("catalog:contract", args=[team.label.slug, flagged.code]))
    assert "Silent sublicensing" in page.content.decode()


def test_voice_not_covered_until_a_contract_names_the_vocalist_with_a_voice_clause(
    team: Team,
) -> None:
    singer = make(team, "party", name="Singer", roles=["vocalist"])
    work = make(team, "work", title="Tune")
    recording = make(
        team,
        "recording",
        title="Tune",
        isrc="SEABC2600001",
        work=work,
        performers=[{"party": singer, "role": "vocalist"}],
    )
    make(team, "recording", title="Instrumental", isrc="SEABC2600002")
    client = team.client_for(team.viewer)
    slug = team.label.slug

    def flagged() -> list[str]:
        body = client.get(api(slug, "recordings/"), {"flag": "voice_not_covered"}).json()
        return [r["id"] for r in body["results"]]

    assert flagged() == [str(recording.code)]
    # A contract that names the singer but is silent on voice does not cover it.
    make(
        team,
        "contract",
        title="Silent",
        kind="vocalist",
        parties=[singer],
        works=[work],
        ai_voice="silent",
    )
    assert flagged() == [str(recording.code)]
    # One that decides voice modelling, covering the work, does.
    make(
        team,
        "contract",
        title="Voice",
        kind="vocalist",
        parties=[singer],
        works=[work],
        ai_voice="prohibited",
    )
    assert flagged() == []
    assert client.get(api(slug, f"recordings/{recording.code}/")).json()["flags"] == []


def test_the_dashboard_shows_catalog_counts_and_flags(demo: Team) -> None:
    page = demo.client_for(demo.viewer).get(reverse("dashboard", args=[demo.label.slug]))
    text = page.content.decode()
    assert "1 partner contract is silent on or permits AI sublicensing" in text
    assert "1 recording has a vocalist without a voice clause" in text


def test_writers_shares_cannot_exceed_100_percent(team: Team) -> None:
    writer = make(team, "party", name="Writer")
    publisher = make(team, "party", name="Publisher")
    work = make(team, "work", title="Song")
    client = team.client_for(team.a_r)
    url = reverse("catalog:work_writers_add", args=[team.label.slug, work.code])
    ok = client.post(
        url, {"writers-party": str(writer.code), "writers-role": "composer", "writers-share": "60"}
    )
    assert ok.status_code == 302
    too_much = client.post(
        url,
        {"writers-party": str(publisher.code), "writers-role": "publisher", "writers-share": "50"},
    )
    assert too_much.status_code == 400
    assert "110" in too_much.context["child_forms"]["writers"].errors["share"][0]
    response = post_json(
        client,
        api(team.label.slug, f"works/{work.code}/"),
        {
            "writers": [
                {"party": str(writer.code), "role": "composer", "share": "70"},
                {"party": str(publisher.code), "role": "publisher", "share": "40"},
            ]
        },
        method="patch",
    )
    assert response.status_code == 400 and "share" in errors_of(response)
