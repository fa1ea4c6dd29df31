"""Words the application stores (job titles, matter item titles, the seeded policy note,
country names) are shown in the reader's language; rows written before stay readable."""

from __future__ import annotations

import pytest
from django.utils import translation

from catalog.identifiers import territory_name
from optout.models import Job
from optout.policy.models import PolicyVersion
from optout.services.jobs import job_create
from tests.conftest import Team

pytestmark = pytest.mark.django_db


def _swedish(team: Team, path: str) -> str:
    client = team.client_for(team.owner)
    client.cookies["django_language"] = "sv"
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    return response.content.decode()


def test_a_job_title_is_stored_as_a_message_and_shown_in_the_readers_language(
    team: Team,
) -> None:
    with translation.override("sv"):  # made from a Swedish page: still stored in English
        job = job_create(
            label=team.label,
            kind="ledger.verify",
            actor=team.owner,
            title="Import %(name)s",
            title_args={"name": "katalog.csv"},
        )
    job.refresh_from_db()
    assert job.title == "Import katalog.csv"
    assert job.title_message == {"msgid": "Import %(name)s", "args": {"name": "katalog.csv"}}
    with translation.override("sv"):
        assert job.display_title == "Importera katalog.csv"
    assert job.display_title == "Import katalog.csv"
    page = _swedish(team, f"/l/{team.label.slug}/jobs/{job.code}/")
    assert "Importera katalog.csv" in page


def test_a_job_written_before_messages_keeps_its_title(team: Team) -> None:
    old = Job.objects.create(
        label=team.label, kind="ledger.verify", title="Verify the custody ledger", max_attempts=1
    )
    free = Job.objects.create(
        label=team.label, kind="ledger.verify", title="Importera gammal.csv", max_attempts=1
    )
    with translation.override("sv"):
        assert old.display_title == "Kontrollera spårbarhetsloggen"
        assert free.display_title == "Importera gammal.csv"


def test_the_seeded_policy_note_reads_in_swedish(team: Team) -> None:
    version = PolicyVersion.objects.for_label(team.label).get(number=1)
    assert version.change_note.startswith("Initial policy")
    with translation.override("sv"):
        assert not version.change_note_display.startswith("Initial policy")
    page = _swedish(team, f"/l/{team.label.slug}/policy/")
    assert "Initial policy" not in page


def test_country_names_follow_the_language() -> None:
    assert territory_name("DE") == "Germany"
    with translation.override("sv"):
        assert territory_name("DE") == "Tyskland"
        assert territory_name("Worldwide") == "Hela världen"
    assert territory_name("ZZ") == "ZZ"


def test_the_members_page_promises_only_what_each_role_can_do(team: Team) -> None:
    from optout.roles import Capability, role_can

    text = team.client_for(team.owner).get(f"/l/{team.label.slug}/members/").content.decode()
    # Takedowns are not a feature yet: no role is promised them.
    assert "takedown" not in text.lower()
    assert "builds and downloads evidence packets" in text
    assert role_can("counsel", Capability.PACKETS) and not role_can("counsel", Capability.RIGHTS)
    assert "master uploads and tagged copies" in text and role_can("a_r", Capability.CATALOG)
    assert "Reads everything; changes nothing." in text


def test_the_seeded_regions_are_named_in_the_readers_language(team: Team) -> None:
    from optout.policy.models import Territory

    uk = Territory.objects.get(key="uk")
    assert uk.name == "United Kingdom"  # stored as seeded
    with translation.override("sv"):
        assert uk.display_name == "Storbritannien"
    page = _swedish(team, f"/l/{team.label.slug}/policy/territories/uk/")
    assert "Storbritannien" in page
