"""The territory map: seeded regions, label copies, territory checklists."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from optout.models import LedgerEntry
from optout.policy.models import SignalKind, Territory
from optout.policy.services.terms import terms_approve, terms_draft_save
from optout.policy.services.territories import (
    territory_checklist,
    territory_map,
    territory_note_reset,
    territory_note_save,
)
from tests.conftest import Team

BRIEF = ["us", "eu-eea", "uk", "cn", "jp", "kr", "br", "ru", "tr", "id", "es-markets", "ar-markets"]


@pytest.mark.django_db
def test_the_map_is_seeded_with_every_region_of_the_brief() -> None:
    regions = list(Territory.objects.all())
    assert [r.key for r in regions] == BRIEF
    for region in regions:
        assert region.reading and region.legal_hook and region.notice_route, region.key
        assert region.checklist and region.required_signals, region.key
        assert set(region.required_signals + region.recommended_signals) <= set(SignalKind.values)
        assert region.countries and all(len(c) == 2 and c.isupper() for c in region.countries)
    by_key = {r.key: r for r in regions}
    assert "GB" not in by_key["eu-eea"].countries and by_key["uk"].countries == ["GB"]
    assert {"DE", "SE", "ES", "NO", "IS", "LI"} <= set(by_key["eu-eea"].countries)
    assert "Art. 4(3) Directive (EU) 2019/790" in by_key["eu-eea"].legal_hook
    assert "30-4" in by_key["jp"].legal_hook


def test_a_release_checklist_merges_every_region_its_territories_touch(team: Team) -> None:
    result = territory_checklist(label=team.label, territories=["ES", "MX", "JP", "AQ"])
    assert [e.key for e in result.entries] == ["eu-eea", "jp", "es-markets"]
    assert {e.key: e.countries for e in result.entries}["es-markets"] == ("ES", "MX")
    assert result.unmapped == ("AQ",)


def test_worldwide_with_exclusions_leaves_out_fully_excluded_regions(team: Team) -> None:
    result = territory_checklist(
        label=team.label,
        territories=["Worldwide"],
        excluded=["RU", "CN", "US", "PR", "GU", "VI", "AS", "MP"],
    )
    keys = [e.key for e in result.entries]
    assert "ru" not in keys and "cn" not in keys and "us" not in keys
    assert "es-markets" in keys
    es = next(e for e in result.entries if e.key == "es-markets")
    assert "PR" not in es.countries


@pytest.mark.parametrize("codes", [["UK"], ["WW"], ["worldwide"], ["SE", "XX"]])
def test_invalid_territory_codes_are_named_in_the_error(team: Team, codes: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        territory_checklist(label=team.label, territories=codes)
    assert "territories" in caught.value.message_dict
    assert codes[-1] in caught.value.message_dict["territories"][0]


def test_signal_statuses_follow_the_policy_and_the_approved_terms(team: Team) -> None:
    def status(key: str, kind: str) -> bool | None:
        entry = next(
            e
            for e in territory_checklist(label=team.label, territories=["BR", "SE"]).entries
            if e.key == key
        )
        return next(s.met for s in (*entry.required, *entry.recommended) if s.kind == kind)

    assert status("eu-eea", "robots") is True
    assert status("eu-eea", "tdmrep") is True
    assert status("br", "terms") is False
    assert status("br", "contracts") is None
    terms_approve(
        draft=terms_draft_save(
            label=team.label, channel="website", language="en", actor=team.rights
        ),
        actor=team.owner,
    )
    assert status("br", "terms") is False, "Brazil asks for terms in Brazilian Portuguese"
    assert status("eu-eea", "terms") is True
    terms_approve(
        draft=terms_draft_save(
            label=team.label, channel="website", language="pt-BR", actor=team.rights
        ),
        actor=team.owner,
    )
    assert status("br", "terms") is True


def test_a_label_copy_overrides_the_seed_for_that_label_only(team: Team) -> None:
    region = Territory.objects.get(key="kr")
    values = {
        "reading": "Our counsel's reading.",
        "legal_hook": "Art. 35-5.",
        "required_signals": ["terms", "robots"],
        "recommended_signals": [],
        "disclosure": "",
        "notice_route": "KCOPA.",
        "checklist": ["Translate terms."],
    }
    note = territory_note_save(label=team.label, region=region, actor=team.rights, values=values)
    mine = next(e for e in territory_map(label=team.label) if e.key == "kr")
    theirs = next(e for e in territory_map(label=team.other_label) if e.key == "kr")
    assert mine.customised and mine.reading == "Our counsel's reading."
    assert not theirs.customised and theirs.reading == region.reading
    assert LedgerEntry.objects.for_label(team.label).filter(action="territory.customised").exists()
    territory_note_reset(note=note, actor=team.rights)
    assert not next(e for e in territory_map(label=team.label) if e.key == "kr").customised


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reading": "  "}, "reading"),
        ({"required_signals": ["telepathy"]}, "required_signals"),
        ({"recommended_signals": ["terms"]}, "recommended_signals"),
    ],
)
def test_a_bad_territory_copy_is_refused_with_field_errors(
    team: Team, change: dict[str, object], field: str
) -> None:
    values = {
        "reading": "R",
        "legal_hook": "H",
        "required_signals": ["terms"],
        "recommended_signals": [],
        "disclosure": "",
        "notice_route": "",
        "checklist": [],
    }
    with pytest.raises(ValidationError) as caught:
        territory_note_save(
            label=team.label,
            region=Territory.objects.get(key="tr"),
            actor=team.rights,
            values={**values, **change},
        )
    assert field in caught.value.message_dict


def test_the_territory_pages_and_api(team: Team) -> None:
    viewer = team.client_for(team.viewer)
    page = viewer.get(reverse("policy:territories", args=["label-a"]) + "?territories=BR")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lei 9.610/1998" in html and "not legal advice" in html and "South Korea" not in html
    bad = viewer.get(reverse("policy:territories", args=["label-a"]) + "?territories=UK")
    assert bad.status_code == 400 and "GB, not UK" in bad.content.decode()
    url = reverse("policy:territory", args=["label-a", "tr"])
    assert viewer.post(url, {"reading": "x", "legal_hook": "y"}).status_code == 403
    rights = team.client_for(team.rights)
    response = rights.post(
        url,
        {
            "reading": "Ours.",
            "legal_hook": "FSEK.",
            "required_signals": ["terms"],
            "checklist": "One\nTwo",
        },
    )
    assert response.status_code == 302
    api = reverse("api:policy:territory-checklist", args=["label-a"])
    body = viewer.get(api + "?territories=TR").json()
    assert body["entries"][0]["reading"] == "Ours."
    assert body["entries"][0]["checklist"] == ["One", "Two"]
    error = viewer.get(api + "?territories=UK").json()["error"]
    assert "territories" in error["fields"]
    assert team.client_for(team.outsider).get(api + "?territories=TR").status_code == 404
    assert viewer.get(reverse("policy:territory", args=["label-a", "atlantis"])).status_code == 404
