from __future__ import annotations

import pytest
from django.core import mail

from optout.models import Invitation, LedgerEntry, Membership, User
from tests.conftest import Team

pytestmark = pytest.mark.django_db


def _actions(team: Team) -> list[str]:
    return list(
        LedgerEntry.objects.for_label(team.label).order_by("seq").values_list("action", flat=True)
    )


def test_an_owner_invites_and_the_invitation_is_logged(
    team: Team, django_capture_on_commit_callbacks
) -> None:
    client = team.client_for(team.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/l/{team.label.slug}/members/", {"email": "Producer@Example.test", "role": "a_r"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(label=team.label, email="producer@example.test")
    assert invitation.role == "a_r" and invitation.status == "pending"
    assert _actions(team)[-1] == "member.invited"
    assert mail.outbox[0].subject == "You are invited to Label A on Optout"
    page = client.get(f"/l/{team.label.slug}/members/")
    assert b"producer@example.test" in page.content


def test_bad_invitations_get_field_errors(team: Team) -> None:
    client = team.client_for(team.owner)
    bad_email = client.post(
        f"/l/{team.label.slug}/members/", {"email": "not-an-email", "role": "viewer"}
    )
    assert bad_email.status_code == 400 and b"Enter a valid email address." in bad_email.content
    member = client.post(
        f"/l/{team.label.slug}/members/", {"email": team.viewer.email, "role": "viewer"}
    )
    assert member.status_code == 400
    assert b"already a member" in member.content
    bad_role = client.post(
        f"/l/{team.label.slug}/members/", {"email": "x@example.test", "role": "emperor"}
    )
    assert bad_role.status_code == 400
    assert not Invitation.objects.filter(label=team.label, email="x@example.test").exists()


def test_inviting_again_replaces_the_earlier_invitation(team: Team) -> None:
    client = team.client_for(team.owner)
    for role in ("viewer", "counsel"):
        client.post(f"/l/{team.label.slug}/members/", {"email": "twice@example.test", "role": role})
    invitations = Invitation.objects.filter(label=team.label, email="twice@example.test")
    assert sorted(invitations.values_list("status", "role")) == [
        ("pending", "counsel"),
        ("revoked", "viewer"),
    ]


def test_an_owner_changes_a_role_and_removes_a_member(team: Team) -> None:
    client = team.client_for(team.owner)
    url = f"/l/{team.label.slug}/members/{team.viewer.code}"
    assert client.post(f"{url}/role/", {"role": "rights"}).status_code == 302
    assert Membership.objects.get(user=team.viewer, label=team.label).role == "rights"
    change = LedgerEntry.objects.for_label(team.label).filter(action="member.role_changed").get()
    assert change.data == {"email": team.viewer.email, "from": "viewer", "to": "rights"}
    assert client.post(f"{url}/remove/").status_code == 302
    assert not Membership.objects.filter(user=team.viewer, label=team.label).exists()
    assert _actions(team)[-1] == "member.removed"
    # The removed person loses access at once.
    assert team.client_for(team.viewer).get(f"/l/{team.label.slug}/").status_code == 404


def test_the_last_owner_cannot_be_demoted_or_removed(team: Team) -> None:
    client = team.client_for(team.owner)
    url = f"/l/{team.label.slug}/members/{team.owner.code}"
    page = client.post(f"{url}/role/", {"role": "viewer"}, follow=True)
    assert b"A label needs at least one owner." in page.content
    page = client.post(f"{url}/remove/", {}, follow=True)
    assert b"at least one owner" in page.content
    assert Membership.objects.get(user=team.owner, label=team.label).role == "owner"


def test_a_member_of_several_labels_switches_between_them(team: Team) -> None:
    from optout.services.labels import membership_add

    membership_add(label=team.other_label, user=team.counsel, role="viewer", actor=team.outsider)
    client = team.client_for(team.counsel)
    page = client.get(f"/l/{team.label.slug}/")
    assert b"Label B" in page.content  # in the switcher
    assert client.get(f"/l/{team.other_label.slug}/").status_code == 200
    # The home page opens the label used last.
    assert client.get("/")["Location"] == f"/l/{team.other_label.slug}/"


def test_label_settings_and_domains(team: Team) -> None:
    client = team.client_for(team.owner)
    base = f"/l/{team.label.slug}/settings/"
    saved = client.post(
        base,
        {
            "name": "Label A Records",
            "legal_name": "Label A AB",
            "contact_email": "rights@a.test",
            "terms_url": "a.test/terms",
        },
    )
    assert saved.status_code == 302
    team.label.refresh_from_db()
    assert team.label.name == "Label A Records" and team.label.terms_url == "https://a.test/terms"
    bad = client.post(base, {"name": "", "contact_email": "nope"})
    assert bad.status_code == 400 and b"This field is required." in bad.content
    added = client.post(f"{base}domains/", {"domain": "https://Shop.Label-A.test/path"})
    assert added.status_code == 302
    assert list(team.label.domains.values_list("domain", flat=True)) == ["shop.label-a.test"]
    for bad_domain in ("127.0.0.1", "localhost", "exa mple.com", "shop.label-a.test"):
        assert client.post(f"{base}domains/", {"domain": bad_domain}).status_code == 400


def test_an_operator_deactivates_a_label_in_the_admin(team: Team) -> None:
    operator = User.objects.create_superuser(email="ops@example.test", password="x-long-pass-1")
    client = team.client_for(operator)
    assert client.get("/admin/optout/label/").status_code == 200
    page = client.get(f"/admin/optout/label/{team.label.pk}/change/")
    assert page.status_code == 200
    client.post(
        f"/admin/optout/label/{team.label.pk}/change/",
        {
            "name": team.label.name,
            "legal_name": "",
            "contact_email": "",
            "is_active": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "domains-TOTAL_FORMS": "0",
            "domains-INITIAL_FORMS": "0",
        },
    )
    team.label.refresh_from_db()
    assert team.label.is_active is False
    assert team.client_for(team.owner).get(f"/l/{team.label.slug}/").status_code == 404
    assert client.get(f"/admin/optout/user/{team.owner.pk}/delete/").status_code == 403
