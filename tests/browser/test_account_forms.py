"""Sign-in and sign-up look like the rest of the application, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from optout.models import User
from optout.services.labels import invitation_create
from tests.conftest import Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_offers_the_reset_link_once_and_the_checkbox_beside_its_label(page: Any) -> None:
    page.goto("/accounts/login/")
    assert page.get_by_role("link", name="Forgot your password?").count() == 1
    box = page.get_by_role("checkbox").bounding_box()
    label = page.locator("label[for='id_remember']").bounding_box()
    # Beside it: the label starts to the right of the box, on the same line.
    assert label["x"] >= box["x"] + box["width"]
    assert abs((label["y"] + label["height"] / 2) - (box["y"] + box["height"] / 2)) < 6


def test_a_status_pill_that_wraps_stays_a_rounded_box(page: Any) -> None:
    page.goto("/accounts/login/")
    shape = page.evaluate(
        """() => {
          const pill = document.createElement('span');
          pill.className = 'badge badge-failed';
          pill.style.width = '5rem';
          pill.textContent = 'refused by your policy for every agent';
          document.querySelector('main').appendChild(pill);
          const r = pill.getBoundingClientRect();
          const style = getComputedStyle(pill);
          return {height: r.height, lineHeight: parseFloat(style.lineHeight),
                  radius: parseFloat(style.borderTopLeftRadius)};
        }"""
    )
    assert shape["height"] > 2 * shape["lineHeight"]  # it did wrap
    # An oval has a radius of half its height; this keeps the corners of a one-line pill.
    assert shape["radius"] <= shape["lineHeight"]


def test_an_invited_person_signs_up_with_a_name_on_a_styled_page(team: Team, page: Any) -> None:
    _inv, token = invitation_create(
        label=team.label, email="singer@example.test", role="viewer", actor=team.owner
    )
    page.goto(f"/invitations/{token}/")
    page.goto("/accounts/signup/")
    assert page.get_by_role("heading", name="Create your account").is_visible()
    # The project's stylesheet applies: the form is the same stacked form as sign-in.
    assert page.locator("form.stack").count() == 1
    name = page.get_by_label("Your name")
    assert name.is_visible()
    assert (
        page.evaluate("getComputedStyle(document.querySelector('#id_name')).borderTopLeftRadius")
        == "6px"
    )
    name.fill("Siv Sångare")
    page.get_by_label("Email").fill("singer@example.test")
    page.locator("#id_password1").fill("A-good-long-passphrase-1")
    page.locator("#id_password2").fill("A-good-long-passphrase-1")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"**/invitations/{token}/")
    assert User.objects.get(email="singer@example.test").name == "Siv Sångare"
