"""Public signal hosting: media types, ETags, 404s, nothing private, the install bundle."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree
from protego import Protego

from optout.policy.compilers.rsl import RSL_NS
from optout.policy.services.policy import policy_approve, policy_draft_save
from optout.policy.services.terms import terms_approve, terms_draft_save
from tests.conftest import Team

FILES = [
    ("signals:robots", "text/plain; charset=utf-8"),
    ("signals:ai-txt", "text/plain; charset=utf-8"),
    ("signals:tdmrep", "application/json"),
    ("signals:tdm-policy", "application/ld+json"),
    ("signals:license", "application/rsl+xml"),
    ("signals:bundle", "application/zip"),
]


def _url(name: str, slug: str = "label-a") -> str:
    return reverse(name, args=[slug])


@pytest.mark.parametrize(("name", "media_type"), FILES)
def test_each_public_file_is_served_anonymously_with_its_media_type_and_etag(
    team: Team, name: str, media_type: str
) -> None:
    client = Client()
    response = client.get(_url(name))
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    etag = response["ETag"]
    assert etag.startswith('"') and len(etag) > 20
    again = client.get(_url(name), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert client.post(_url(name)).status_code == 405


@pytest.mark.parametrize(("name", "media_type"), FILES)
def test_a_public_file_is_no_language_variant(team: Team, name: str, media_type: str) -> None:
    client = Client()
    english = client.get(_url(name))
    for language in ("sv", "sv-SE,sv;q=0.9"):
        response = client.get(_url(name), headers={"accept-language": language})
        assert response.status_code == 200
        assert "Content-Language" not in response
        assert "accept-language" not in response.get("Vary", "").lower()
        assert response.content == english.content
        assert response["ETag"] == english["ETag"]
        again = client.get(
            _url(name),
            headers={"accept-language": language, "if-none-match": response["ETag"]},
        )
        assert again.status_code == 304 and "Content-Language" not in again
        assert "accept-language" not in again.get("Vary", "").lower()


def test_the_terms_page_is_a_language_variant(team: Team) -> None:
    response = Client().get(_url("signals:terms"), HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    assert "accept-language" in response["Vary"].lower()
    assert response["Content-Language"] == "sv"


def test_the_hosted_files_say_what_the_policy_says(team: Team) -> None:
    client = Client()
    robots = client.get(_url("signals:robots")).content.decode()
    assert "License: http://" in robots and "/s/label-a/license.xml" in robots
    assert not Protego.parse(robots).can_fetch("https://label-a.test/", "GPTBot")
    rules = json.loads(client.get(_url("signals:tdmrep")).content)
    assert rules[0]["tdm-reservation"] == 1
    assert rules[0]["tdm-policy"].endswith("/s/label-a/tdm-policy.json")
    xml = etree.fromstring(client.get(_url("signals:license")).content)
    assert xml.tag == f"{{{RSL_NS}}}rsl"


@pytest.mark.parametrize("name", [n for n, _t in FILES] + ["signals:terms"])
def test_unknown_and_inactive_labels_are_404(team: Team, name: str) -> None:
    client = Client()
    assert client.get(_url(name, "no-such-label")).status_code == 404
    team.other_label.is_active = False
    team.other_label.save()
    assert client.get(_url(name, "label-b")).status_code == 404


def test_a_new_approved_version_changes_the_files_and_their_etag(team: Team) -> None:
    client = Client()
    before = client.get(_url("signals:tdmrep"))
    stances = {
        "ai_train": "allowed",
        "genai_train": "allowed",
        "tdm": "allowed",
        "ai_input": "allowed",
        "search": "allowed",
        "voice_likeness": "reserved",
        "dataset_resale": "reserved",
    }
    draft = policy_draft_save(
        label=team.label, actor=team.rights, values={"stances": stances, "blocked_purposes": []}
    )
    policy_approve(draft=draft, actor=team.owner)
    after = client.get(_url("signals:tdmrep"), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert json.loads(after.content)[0]["tdm-reservation"] == 0
    assert after["ETag"] != before["ETag"]


def test_public_files_leak_no_draft_no_member_and_no_other_label(team: Team) -> None:
    policy_draft_save(
        label=team.label,
        actor=team.rights,
        values={
            "contact_email": "secret-draft@label-a.test",
            "change_note": "Unannounced plan",
            "stances": {
                "ai_train": "licensable",
                "genai_train": "reserved",
                "tdm": "reserved",
                "ai_input": "reserved",
                "search": "allowed",
                "voice_likeness": "reserved",
                "dataset_resale": "reserved",
            },
        },
    )
    terms_draft_save(
        label=team.label,
        channel="website",
        language="en",
        actor=team.rights,
        body="Draft terms nobody approved.",
    )
    client = Client()
    bodies = [client.get(_url(name)).content for name, _t in FILES]
    bodies.append(client.get(_url("signals:terms")).content)
    archive = zipfile.ZipFile(io.BytesIO(bodies[5]))
    bodies += [archive.read(n) for n in archive.namelist()]
    for body in bodies:
        for secret in (
            b"secret-draft",
            b"Unannounced",
            b"Draft terms nobody",
            b"licensable",
            *(u.email.encode() for u in team.members.values()),
            b"Label B",
            b"label-b",
        ):
            assert secret not in body, secret


def test_the_terms_page_shows_the_approved_text_or_says_it_was_generated(team: Team) -> None:
    client = Client()
    page = client.get(reverse("signals:terms-language", args=["label-a", "sv"])).content.decode()
    assert '<html lang="sv">' in page
    assert "Genererad från förbehållspolicy version 1" in page
    assert "15 a §" in page
    terms_approve(
        draft=terms_draft_save(
            label=team.label,
            channel="website",
            language="de",
            actor=team.rights,
            body="Unsere KI-Bedingungen.",
        ),
        actor=team.owner,
    )
    default = client.get(_url("signals:terms")).content.decode()
    assert "Unsere KI-Bedingungen." in default and "Fassung 1, freigegeben am" in default
    assert client.get(reverse("signals:terms-language", args=["label-a", "xx"])).status_code == 404


def test_the_bundle_is_a_stable_zip_with_instructions_and_every_file(team: Team) -> None:
    client = Client()
    first = client.get(_url("signals:bundle"))
    assert "attachment" in first["Content-Disposition"]
    assert "optout-signals-label-a-v1.zip" in first["Content-Disposition"]
    assert client.get(_url("signals:bundle")).content == first.content
    archive = zipfile.ZipFile(io.BytesIO(first.content))
    names = {n.split("/", 1)[1] for n in archive.namelist()}
    assert {
        "README.txt",
        "manifest.json",
        "robots.txt",
        ".well-known/tdmrep.json",
        "nginx/optout-maps.conf",
        "apache/optout.conf",
        "caddy/optout.caddy",
        "head.html",
    } <= names
    folder = archive.namelist()[0].split("/")[0]
    readme = archive.read(f"{folder}/README.txt").decode()
    assert "INSTALL ON YOUR WEB SERVER" in readme and "not legal advice" in readme
    manifest = json.loads(archive.read(f"{folder}/manifest.json"))
    assert manifest["policy_version"] == 1
    assert manifest["serialisations"]["content-usage"] == "aipref-vocab-05"
    assert archive.testzip() is None


def test_the_signals_page_shows_every_output_and_a_clean_check(team: Team) -> None:
    viewer = team.client_for(team.viewer)
    page = viewer.get(reverse("policy:signals", args=["label-a"])).content.decode()
    assert "Every output, read back with real parsers, says what the policy says." in page
    assert "nginx/optout-maps.conf" in page and "User-agent: GPTBot" in page
    assert (
        viewer.get(reverse("policy:signals", args=["label-a"]) + "?preview=draft").status_code
        == 404
    )
    policy_draft_save(label=team.label, actor=team.rights, values={"blocked_purposes": []})
    preview = viewer.get(reverse("policy:signals", args=["label-a"]) + "?preview=draft")
    assert "Preview of the draft" in preview.content.decode()
    assert "User-agent: GPTBot" not in preview.content.decode()
    api = viewer.get(reverse("api:policy:signals", args=["label-a"])).json()
    assert api["findings"] == [] and api["policy_version_number"] == 1
    assert "robots.txt" in api["files"] and api["hosted"]["robots"].endswith("robots.txt")
    assert "AI2Bot" in api["unnamed_in_robots"] and api["robots_txt_only"] == ["Code"]


def test_the_signals_page_names_the_agents_only_one_kind_of_rule_reaches(team: Team) -> None:
    page = team.client_for(team.viewer).get(reverse("policy:signals", args=["label-a"]))
    html = page.content.decode()
    reach = html.split('id="reach-heading"', 1)[1].split("</section>", 1)[0]
    assert "Refused only by the web-server rules" in reach
    for token in ("AI2Bot", "Ai2Bot-Dolma", "Crawl4AI", "img2dataset"):
        assert f"<code>{token}</code>" in reach
        assert f"User-agent: {token}\n" not in html
    assert "Refused only in robots.txt" in reach and "<code>Code</code>" in reach
