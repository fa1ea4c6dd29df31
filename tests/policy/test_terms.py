"""Terms texts: golden files per channel and language, drafts, approval, publication."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from optout.models import LedgerEntry
from optout.policy.models import PolicyVersion, TermsChannel, TermsText
from optout.policy.services.policy import policy_approve, policy_current, policy_draft_save
from optout.policy.services.terms import (
    terms_approve,
    terms_draft_save,
    terms_generate,
    terms_overview,
    terms_publication_add,
)
from optout.policy.terms_locale import TermsLanguage
from optout.services.labels import label_domain_add
from tests.conftest import Team
from tests.policy.cases import GOLDEN, UPDATE

BASIS = {
    "en": "Article 4(3) of Directive (EU) 2019/790",
    "sv": "15 a § lagen (1960:729)",
    "es": "artículo 67 del Real Decreto-ley 24/2021",
    "pt-BR": "Lei nº 9.610/1998",
    "de": "§ 44b Abs. 3 UrhG",
}


def _golden_version(team: Team) -> PolicyVersion:
    """A fixed, unsaved policy version, so the texts do not depend on today's date."""
    team.label.legal_name = "Label A Records AB"
    team.label.contact_email = "rights@label-a.test"
    team.label.save()
    label_domain_add(label=team.label, actor=team.owner, domain="label-a.test")
    return PolicyVersion(
        label=team.label,
        status="approved",
        number=3,
        effective_date=date(2026, 2, 1),
        stances={
            "ai_train": "reserved",
            "genai_train": "licensable",
            "tdm": "reserved",
            "ai_input": "reserved",
            "search": "allowed",
            "voice_likeness": "reserved",
            "dataset_resale": "reserved",
        },
        blocked_purposes=["control", "training"],
        scope_paths=["/"],
        scope_domains=[],
        scope_catalog={"all": True},
        contact_email="licensing@label-a.test",
    )


@pytest.mark.parametrize("language", TermsLanguage.values)
@pytest.mark.parametrize("channel", TermsChannel.values)
def test_each_channel_and_language_matches_its_golden_text(
    team: Team, channel: str, language: str, settings: Any
) -> None:
    settings.OPTOUT_BASE_URL = "https://optout.example"
    text = terms_generate(
        label=team.label, channel=channel, language=language, version=_golden_version(team)
    )
    path = GOLDEN / "terms" / language / f"{channel}.txt"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    assert BASIS[language] in text
    assert "Label A Records AB" in text
    assert "\n\n\n" not in text and "{{" not in text and "{%" not in text
    if channel != "website":
        return
    assert "https://label-a.test/robots.txt" in text
    assert "licensing@label-a.test" in text


def test_a_label_name_with_markup_is_not_html_escaped_in_plain_text(team: Team) -> None:
    team.label.legal_name = "Smith & Jones <Records>"
    team.label.save()
    current = policy_current(label=team.label)
    assert current is not None
    text = terms_generate(label=team.label, channel="catalog_note", language="en", version=current)
    assert "© Smith & Jones <Records>." in text


def test_a_draft_is_edited_approved_frozen_and_published(team: Team) -> None:
    draft = terms_draft_save(label=team.label, channel="website", language="de", actor=team.rights)
    assert draft.body == draft.generated_body and not draft.edited
    draft = terms_draft_save(
        label=team.label,
        channel="website",
        language="de",
        actor=team.rights,
        body=draft.body + "\nGerichtsstand: Berlin.\n",
    )
    assert draft.edited
    text = terms_approve(draft=draft, actor=team.owner)
    assert (text.number, text.status) == (1, "approved")
    with pytest.raises(DatabaseError), transaction.atomic():
        TermsText.objects.for_label(team.label).filter(pk=text.pk).update(body="changed")
    publication = terms_publication_add(
        text=text, actor=team.rights, url="https://label-a.test/de/ki-bedingungen"
    )
    assert publication.published_on == timezone.localdate()
    actions = list(
        LedgerEntry.objects.for_label(team.label)
        .filter(action__startswith="terms.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "terms.draft_created",
        "terms.draft_saved",
        "terms.approved",
        "terms.published",
    ]
    second = terms_approve(
        draft=terms_draft_save(
            label=team.label, channel="website", language="de", actor=team.rights
        ),
        actor=team.owner,
    )
    assert second.number == 2


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"url": "not a url"}, "url", "full http(s) URL"),
        ({"url": "javascript:alert(1)"}, "url", "full http(s) URL"),
        (
            {"url": "https://x.test/", "published_on": date(2020, 1, 1)},
            "published_on",
            "before it was approved",
        ),
    ],
)
def test_a_bad_publication_is_refused_with_a_field_error(
    team: Team, kwargs: dict[str, object], field: str, message: str
) -> None:
    text = terms_approve(
        draft=terms_draft_save(label=team.label, channel="store", language="en", actor=team.rights),
        actor=team.owner,
    )
    with pytest.raises(ValidationError) as caught:
        terms_publication_add(text=text, actor=team.rights, **kwargs)  # type: ignore[arg-type]
    assert message in caught.value.message_dict[field][0]


def test_a_draft_cannot_be_published_or_left_empty(team: Team) -> None:
    draft = terms_draft_save(label=team.label, channel="store", language="en", actor=team.rights)
    with pytest.raises(ValidationError, match="Approve the text"):
        terms_publication_add(text=draft, actor=team.rights, url="https://x.test/")
    with pytest.raises(ValidationError) as caught:
        terms_draft_save(
            label=team.label, channel="store", language="en", actor=team.rights, body="   "
        )
    assert "body" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        terms_draft_save(label=team.label, channel="tv", language="fi", actor=team.rights)
    assert set(caught.value.message_dict) == {"channel", "language"}


def test_approved_terms_are_flagged_outdated_when_the_policy_changes(team: Team) -> None:
    terms_approve(
        draft=terms_draft_save(label=team.label, channel="store", language="sv", actor=team.rights),
        actor=team.owner,
    )

    def cell() -> bool:
        rows = {channel: cells for channel, _name, cells in terms_overview(label=team.label)}
        return next(c for c in rows["store"] if c.language == "sv").outdated

    assert not cell()
    draft = policy_draft_save(label=team.label, actor=team.rights, values={"legacy_noai": True})
    policy_approve(draft=draft, actor=team.owner)
    assert cell()


def test_terms_pages_for_each_role(team: Team) -> None:
    url = reverse("policy:terms_edit", args=["label-a", "sample_pack", "es"])
    rights = team.client_for(team.rights)
    assert rights.post(url, {"action": "create"}).status_code == 302
    page = rights.get(url).content.decode()
    assert "licencia de samples" in page and "not legal advice" in page
    assert "Approve this text" not in page
    assert (
        team.client_for(team.viewer).post(url, {"action": "save", "body": "x"}).status_code == 403
    )
    owner = team.client_for(team.owner)
    approve = reverse("policy:terms_approve", args=["label-a", "sample_pack", "es"])
    response = owner.post(approve)
    assert response.status_code == 302
    text = TermsText.objects.for_label(team.label).get(channel="sample_pack", status="approved")
    text_url = reverse("policy:terms_text", args=["label-a", text.code])
    response = rights.post(
        text_url,
        {
            "url": "https://label-a.test/samples/licencia",
            "published_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert "https://label-a.test/samples/licencia" in rights.get(text_url).content.decode()
    assert (
        rights.post(
            text_url,
            {
                "url": "https://x.test/",
                "published_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
            },
        ).status_code
        == 400
    )
    assert rights.get(reverse("policy:terms_edit", args=["label-a", "tv", "fi"])).status_code == 404
    overview = team.client_for(team.viewer).get(reverse("policy:terms", args=["label-a"]))
    assert "v1" in overview.content.decode()


def test_the_terms_api_creates_edits_approves_and_publishes(team: Team) -> None:
    draft_url = reverse("api:policy:terms-draft", args=["label-a", "distributor", "pt-BR"])
    rights = team.client_for(team.rights)
    response = rights.put(draft_url, {}, content_type="application/json")
    assert response.status_code == 200
    assert "cláusula para distribuidores" in response.json()["body"]
    response = rights.put(draft_url, {"body": "Texto editado."}, content_type="application/json")
    assert response.json()["edited"] is True
    approve_url = reverse("api:policy:terms-approve", args=["label-a", "distributor", "pt-BR"])
    assert rights.post(approve_url).status_code == 403
    response = team.client_for(team.owner).post(approve_url)
    assert response.status_code == 201
    code = response.json()["id"]
    publications = reverse("api:policy:terms-publications", args=["label-a", code])
    response = rights.post(publications, {"url": "ftp://nope"}, content_type="application/json")
    assert response.status_code == 400 and "url" in response.json()["error"]["fields"]
    response = rights.post(
        publications, {"url": "https://label-a.test/parceiros"}, content_type="application/json"
    )
    assert response.status_code == 201
    listing = (
        team.client_for(team.viewer)
        .get(reverse("api:policy:terms", args=["label-a"]) + "?status=approved")
        .json()
    )
    assert [t["publications"][0]["url"] for t in listing["results"]] == [
        "https://label-a.test/parceiros"
    ]
    assert (
        team.client_for(team.outsider)
        .get(reverse("api:policy:terms-text", args=["label-a", code]))
        .status_code
        == 404
    )
