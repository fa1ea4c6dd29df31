"""Two-factor authentication before sensitive actions: packet downloads, member and role
changes, approvals. Real TOTP codes, real allauth flows, real packets."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, generate_totp_secret
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from evidence.models import Packet
from evidence.services.matters import matter_item_add
from optout.models import ApiToken, Label, Membership, User
from optout.roles import Role
from tests.conftest import PASSWORD, Team
from tests.evidence.conftest import make_item, make_matter
from tests.evidence.packets import build_packet
from tests.optout.test_accounts import _login, _totp_now

pytestmark = pytest.mark.django_db

ENROL = "/accounts/2fa/totp/activate/"
CONFIRM = "/accounts/2fa/reauthenticate/"


@pytest.fixture
def guarded(team: Team) -> Team:
    team.label.require_mfa = True
    team.label.save()
    return team


@pytest.fixture
def packet(guarded: Team) -> Packet:
    matter = make_matter(guarded.label, guarded.rights, title="Case", target_company="Example AI")
    item = make_item(guarded.label, guarded.rights, data=b"We removed it.", name="reply.eml")
    matter_item_add(
        matter=matter, actor=guarded.rights, source_key="evidence", source_code=item.code
    )
    built = build_packet(matter, guarded.counsel)
    assert built.status == Packet.Status.READY, built.error
    return built


def _download_url(packet: Packet) -> str:
    return reverse(
        "evidence:packet_download",
        kwargs={"slug": packet.label.slug, "code": packet.matter.code, "packet": packet.code},
    )


def _next_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["next"][0]


def _password_client(user: User) -> Client:
    client = Client()
    assert _login(client, user.email).status_code == 302
    return client


def _enrol(client: Client, location: str) -> str:
    """Follow the enrolment page the app sent us to, as a person would; returns where the
    app sends us afterwards."""
    asked = client.get(location)
    assert asked["Location"].startswith("/accounts/reauthenticate/")  # the password first
    back = client.post(asked["Location"], {"password": PASSWORD})
    assert back["Location"] == location
    assert client.get(location).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    done = client.post(ENROL, {"code": _totp_now(secret)})
    assert done.status_code == 302
    return str(done["Location"])


def _role_post(client: Client, team: Team, member: User, role: str, referer: str) -> object:
    url = reverse("member_role", kwargs={"slug": team.label.slug, "code": member.code})
    return client.post(url, {"role": role}, HTTP_REFERER=referer)


def test_an_owner_without_an_authenticator_enrols_and_comes_back_to_the_packet(
    guarded: Team, packet: Packet
) -> None:
    url = _download_url(packet)
    client = _password_client(guarded.owner)
    sent = client.get(url)
    assert sent.status_code == 302 and sent["Location"] == f"{ENROL}?next={quote(url, safe='')}"
    assert _next_of(sent["Location"]) == url

    after = _enrol(client, sent["Location"])
    # The recovery codes first, with the way back offered on that page.
    assert after.startswith(reverse("mfa_view_recovery_codes")) and _next_of(after) == url
    codes_page = client.get(after).content.decode()
    assert f'href="{url}"' in codes_page and "Continue where you were" in codes_page
    # The code just entered confirmed this session: the packet comes now.
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="packet-{packet.code}.zip"'


def test_a_role_change_waits_for_the_second_factor(guarded: Team) -> None:
    members_page = reverse("members", kwargs={"slug": guarded.label.slug})
    client = _password_client(guarded.owner)
    refused = _role_post(client, guarded, guarded.viewer, Role.RIGHTS, members_page)
    assert refused.status_code == 302  # type: ignore[attr-defined]
    location = refused["Location"]  # type: ignore[index]
    assert location.startswith(ENROL) and _next_of(location) == members_page
    assert Membership.objects.get(label=guarded.label, user=guarded.viewer).role == Role.VIEWER
    # Invitations and removals are member changes too.
    invite = client.post(members_page, {"email": "new@label-a.test", "role": "viewer"})
    assert invite.status_code == 302 and invite["Location"].startswith(ENROL)

    assert _next_of(_enrol(client, location)) == members_page
    done = _role_post(client, guarded, guarded.viewer, Role.RIGHTS, members_page)
    assert done["Location"] == members_page  # type: ignore[index]
    assert Membership.objects.get(label=guarded.label, user=guarded.viewer).role == Role.RIGHTS


def test_a_session_that_did_not_use_the_authenticator_confirms_with_it(
    guarded: Team, packet: Packet
) -> None:
    secret = generate_totp_secret()
    TOTP.activate(guarded.counsel, secret)
    client = guarded.client_for(guarded.counsel)  # signed in without the second factor
    url = _download_url(packet)
    sent = client.get(url)
    assert sent.status_code == 302
    assert sent["Location"] == f"{CONFIRM}?next={quote(url, safe='')}"
    wrong = client.post(sent["Location"], {"code": "000000"})
    assert wrong.status_code == 200 and client.get(url).status_code == 302
    back = client.post(sent["Location"], {"code": _totp_now(secret)})
    assert back["Location"] == url
    assert client.get(url).status_code == 200


def test_a_sign_in_with_the_second_factor_is_enough(guarded: Team, packet: Packet) -> None:
    secret = generate_totp_secret()
    TOTP.activate(guarded.owner, secret)
    client = Client()
    assert _login(client, guarded.owner.email)["Location"].startswith("/accounts/2fa/authenticate/")
    client.post("/accounts/2fa/authenticate/", {"code": _totp_now(secret)})
    assert client.get(_download_url(packet)).status_code == 200
    members_page = reverse("members", kwargs={"slug": guarded.label.slug})
    _role_post(client, guarded, guarded.a_r, Role.RIGHTS, members_page)
    assert Membership.objects.get(label=guarded.label, user=guarded.a_r).role == Role.RIGHTS


def test_other_roles_and_labels_without_the_rule_are_unaffected(
    guarded: Team, packet: Packet
) -> None:
    slug = guarded.label.slug
    for user in (guarded.rights, guarded.a_r, guarded.viewer):
        client = guarded.client_for(user)
        for page in ("dashboard", "members", "jobs", "ledger"):
            assert client.get(reverse(page, kwargs={"slug": slug})).status_code == 200
        # The packet is not theirs to take: the role answers, not the second factor.
        assert client.get(_download_url(packet)).status_code == 403
    assert guarded.client_for(guarded.rights).get(f"/l/{slug}/policy/").status_code == 200
    # The same owner-less-MFA person in a label without the rule changes roles freely.
    other = guarded.client_for(guarded.outsider)
    Membership.objects.create(label=guarded.other_label, user=guarded.viewer, role=Role.VIEWER)
    url = reverse(
        "member_role", kwargs={"slug": guarded.other_label.slug, "code": guarded.viewer.code}
    )
    assert other.post(url, {"role": "rights"})["Location"].endswith("/members/")
    assert Membership.objects.get(label=guarded.other_label, user=guarded.viewer).role == "rights"


def test_turning_the_rule_on_never_locks_out_the_owner_who_does_it(team: Team) -> None:
    settings_url = reverse("label_settings", kwargs={"slug": team.label.slug})
    client = _password_client(team.owner)
    profile = {"name": team.label.name, "require_mfa": "on"}
    saved = client.post(settings_url, profile)
    assert saved.status_code == 302 and saved["Location"] == settings_url
    team.label.refresh_from_db()
    assert team.label.require_mfa is True
    # Everything still opens; a sensitive action sends the owner to set up an authenticator.
    assert client.get(settings_url).status_code == 200
    members_page = reverse("members", kwargs={"slug": team.label.slug})
    sent = _role_post(client, team, team.viewer, Role.RIGHTS, members_page)
    assert sent["Location"].startswith(ENROL)  # type: ignore[index]
    # Turning it off again is itself guarded.
    off = client.post(settings_url, {"name": team.label.name}, HTTP_REFERER=settings_url)
    assert off["Location"].startswith(ENROL)
    team.label.refresh_from_db()
    assert team.label.require_mfa is True


def test_api_sessions_need_the_second_factor_and_tokens_count_as_passed(
    guarded: Team, packet: Packet
) -> None:
    slug = guarded.label.slug
    member_url = reverse("api:member", kwargs={"slug": slug, "id": guarded.viewer.code})
    download_url = reverse(
        "api:evidence:packet-download",
        kwargs={"slug": slug, "matter_id": packet.matter.code, "id": packet.code},
    )
    session = guarded.client_for(guarded.owner)
    refused = session.patch(member_url, {"role": "rights"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "mfa_required"
    assert session.get(download_url).json()["error"]["code"] == "mfa_required"
    assert session.get(reverse("api:members", kwargs={"slug": slug})).status_code == 200

    # The operator's CLI issues tokens; a token is not held up by the rule.
    call_command("token", "create", guarded.owner.email, stdout=(out := _Capture()))
    api = Client(HTTP_AUTHORIZATION=f"Token {out.text.strip()}")
    changed = api.patch(member_url, {"role": "rights"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["role"] == "rights"
    assert api.get(download_url).status_code == 200


def test_tokens_are_issued_only_to_a_session_that_satisfies_the_rule(guarded: Team) -> None:
    owner = _password_client(guarded.owner)
    page = owner.get(reverse("tokens"))
    assert page.context["mfa_url"].startswith(ENROL)
    refused = owner.post(reverse("tokens"), {"name": "sync"})
    assert refused.status_code == 400
    assert "before creating a token" in refused.content.decode()
    assert not ApiToken.objects.filter(user=guarded.owner).exists()
    # A rights member meets no rule: a token at once.
    rights = guarded.client_for(guarded.rights)
    assert rights.post(reverse("tokens"), {"name": "sync"}).context["new_key"]

    location = f"{ENROL}?next={reverse('tokens')}"
    _enrol(owner, location)
    made = owner.post(reverse("tokens"), {"name": "sync"})
    assert made.status_code == 200 and made.context["new_key"]


def test_new_labels_require_it_unless_created_with_no_mfa() -> None:
    call_command("label", "create", "strict", "--name", "Strict", "--owner-email", "a@s.test")
    call_command(
        "label", "create", "relaxed", "--name", "Relaxed", "--owner-email", "b@s.test", "--no-mfa"
    )
    call_command(
        "label", "create", "explicit", "--name", "E", "--owner-email", "c@s.test", "--require-mfa"
    )
    assert dict(Label.objects.values_list("slug", "require_mfa")) == {
        "strict": True,
        "relaxed": False,
        "explicit": True,
    }
    with pytest.raises(CommandError, match="not allowed with"):
        call_command(
            "label",
            "create",
            "both",
            "--name",
            "B",
            "--owner-email",
            "d@s.test",
            "--no-mfa",
            "--require-mfa",
        )


class _Capture:
    def __init__(self) -> None:
        self.text = ""

    def write(self, data: str) -> None:
        self.text += data

    def flush(self) -> None:
        pass
