from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from optout.models import Label, LedgerEntry, Membership, User
from tests.conftest import Team

pytestmark = pytest.mark.django_db


def test_label_create_makes_the_label_and_a_new_owner(capsys) -> None:
    call_command(
        "label", "create", "north", "--name", "North Records", "--owner-email", "Boss@North.test"
    )
    label = Label.objects.get(slug="north")
    owner = User.objects.get(email="boss@north.test")
    assert Membership.objects.get(label=label, user=owner).role == "owner"
    assert not owner.has_usable_password()
    assert "Forgot your password?" in capsys.readouterr().out
    actions = LedgerEntry.objects.for_label(label).values_list("action", flat=True)
    # label_create also approves version 1 of the reservation policy.
    assert list(actions.order_by("seq")) == ["label.created", "member.added", "policy.approved"]


def test_label_create_reuses_an_existing_user_and_refuses_a_taken_slug(team: Team) -> None:
    call_command(
        "label", "create", "second", "--name", "Second", "--owner-email", team.viewer.email
    )
    assert Membership.objects.get(label__slug="second", user=team.viewer).role == "owner"
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "label", "create", "second", "--name", "Again", "--owner-email", "x@example.test"
        )
    with pytest.raises(CommandError, match="lower-case letters"):
        call_command(
            "label", "create", "Bad Slug!", "--name", "X", "--owner-email", "x@example.test"
        )


def test_seed_demo_prints_a_login_that_works(settings, capsys) -> None:
    settings.DEBUG = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    email = out.split("e-mail:", 1)[1].split()[0]
    password = out.split("password:", 1)[1].split()[0]
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # to the demo label's dashboard
    call_command("seed_demo")  # a second run changes nothing
    assert Label.objects.filter(slug="demo").count() == 1
    # A newcomer tries packets, members and approvals without setting up an authenticator.
    assert Label.objects.get(slug="demo").require_mfa is False


def test_seed_demo_again_keeps_a_password_the_demo_owner_changed(settings, capsys) -> None:
    settings.DEBUG = True
    call_command("seed_demo")
    owner = User.objects.get(email="owner@demo.optout.test")
    owner.set_password("my-own-new-passphrase-7")
    owner.save()
    call_command("seed_demo")  # what `make run` does on every start
    owner.refresh_from_db()
    assert owner.check_password("my-own-new-passphrase-7")
    assert "unless you have changed it" in capsys.readouterr().out


def test_seed_demo_refuses_a_production_deployment(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusing"):
        call_command("seed_demo")
