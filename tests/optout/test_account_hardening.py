"""Accounts and sessions under attack: sign-in rate limits behind a proxy, API token expiry
and revocation, single-use invitations, and label names without control characters."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from optout.models import ApiToken, Label, Membership, User
from optout.services.labels import invitation_create
from optout.services.tokens import token_create
from tests.conftest import PASSWORD, Team, make_user

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def _login(client: Client, email: str, password: str, forwarded_for: str | None) -> Any:
    extra: dict[str, Any] = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


def _blocked(response: Any) -> bool:
    return response.status_code == 429 or b"Too many failed login attempts" in response.content


# --- client address behind the proxy --------------------------------------------------------


def test_behind_a_trusted_proxy_one_client_failing_does_not_block_another(
    team: Team, settings: Any
) -> None:
    settings.OPTOUT_TRUSTED_PROXY_HOPS = 1
    attacker = Client()
    for _ in range(10):
        response = _login(attacker, f"{uuid.uuid4().hex}@example.test", "x", "198.51.100.7")
        assert not _blocked(response)
    assert _blocked(_login(attacker, "someone@example.test", "x", "198.51.100.7"))
    # A spoofed left-most entry does not help: the proxy appended the real address.
    assert _blocked(_login(attacker, "someone@example.test", "x", "1.2.3.4, 198.51.100.7"))

    colleague = Client()
    response = _login(colleague, team.owner.email, PASSWORD, "203.0.113.9")
    assert response.status_code == 302, "a client behind the same proxy was blocked"


def test_successful_sign_ins_are_counted_per_client_not_per_deployment(
    team: Team, settings: Any
) -> None:
    settings.OPTOUT_TRUSTED_PROXY_HOPS = 1
    for number in range(31):
        response = _login(Client(), team.owner.email, PASSWORD, f"192.0.2.{number + 1}")
        assert response.status_code == 302, f"sign-in {number + 1} from its own address refused"


def test_without_the_setting_x_forwarded_for_is_ignored(team: Team, settings: Any) -> None:
    settings.OPTOUT_TRUSTED_PROXY_HOPS = 0
    attacker = Client()
    for number in range(10):
        _login(attacker, f"{uuid.uuid4().hex}@example.test", "x", f"198.51.100.{number}")
    # A fresh spoofed address does not reset the count: the limit is on the connection.
    assert _blocked(_login(attacker, "someone@example.test", "x", "198.51.100.200"))


def test_the_client_address_reads_the_trusted_hop_only() -> None:
    from django.test import RequestFactory

    from optout.lib.client_ip import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.1.1.1"
    )
    assert client_ip(request, trusted_hops=0) == PROXY
    assert client_ip(request, trusted_hops=1) == "10.1.1.1"
    assert client_ip(request, trusted_hops=2) == "198.51.100.7"
    assert client_ip(request, trusted_hops=4) == PROXY  # fewer entries than proxies
    junk = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(junk, trusted_hops=1) == PROXY


# --- API tokens -------------------------------------------------------------------------------


def _api(key: str) -> Any:
    return Client().get("/api/v1/labels/", HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_expires_after_the_configured_days(team: Team, settings: Any) -> None:
    settings.OPTOUT_API_TOKEN_DAYS = 30
    token, key = token_create(user=team.owner, name="sync")
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert _api(key).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _api(key)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"
    assert "expired" in response.json()["error"]["message"]


def test_the_tokens_page_shows_the_expiry(team: Team, settings: Any) -> None:
    settings.OPTOUT_API_TOKEN_DAYS = 45
    token, _key = token_create(user=team.owner, name="sync")
    page = team.client_for(team.owner).get("/account/tokens/")
    assert b"45 days" in page.content
    assert timezone.localtime(token.expires_at).strftime("%Y").encode() in page.content


def test_changing_the_password_revokes_the_users_tokens(team: Team) -> None:
    _token, key = token_create(user=team.owner, name="sync")
    _other, other_key = token_create(user=team.rights, name="theirs")
    client = team.client_for(team.owner)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "A-new-long-passphrase-9",
            "password2": "A-new-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    assert _api(key).status_code == 401
    assert _api(other_key).status_code == 200  # someone else's token is untouched


def test_resetting_the_password_revokes_the_users_tokens(team: Team) -> None:
    from allauth.account.adapter import get_adapter

    _token, key = token_create(user=team.owner, name="sync")
    get_adapter().set_password(team.owner, "A-new-long-passphrase-9")
    assert _api(key).status_code == 401


def test_removing_two_factor_revokes_the_users_tokens(team: Team) -> None:
    from allauth.mfa import signals

    _token, key = token_create(user=team.owner, name="sync")
    authenticator = Authenticator.objects.create(
        user=team.owner, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    signals.authenticator_removed.send(
        sender=Authenticator, request=None, user=team.owner, authenticator=authenticator
    )
    assert _api(key).status_code == 401
    _token, key = token_create(user=team.owner, name="again")
    signals.authenticator_reset.send(
        sender=Authenticator, request=None, user=team.owner, authenticator=authenticator
    )
    assert _api(key).status_code == 401


# --- invitations ------------------------------------------------------------------------------


def _signup(client: Client, email: str) -> Any:
    return client.post(
        "/accounts/signup/",
        {
            "name": "Invited Person",
            "email": email,
            "password1": "A-good-long-passphrase-1",
            "password2": "A-good-long-passphrase-1",
        },
    )


def test_an_invitation_link_does_not_open_sign_up_for_another_address(team: Team) -> None:
    _inv, token = invitation_create(
        label=team.label, email="invited@example.test", role="viewer", actor=team.owner
    )
    guest = Client()
    assert guest.get(f"/invitations/{token}/").status_code == 200
    response = _signup(guest, "someone-else@example.test")
    assert response.status_code == 200
    assert b"invited@example.test" in response.content
    assert not User.objects.filter(email="someone-else@example.test").exists()


def test_an_invitation_admits_its_address_once(team: Team) -> None:
    _inv, token = invitation_create(
        label=team.label, email="invited@example.test", role="viewer", actor=team.owner
    )
    guest = Client()
    guest.get(f"/invitations/{token}/")
    assert _signup(guest, "invited@example.test").status_code == 302
    assert guest.post(f"/invitations/{token}/").status_code == 302
    assert Membership.objects.filter(user__email="invited@example.test").count() == 1

    second = Client()
    assert second.get(f"/invitations/{token}/").status_code == 404
    _signup(second, "another@example.test")
    assert not User.objects.filter(email="another@example.test").exists()
    again = team.client_for(team.outsider)
    assert again.post(f"/invitations/{token}/").status_code == 404
    assert not Membership.objects.filter(user=team.outsider, label=team.label).exists()


# --- label names ------------------------------------------------------------------------------

BAD_NAMES = ["Evil\r\nBcc: x@example.test", "Tab\there", "Nul\x00", "Line\u2028break", "Bell\x07"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_label_names_refuse_control_characters_in_the_form(team: Team, name: str) -> None:
    client = team.client_for(team.owner)
    response = client.post(
        f"/l/{team.label.slug}/settings/", {"name": name, "legal_name": "", "address": ""}
    )
    assert response.status_code in (200, 400)
    team.label.refresh_from_db()
    assert team.label.name == "Label A"


@pytest.mark.parametrize("name", BAD_NAMES)
def test_label_names_refuse_control_characters_in_the_api(team: Team, name: str) -> None:
    _token, key = token_create(user=team.owner, name="t")
    for field in ("name", "legal_name"):
        response = Client().patch(
            f"/api/v1/labels/{team.label.slug}/",
            {field: name},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )
        assert response.status_code == 400, response.content
        assert field in response.json()["error"]["fields"]


def test_label_names_refuse_control_characters_in_the_command() -> None:
    make_user("boss@example.test")
    with pytest.raises(CommandError, match="control characters"):
        call_command(
            "label",
            "create",
            "evil",
            "--name",
            "Evil\nLabel",
            "--owner-email",
            "boss@example.test",
            stdout=StringIO(),
        )
    assert not Label.objects.filter(slug="evil").exists()
