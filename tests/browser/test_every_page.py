"""Every page of the matrix, in Chromium: no page is wider than the window at 1280 px or
at a phone's 390 px, and axe-core finds no serious or critical accessibility violation.

The pages come from the matrix inventory (tests/matrix/), so a new page is checked the day
it is listed there. Each page is loaded once, checked at 1280 px with axe, then narrowed to
390 px (CSS media queries apply on resize) and measured again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.matrix import Route, all_routes, route_url
from tests.matrix._world import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
# Impacts that fail the test; "moderate" and "minor" findings are reported by axe's own
# tools and are not a gate here.
FAILING_IMPACTS = {"serious", "critical"}
# The innermost elements that stick out of the window, to say what to fix.
WIDEST = """() => {
    const limit = document.documentElement.clientWidth + 1;
    const sticksOut = (el) => el.checkVisibility() && el.getBoundingClientRect().right > limit;
    const out = [...document.querySelectorAll("main *, header *")].filter(
        (el) => sticksOut(el) && ![...el.children].some(sticksOut));
    return out.slice(0, 3).map((el) =>
        el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ")[0] : "")
        + " «" + (el.textContent || "").trim().slice(0, 40) + "»");
}"""

# Every id an aria-describedby or aria-labelledby names must exist (help texts, errors).
DANGLING_REFERENCES = """() => [
    ...document.querySelectorAll("[aria-describedby], [aria-labelledby]")]
    .flatMap((el) => ["aria-describedby", "aria-labelledby"]
        .flatMap((attr) => (el.getAttribute(attr) || "").split(/\\s+/).filter(Boolean)))
    .filter((id) => !document.getElementById(id))"""


def _pages(routes: list[Route]) -> list[Route]:
    return [
        r
        for r in routes
        if not r.is_api and r.read is not None and r.name != "api-schema" and r.kind != "user"
    ]


def _html(client: Client, url: str) -> bool:
    response = client.get(url)
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


def _check(page: Any, url: str, problems: list[str]) -> None:
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto(url)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 1:
            culprits = page.evaluate(WIDEST)
            problems.append(f"{url} at {width}px is {overflow}px wider than the window: {culprits}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    dangling = page.evaluate(DANGLING_REFERENCES)
    if dangling:
        problems.append(f"{url}: aria-describedby/labelledby name no element: {dangling}")
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    for violation in violations:
        if violation["impact"] in FAILING_IMPACTS:
            problems.append(
                f"{url}: axe {violation['impact']} {violation['id']} at {violation['targets']}"
            )


def test_every_page_fits_the_window_and_passes_axe(browser: Any, live_server: Any) -> None:
    world = make_world()
    routes = _pages(all_routes())
    client = Client()
    client.force_login(world.a.owner)
    urls = []
    for route in routes:
        url = route_url(route, world.a) + route.query
        if route.kind == "public":
            urls.append((url, False))
        elif _html(client, url):
            urls.append((url, True))
    assert len(urls) > 40, urls  # the inventory was read, not skipped

    problems: list[str] = []
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    signed_in = browser.new_context(base_url=live_server.url, bypass_csp=True)
    signed_in.add_cookies([cookie])
    anonymous = browser.new_context(base_url=live_server.url, bypass_csp=True)
    try:
        pages = {True: signed_in.new_page(), False: anonymous.new_page()}
        for page in pages.values():
            page.set_default_timeout(20_000)
        for url, needs_sign_in in urls:
            if not needs_sign_in and not _html(Client(), url):
                continue
            _check(pages[needs_sign_in], url, problems)
    finally:
        signed_in.close()
        anonymous.close()
    assert not problems, "\n".join(problems)
