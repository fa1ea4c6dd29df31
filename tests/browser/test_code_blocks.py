"""Pages that show code (signals, server snippets, job results) stay as wide as the window:
the code blocks scroll inside themselves, and the signals bundle download stays on screen."""

from __future__ import annotations

from typing import Any

import pytest

from optout.models import Job, LabelDomain
from tests.conftest import PASSWORD, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)


def _sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/l/**")


def _widths(page: Any) -> tuple[int, int]:
    scroll: int = page.evaluate("document.documentElement.scrollWidth")
    window: int = page.evaluate("window.innerWidth")
    return scroll, window


@pytest.mark.parametrize("width", WIDTHS)
def test_the_signals_page_is_no_wider_than_the_window(team: Team, page: Any, width: int) -> None:
    LabelDomain.objects.create(label=team.label, domain="www.label-a.example")
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, team.rights.email)
    page.goto(f"/l/{team.label.slug}/policy/signals/")
    # The server snippets hold lines of thousands of characters (every AI agent in one rule).
    longest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('pre')].map(p => p.scrollWidth))"
    )
    assert longest > 5 * width
    scroll, window = _widths(page)
    assert window == width
    assert scroll <= window, f"the page is {scroll} px wide in a {window} px window"
    # Each block scrolls by itself, and the download is where the user can reach it.
    pre = page.locator("pre.signal").first
    assert pre.evaluate("p => getComputedStyle(p).overflowX") == "auto"
    box = page.get_by_role("link", name="Download the install bundle").bounding_box()
    assert box is not None and box["x"] + box["width"] <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_a_job_result_with_a_long_line_scrolls_inside_its_block(
    team: Team, page: Any, width: int
) -> None:
    job = Job.objects.create(
        label=team.label,
        kind="test.long",
        title="A job with a long result",
        status=Job.Status.DONE,
        max_attempts=1,
        result={"url": "https://example.test/" + "a" * 3000},
    )
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, team.owner.email)
    page.goto(f"/l/{team.label.slug}/jobs/{job.code}/")
    assert page.locator("pre.result").evaluate("p => p.scrollWidth") > 3 * width
    scroll, window = _widths(page)
    assert scroll <= window, f"the page is {scroll} px wide in a {window} px window"
