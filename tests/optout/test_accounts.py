"""Accounts: sign-up by invitation only, e-mail login, verification, reset, MFA, rate limits."""

from __future__ import annotations

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.test import Client

from optout.models import LedgerEntry, Membership, User
from optout.services.labels import invitation_create
from tests.conftest import PASSWORD, Team, make_user

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def _main(page: bytes) -> bytes:
    """The page's main content, without the per-session CSRF tokens."""
    main = page[page.index(b"<main") : page.index(b"</main>")]
    return re.sub(rb'value="[A-Za-z0-9]{32,64}"', b"", main)


def _link(message: str) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message)
    assert match, message
    return match.group(1)


def test_sign_up_is_closed_without_an_invitation() -> None:
    client = Client()
    page = client.get("/accounts/signup/")
    assert b"Sign Up Closed" in page.content or b"closed" in page.content.lower()
    client.post(
        "/accounts/signup/",
        {
            "email": "x@example.test",
            "password1": "Very-long-pass-123",
            "password2": "Very-long-pass-123",
        },
    )
    assert not User.objects.filter(email="x@example.test").exists()


def test_an_invited_person_signs_up_and_joins_the_label(
    team: Team, django_capture_on_commit_callbacks
) -> None:
    owner = team.client_for(team.owner)
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(f"/l/{team.label.slug}/members/", {"email": "new@example.test", "role": "a_r"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.test"]
    link = _link(str(mail.outbox[0].body))

    guest = Client()
    page = guest.get(link)
    assert page.status_code == 200 and b"Label A" in page.content
    signup = guest.get("/accounts/signup/")
    assert b"new@example.test" in signup.content  # the invited address is offered
    assert b'href="/static/css/app.css' in signup.content or b"app.css" in signup.content
    assert b'name="name"' in signup.content and b'class="stack"' in signup.content
    nameless = guest.post(
        "/accounts/signup/",
        {
            "name": "  ",
            "email": "new@example.test",
            "password1": "A-good-long-passphrase-1",
            "password2": "A-good-long-passphrase-1",
        },
    )
    assert nameless.status_code == 200 and not User.objects.filter(email="new@example.test")
    response = guest.post(
        "/accounts/signup/",
        {
            "name": "  Nora   Lind ",
            "email": "new@example.test",
            "password1": "A-good-long-passphrase-1",
            "password2": "A-good-long-passphrase-1",
        },
    )
    assert response.status_code == 302 and response["Location"] == link
    user = User.objects.get(email="new@example.test")
    assert user.name == "Nora Lind"  # the Members page shows this, not "new"
    assert EmailAddress.objects.get(user=user).verified  # the link proved the address
    accepted = guest.post(link)
    assert accepted.status_code == 302
    assert accepted["Location"] == f"/l/{team.label.slug}/"
    assert Membership.objects.get(user=user, label=team.label).role == "a_r"
    joined = LedgerEntry.objects.for_label(team.label).filter(action="member.joined").get()
    assert joined.actor == user and joined.data["role"] == "a_r"
    assert guest.get(link).status_code == 404  # used once


def test_an_existing_user_accepts_after_signing_in(team: Team) -> None:
    make_user("existing@example.test")
    _inv, token = invitation_create(
        label=team.label, email="Existing@Example.test", role="counsel", actor=team.owner
    )
    client = Client()
    assert _login(client, "existing@example.test").status_code == 302
    response = client.post(f"/invitations/{token}/")
    assert response.status_code == 302
    assert Membership.objects.get(user__email="existing@example.test").role == "counsel"


def test_an_invitation_cannot_be_accepted_by_someone_else(team: Team) -> None:
    _inv, token = invitation_create(
        label=team.label, email="meant@example.test", role="viewer", actor=team.owner
    )
    intruder = team.client_for(team.outsider)
    page = intruder.post(f"/invitations/{token}/")
    assert b"this invitation is for meant@example.test" in page.content
    assert not Membership.objects.filter(user=team.outsider, label=team.label).exists()


def test_a_withdrawn_invitation_is_no_longer_valid(team: Team) -> None:
    invitation, token = invitation_create(
        label=team.label, email="gone@example.test", role="viewer", actor=team.owner
    )
    owner = team.client_for(team.owner)
    owner.post(f"/l/{team.label.slug}/invitations/{invitation.code}/revoke/")
    assert Client().get(f"/invitations/{token}/").status_code == 404


def test_unverified_addresses_cannot_sign_in() -> None:
    user = User.objects.create_user(email="unverified@example.test", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    client = Client()
    response = _login(client, user.email)
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    assert client.get("/labels/").status_code == 302  # still not signed in
    assert any("Confirm" in m.subject or "confirm" in m.body for m in mail.outbox)


def test_password_reset_does_not_reveal_whether_an_account_exists(team: Team) -> None:
    known = Client().post("/accounts/password/reset/", {"email": team.owner.email})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    done_known = Client().get(known["Location"])
    done_unknown = Client().get(unknown["Location"])
    assert _main(done_known.content) == _main(done_unknown.content)
    # Only the mailbox learns the answer: the owner gets a reset link, the unknown address
    # is told (in its own mailbox) that it has no account.
    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    assert "/accounts/password/reset/key/" in by_recipient[team.owner.email]
    assert "/accounts/password/reset/key/" not in by_recipient.get("nobody@example.test", "")


def test_failed_logins_are_rate_limited_per_account_on_the_shared_cache(team: Team) -> None:
    client = Client()
    for _ in range(5):
        response = _login(client, team.owner.email, "wrong-password")
        assert response.status_code == 200
    blocked = _login(client, team.owner.email)  # even the right password is refused now
    assert blocked.status_code in (200, 429)
    assert client.get("/labels/").status_code == 302
    assert b"Too many failed login attempts" in blocked.content or blocked.status_code == 429


def test_the_admin_login_goes_through_the_same_sign_in() -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _totp_now(secret: str) -> str:
    # A code is valid for its 30-second period only: never compute one at the period's edge.
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]
    code: str = format_hotp_value(hotp_value(secret, counter))
    return code


def test_two_factor_sign_in_with_totp_and_recovery_codes(team: Team) -> None:
    client = Client()
    _login(client, team.counsel.email)
    # Adding an authenticator asks for the password again.
    first = client.get("/accounts/2fa/totp/activate/")
    assert first["Location"].startswith("/accounts/reauthenticate/")
    client.post(first["Location"], {"password": PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": _totp_now(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=team.counsel, type="totp").exists()
    client.post("/accounts/logout/")

    def sign_in(code: str) -> Client:
        c = Client()
        first = _login(c, team.counsel.email)
        assert first["Location"].startswith("/accounts/2fa/authenticate/")
        c.post("/accounts/2fa/authenticate/", {"code": code})
        return c

    code = _totp_now(secret)
    assert sign_in(code).get("/labels/").status_code == 200
    assert sign_in(code).get("/labels/").status_code == 302  # the same code twice: refused
    assert sign_in("000000").get("/labels/").status_code == 302

    recovery = Authenticator.objects.get(user=team.counsel, type="recovery_codes")
    spare = RecoveryCodes(recovery).get_unused_codes()[0]
    assert sign_in(spare).get("/labels/").status_code == 200
    assert sign_in(spare).get("/labels/").status_code == 302  # each code works once
