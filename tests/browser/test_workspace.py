"""Sign in, switch label, see the dashboard, invite a member — in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from optout.models import Invitation
from optout.services.labels import membership_add
from tests.conftest import PASSWORD, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_switch_label_see_dashboard_and_invite(team: Team, page: Any) -> None:
    membership_add(label=team.other_label, user=team.owner, role="viewer", actor=team.outsider)
    _sign_in(page, team.owner.email)

    # Two labels: the home page asks which one.
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Your labels").is_visible()
    page.get_by_role("link", name="Label A").click()
    page.wait_for_url(f"**/l/{team.label.slug}/")
    assert page.get_by_role("heading", name="Label A", level=1).is_visible()
    assert page.get_by_role("heading", name="Recent jobs").is_visible()

    # The switcher in the top bar opens label B.
    page.locator("details.label-switcher summary").click()
    page.locator("details.label-switcher").get_by_role("link", name="Label B").click()
    page.wait_for_url(f"**/l/{team.other_label.slug}/")
    assert page.get_by_role("heading", name="Label B", level=1).is_visible()
    # As a viewer of label B there is no invitation form.
    page.get_by_role("navigation", name="Label sections").get_by_role(
        "link", name="Members"
    ).click()
    assert page.get_by_role("heading", name="Invite someone").count() == 0

    # Back in label A, as its owner, invite someone.
    page.goto(f"/l/{team.label.slug}/members/")
    page.get_by_role("textbox", name="E-mail address").fill("new.producer@example.test")
    page.get_by_role("combobox", name="Role", exact=True).select_option("a_r")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url(f"**/l/{team.label.slug}/members/")
    assert page.get_by_text("Invitation sent to new.producer@example.test").is_visible()
    assert page.get_by_role("heading", name="Invitations waiting").is_visible()
    invitation = Invitation.objects.get(label=team.label, email="new.producer@example.test")
    assert invitation.role == "a_r"
    assert [m.to for m in mail.outbox] == [["new.producer@example.test"]]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "members.png"), full_page=True)


def test_the_workspace_fits_a_phone(team: Team, browser: Any, live_server: Any) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    try:
        _sign_in(page, team.owner.email)
        page.wait_for_url(f"**/l/{team.label.slug}/")
        for path in ("", "members/", "ledger/", "settings/"):
            page.goto(f"/l/{team.label.slug}/{path}")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"/{path} scrolls sideways by {overflow}px on a phone"
        page.goto(f"/l/{team.label.slug}/")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "dashboard-phone.png"), full_page=True)
    finally:
        context.close()


def test_the_language_switch_works_without_reloading_by_hand(team: Team, page: Any) -> None:
    _sign_in(page, team.owner.email)
    page.wait_for_url(f"**/l/{team.label.slug}/")
    page.goto(f"/l/{team.label.slug}/members/")
    language = page.get_by_role("group", name="Language")
    assert language.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"
    # Arrow keys move between the languages without switching; Enter or a click switches.
    language.get_by_role("button", name="English").focus()
    page.keyboard.press("ArrowDown")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        language.get_by_role("button", name="Svenska").click()
    # The same page, now in Swedish.
    page.wait_for_url(f"**/l/{team.label.slug}/members/")
    assert page.get_by_role("link", name="Medlemmar").first.is_visible()
    assert page.locator("html").get_attribute("lang") == "sv"
    pressed = page.get_by_role("group", name="Språk").get_by_role("button", name="Svenska")
    assert pressed.get_attribute("aria-pressed") == "true"


def test_a_filter_that_submits_on_change_waits_for_enter_on_the_keyboard(
    team: Team, page: Any
) -> None:
    _sign_in(page, team.owner.email)
    page.wait_for_url(f"**/l/{team.label.slug}/")
    page.goto(f"/l/{team.label.slug}/catalog/masters/")
    select = page.get_by_label("Status")
    select.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert "status=" not in page.url  # walking the options does not reload the page
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "status=" in page.url
    # A pointer choice still submits at once.
    with page.expect_navigation():
        page.get_by_label("Status").select_option("")
    assert "status=&" in page.url or page.url.endswith("status=")
