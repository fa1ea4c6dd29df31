"""Code fields accept the public identifiers, and pickers search as you type: the lookup
endpoint per kind, label-scoped, and the policy's catalog scope given as ISRC/UPC/ISWC."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.forms import ContractForm
from catalog.models import Partner, Recording, Release, Work
from evidence.services.items import evidence_item_from_bytes
from optout.policy.services.policy import policy_draft_save
from tests.conftest import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(team: Team) -> dict[str, object]:
    return {
        "recording": Recording.objects.create(
            label=team.label, title="Nattens Ljus", isrc="SEA1B2600001"
        ),
        "release": Release.objects.create(
            label=team.label, title="Nattens Ljus EP", upc="0036000291452"
        ),
        "work": Work.objects.create(label=team.label, title="Nattens Ljus", iswc="T0345246801"),
        "elsewhere": Recording.objects.create(
            label=team.other_label, title="Nattens Ljus", isrc="SEA1B2600002"
        ),
    }


def test_the_policy_scope_takes_isrc_upc_and_iswc_in_any_usual_spelling(
    team: Team, catalog: dict[str, object]
) -> None:
    draft = policy_draft_save(
        label=team.label,
        actor=team.rights,
        values={
            "scope_catalog": {
                "all": False,
                "recordings": ["se-a1b-26-00001"],
                "releases": ["036000 291452"],
                "works": ["T-034.524.680-1"],
            }
        },
    )
    assert draft.scope_catalog == {
        "all": False,
        "recordings": [str(catalog["recording"].code)],  # type: ignore[attr-defined]
        "releases": [str(catalog["release"].code)],  # type: ignore[attr-defined]
        "works": [str(catalog["work"].code)],  # type: ignore[attr-defined]
    }


def test_an_identifier_of_no_record_of_the_label_is_named(
    team: Team, catalog: dict[str, object]
) -> None:
    with pytest.raises(ValidationError) as caught:
        policy_draft_save(
            label=team.label,
            actor=team.rights,
            # Well formed, but the label has no such recording (another label has).
            values={"scope_catalog": {"all": False, "recordings": ["SE-A1B-26-00002"]}},
        )
    [message] = caught.value.message_dict["scope_catalog"]
    assert "“SE-A1B-26-00002” names no recording of this label" in message
    with pytest.raises(ValidationError) as caught:
        policy_draft_save(
            label=team.label,
            actor=team.rights,
            values={"scope_catalog": {"all": False, "recordings": ["SE-A1B-26-0000"]}},
        )
    assert any("“SE-A1B-26-0000”: " in m for m in caught.value.message_dict["scope_catalog"])


def test_the_policy_form_suggests_records_and_shows_identifiers_back(
    team: Team, catalog: dict[str, object]
) -> None:
    client = team.client_for(team.rights)
    page = client.get(reverse("policy:draft", args=["label-a"])).content.decode()
    assert 'data-lookup="recordings"' in page and 'data-lookup="releases"' in page
    response = client.post(
        reverse("policy:draft", args=["label-a"]),
        {
            **{f"use_{use}": "reserved" for use in (
                "ai_train", "genai_train", "tdm", "ai_input", "voice_likeness", "dataset_resale"
            )},
            "use_search": "allowed",
            "scope_paths": "/",
            "catalog_recordings": "se a1b 26 00001",
            "catalog_works": "T-034.524.680-1",
            "noarchive": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(reverse("policy:draft", args=["label-a"])).content.decode()
    # Stored as codes, shown as the identifiers people know.
    assert ">\nSE-A1B-26-00001</textarea>" in page
    assert ">\nT-034.524.680-1</textarea>" in page
    assert str(catalog["recording"].code) not in page  # type: ignore[attr-defined]


def test_the_lookup_endpoint_searches_one_label_as_the_user_types(
    team: Team, catalog: dict[str, object]
) -> None:
    client = team.client_for(team.viewer)

    def search(kind: str, q: str, **extra: str) -> list[dict[str, str]]:
        url = reverse("lookup", args=["label-a", kind])
        response = client.get(url, {"q": q, **extra})
        assert response.status_code == 200
        return response.json()["results"]  # type: ignore[no-any-return]

    found = search("recordings", "natt")
    assert found == [{"value": "SE-A1B-26-00001", "text": "Nattens Ljus — SE-A1B-26-00001"}]
    assert search("recordings", "SEA1B2600001")[0]["value"] == "SE-A1B-26-00001"
    assert search("recordings", "SE-A1B-26-00002") == []  # another label's
    assert search("releases", "EP")[0]["value"] == "036000291452"
    assert search("works", "ljus")[0]["value"] == "T-034.524.680-1"
    assert search("recordings", "n") == []  # one letter asks nothing
    Partner.objects.create(label=team.label, name="Example Distribution", kind="distributor")
    assert search("partners", "example")[0]["value"] == "Example Distribution"
    item = evidence_item_from_bytes(
        label=team.label, actor=team.owner, data=b"letter", filename="letter.txt",
        title="Letter from the platform", kind="correspondence",
    )  # fmt: skip
    assert search("matter-items", "platform", within="evidence")[0]["value"] == str(item.code)
    assert search("matter-items", "platform", within="capture") == []
    assert (
        client.get(reverse("lookup", args=["label-a", "nothing"]), {"q": "ab"}).status_code == 404
    )
    outsider = team.client_for(team.outsider)
    assert (
        outsider.get(reverse("lookup", args=["label-a", "recordings"]), {"q": "na"}).status_code
        == 404
    )


def test_a_contract_names_its_partner_by_name_and_its_recordings_by_isrc(
    team: Team, catalog: dict[str, object]
) -> None:
    partner = Partner.objects.create(
        label=team.label, name="Example Distribution", kind="distributor"
    )
    form = ContractForm(
        {
            "title": "Distribution 2026",
            "kind": "distribution",
            "partner": "example distribution",
            "recordings": "SE A1B 26 00001",
            "territories": "Worldwide",
        },
        label=team.label,
    )
    form.is_valid()
    assert "partner" not in form.errors and "recordings" not in form.errors, form.errors
    assert form.cleaned_data["partner"] == partner
    assert form.cleaned_data["recordings"] == [catalog["recording"]]
    assert 'data-lookup="partners"' in str(form["partner"])
