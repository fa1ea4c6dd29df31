"""The platform-controls and crawler-log pages fit a phone and a desktop window, in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from monitoring.services.controls import control_check_record
from monitoring.services.crawler_logs import crawler_log_submit
from optout.lib.hashing import sha256_file
from tests.conftest import PASSWORD, Team
from tests.monitoring.accesslogs import mixed_log, write_log
from tests.monitoring.conftest import run_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_controls_and_crawler_log_pages_fit_the_window(
    team: Team, browser: Any, live_server: Any, tmp_path: Path, width: int
) -> None:
    control_check_record(label=team.label, actor=team.rights, control_key="believe-ai",
                         state="on", note="Confirmed by e-mail")  # fmt: skip
    path = write_log(tmp_path, "a-rather-long-access-log-name-for-a-phone.log", mixed_log())
    digest = sha256_file(path)
    log = crawler_log_submit(
        label=team.label, path=path, sha256=digest.sha256, size=digest.size,
        original_name=path.name, actor=team.rights,
    )  # fmt: skip
    run_job(log.job)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(team.rights.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**/l/{team.label.slug}/")
        base = f"/l/{team.label.slug}/monitoring/"
        for path_ in ("controls/", "crawler-logs/", f"crawler-logs/{log.code}/"):
            page.goto(base + path_)
            assert page.locator("h1").count() == 1
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{path_} scrolls sideways by {overflow}px at {width}px"
        assert page.get_by_text("GPTBot").count() >= 1
    finally:
        context.close()
