"""The reservation policy: version 1, drafts, approval, immutability, diffs, pages, API."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from optout.models import LedgerEntry
from optout.policy.compilers import Purpose, Stance, Use
from optout.policy.models import PolicyVersion
from optout.policy.services.policy import (
    label_facts,
    policy_approve,
    policy_current,
    policy_diff,
    policy_draft,
    policy_draft_discard,
    policy_draft_save,
    policy_scheduled,
    policy_spec,
)
from optout.services.labels import label_domain_add
from optout.services.ledger import ledger_verify
from tests.conftest import Team
from tests.matrix.policy import policy_form_data


def _current(team: Team) -> PolicyVersion:
    current = policy_current(label=team.label)
    assert current is not None
    return current


def _actions(team: Team) -> list[str]:
    return list(
        LedgerEntry.objects.for_label(team.label).order_by("seq").values_list("action", flat=True)
    )


def test_a_new_label_starts_with_an_approved_version_1_reserving_every_ai_use(team: Team) -> None:
    current = policy_current(label=team.label)
    assert current is not None
    assert (current.number, current.status) == (1, "approved")
    assert current.effective_date == timezone.localdate()
    spec = policy_spec(current)
    assert spec.stances[Use.SEARCH] is Stance.ALLOWED
    assert all(spec.stances[u] is Stance.RESERVED for u in Use if u is not Use.SEARCH)
    assert Purpose.TRAINING in spec.blocked_purposes
    assert Purpose.SEARCH not in spec.blocked_purposes
    entry = LedgerEntry.objects.for_label(team.label).get(action="policy.approved")
    assert entry.data["number"] == 1 and entry.data["initial"] is True
    assert len(entry.data["fingerprint"]) == 64


def test_a_draft_starts_from_the_current_version_and_is_ledgered(team: Team) -> None:
    draft = policy_draft_save(
        label=team.label,
        actor=team.rights,
        values={
            "stances": {**_current(team).stances, "tdm": "licensable"},
            "contact_email": "licensing@label-a.test",
        },
    )
    assert draft.is_draft and draft.number is None
    assert draft.based_on == policy_current(label=team.label)
    assert draft.stances["tdm"] == "licensable"
    assert _actions(team)[-1] == "policy.draft_created"
    policy_draft_save(label=team.label, actor=team.rights, values={"legacy_noai": True})
    assert _actions(team)[-1] == "policy.draft_saved"
    assert PolicyVersion.objects.for_label(team.label).filter(status="draft").count() == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"stances": {"ai_train": "maybe"}}, "stances", "choose allowed, reserved"),
        ({"scope_paths": ["catalog/"]}, "scope_paths", "is not a path prefix"),
        ({"scope_paths": ["/music/*.mp3"]}, "scope_paths", "is not a path prefix"),
        ({"scope_paths": ["/", "/catalog/"]}, "scope_paths", "already covers the whole site"),
        ({"scope_paths": []}, "scope_paths", "at least one path"),
        ({"scope_domains": ["elsewhere.example"]}, "scope_domains", "label's domains"),
        ({"scope_catalog": {"all": False}}, "scope_catalog", "Name at least one release"),
        (
            {"scope_catalog": {"all": False, "releases": ["x1"]}},
            "scope_catalog",
            "“x1”: ",
        ),
        ({"blocked_purposes": ["everything"]}, "blocked_purposes", "from the list offered"),
        ({"blocked_purposes": ["search"]}, "blocked_purposes", "Search engines are blocked"),
        ({"contact_url": "ftp://x.example"}, "contact_url", "full http(s) URL"),
        ({"noarchive": "yes"}, "noarchive", "Choose yes or no"),
    ],
)
def test_invalid_policies_are_rejected_with_clear_field_errors(
    team: Team, values: dict[str, Any], field: str, message: str
) -> None:
    if "stances" in values:
        values["stances"] = {**_current(team).stances, **values["stances"]}
    with pytest.raises(ValidationError) as caught:
        policy_draft_save(label=team.label, actor=team.rights, values=values)
    errors = caught.value.message_dict
    assert field in errors, errors
    assert any(message in m for m in errors[field]), errors
    assert policy_draft(label=team.label) is None


def test_a_licensable_use_needs_a_licensing_contact(team: Team) -> None:
    team.label.contact_email = ""
    team.label.save()
    stances = {**_current(team).stances, "ai_train": "licensable"}
    with pytest.raises(ValidationError, match="give a licensing contact"):
        policy_draft_save(label=team.label, actor=team.rights, values={"stances": stances})


def test_approval_numbers_freezes_and_ledgers_the_version(team: Team) -> None:
    draft = policy_draft_save(
        label=team.label, actor=team.rights, values={"change_note": "Add noai"}
    )
    version = policy_approve(draft=draft, actor=team.owner)
    assert (version.number, version.status) == (2, "approved")
    assert policy_current(label=team.label) == version
    assert _actions(team)[-1] == "policy.approved"
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyVersion.objects.for_label(team.label).filter(pk=version.pk).update(
            contact_email="changed@example.test"
        )
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyVersion.objects.for_label(team.label).filter(pk=version.pk).delete()
    with pytest.raises(ValidationError, match="already approved"):
        policy_approve(draft=version, actor=team.owner)
    assert ledger_verify(label=team.label).ok


def test_a_version_cannot_take_effect_before_its_approval(team: Team) -> None:
    draft = policy_draft_save(label=team.label, actor=team.rights, values={"legacy_noai": True})
    with pytest.raises(ValidationError) as caught:
        policy_approve(
            draft=draft, actor=team.owner, effective_date=timezone.localdate() - timedelta(days=1)
        )
    assert "effective_date" in caught.value.message_dict


def test_a_scheduled_version_takes_over_on_its_effective_date(team: Team) -> None:
    today = timezone.localdate()
    draft = policy_draft_save(label=team.label, actor=team.rights, values={"legacy_noai": True})
    later = policy_approve(draft=draft, actor=team.owner, effective_date=today + timedelta(days=7))
    assert _current(team).number == 1
    assert policy_scheduled(label=team.label) == [later]
    assert policy_current(label=team.label, today=today + timedelta(days=7)) == later
    draft = policy_draft_save(label=team.label, actor=team.rights, values={"noarchive": False})
    with pytest.raises(ValidationError, match="takes effect on"):
        policy_approve(draft=draft, actor=team.owner, effective_date=today)


def test_the_diff_names_each_changed_use_and_setting(team: Team) -> None:
    v1 = _current(team)
    draft = policy_draft_save(
        label=team.label,
        actor=team.rights,
        values={
            "stances": {**v1.stances, "ai_train": "licensable"},
            "scope_paths": ["/music/"],
            "contact_email": "licensing@label-a.test",
        },
    )
    changes = {str(c.field): (c.before, c.after) for c in policy_diff(before=v1, after=draft)}
    assert changes["AI model training"] == ("Reserved", "Licensable on request")
    assert changes["paths in scope"] == ("/", "/music/")
    assert changes["licensing contact e-mail"] == ("—", "licensing@label-a.test")
    assert "Search indexing" not in changes


def test_discarding_a_draft_is_ledgered(team: Team) -> None:
    draft = policy_draft_save(label=team.label, actor=team.rights, values={"legacy_noai": True})
    policy_draft_discard(draft=draft, actor=team.rights)
    assert policy_draft(label=team.label) is None
    assert _actions(team)[-1] == "policy.draft_discarded"


def test_label_facts_hold_only_public_things_and_the_sites_in_scope(team: Team) -> None:
    label_domain_add(label=team.label, actor=team.owner, domain="shop.label-a.test")
    label_domain_add(label=team.label, actor=team.owner, domain="label-a.test")
    facts = label_facts(label=team.label, version=policy_current(label=team.label))
    assert facts.domains == ("label-a.test", "shop.label-a.test")
    assert facts.public_base_url.endswith("/s/label-a")
    draft = policy_draft_save(
        label=team.label, actor=team.rights, values={"scope_domains": ["shop.label-a.test"]}
    )
    assert label_facts(label=team.label, version=draft).domains == ("shop.label-a.test",)


# --- pages -------------------------------------------------------------------------------------


def test_rights_saves_a_draft_and_the_owner_approves_it_in_the_browser(team: Team) -> None:
    rights = team.client_for(team.rights)
    response = rights.post(reverse("policy:draft", args=["label-a"]), policy_form_data())
    assert response.status_code == 302
    page = rights.get(reverse("policy:draft", args=["label-a"]))
    assert "Dataset resale and sublicensing" in page.content.decode()
    assert "Approve and publish" not in page.content.decode()
    owner = team.client_for(team.owner)
    response = owner.post(
        reverse("policy:draft_approve", args=["label-a"]),
        {"effective_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    current = _current(team)
    assert current.number == 2 and current.stances["dataset_resale"] == "licensable"
    overview = owner.get(reverse("policy:overview", args=["label-a"])).content.decode()
    assert "In force: version 2" in overview
    assert "not legal advice" in overview


def test_the_draft_form_shows_field_errors_and_keeps_nothing(team: Team) -> None:
    rights = team.client_for(team.rights)
    response = rights.post(
        reverse("policy:draft", args=["label-a"]), policy_form_data(scope_paths="catalog/")
    )
    assert response.status_code == 400
    assert "is not a path prefix" in response.content.decode()
    assert policy_draft(label=team.label) is None


def test_rights_cannot_approve_and_the_viewer_cannot_edit(team: Team) -> None:
    policy_draft_save(label=team.label, actor=team.rights, values={"legacy_noai": True})
    rights = team.client_for(team.rights)
    assert (
        rights.post(
            reverse("policy:draft_approve", args=["label-a"]),
            {"effective_date": timezone.localdate().isoformat()},
        ).status_code
        == 403
    )
    viewer = team.client_for(team.viewer)
    assert (
        viewer.post(reverse("policy:draft", args=["label-a"]), policy_form_data()).status_code
        == 403
    )
    assert _current(team).number == 1


def test_another_labels_user_gets_404_on_policy_pages(team: Team) -> None:
    outsider = team.client_for(team.outsider)
    v1 = _current(team)
    assert outsider.get(reverse("policy:overview", args=["label-a"])).status_code == 404
    assert outsider.get(reverse("policy:version", args=["label-a", v1.code])).status_code == 404
    other_v1 = policy_current(label=team.other_label)
    assert other_v1 is not None
    owner = team.client_for(team.owner)
    assert owner.get(reverse("policy:version", args=["label-a", other_v1.code])).status_code == 404


def test_the_version_page_compares_with_any_earlier_version(team: Team) -> None:
    draft = policy_draft_save(label=team.label, actor=team.rights, values={"legacy_noai": True})
    v2 = policy_approve(draft=draft, actor=team.owner)
    page = (
        team.client_for(team.viewer)
        .get(reverse("policy:version", args=["label-a", v2.code]))
        .content.decode()
    )
    assert "Changes from version 1" in page
    assert "send noai, noimageai" in page


def test_the_agents_page_flags_agents_waiting_for_review(team: Team, tmp_path: Any) -> None:
    from django.core.management import call_command

    from optout.policy.services.agents import VENDORED_LIST

    data = json.loads(VENDORED_LIST.read_text())
    data["TuneSnatcher"] = {
        "operator": "",
        "respect": "",
        "function": "",
        "frequency": "",
        "description": "",
    }
    path = tmp_path / "robots.json"
    path.write_text(json.dumps(data))
    call_command("refresh_agents", str(path), stdout=StringIO())
    page = team.client_for(team.viewer).get(reverse("policy:agents", args=["label-a"]))
    assert "Waiting for review" in page.content.decode()
    assert "TuneSnatcher" in page.content.decode()
    dashboard = team.client_for(team.viewer).get(reverse("dashboard", args=["label-a"]))
    assert "1 new AI agent waits for review." in dashboard.content.decode()


# --- API ---------------------------------------------------------------------------------------


def _api(team: Team, user: Any) -> Any:
    return team.client_for(user)


def test_the_api_saves_merges_and_approves_a_draft(team: Team) -> None:
    url = reverse("api:policy:policy-draft", args=["label-a"])
    rights = _api(team, team.rights)
    response = rights.patch(
        url,
        {"stances": {"tdm": "licensable"}, "contact_email": "licensing@label-a.test"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stances"]["tdm"] == "licensable" and body["stances"]["ai_train"] == "reserved"
    assert body["changes"][0] == {
        "field": "Text and data mining",
        "before": "Reserved",
        "after": "Licensable on request",
    }
    approve = reverse("api:policy:policy-approve", args=["label-a"])
    assert rights.post(approve, {}, content_type="application/json").status_code == 403
    response = _api(team, team.owner).post(approve, {}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["number"] == 2
    current = _api(team, team.viewer).get(reverse("api:policy:policy-current", args=["label-a"]))
    assert current.json()["number"] == 2


def test_the_api_reports_invalid_input_with_field_names(team: Team) -> None:
    url = reverse("api:policy:policy-draft", args=["label-a"])
    response = _api(team, team.rights).put(
        url,
        {"stances": {"tdm": "sometimes"}, "scope_paths": ["no-slash"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "stances" in fields
    response = _api(team, team.rights).put(
        url, {"scope_paths": ["no-slash"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "is not a path prefix" in response.json()["error"]["fields"]["scope_paths"][0]
