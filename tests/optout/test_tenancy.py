"""The fail-closed label scope of every label-owned queryset (optout/models/base.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from catalog.models import Work
from optout.models.base import UnscopedQueryError
from tests.conftest import Team

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def works(team: Team) -> tuple[Work, Work]:
    ours = Work.objects.create(label=team.label, title="Ours")
    theirs = Work.objects.create(label=team.other_label, title="Theirs")
    return ours, theirs


@pytest.mark.parametrize(
    "use",
    [
        pytest.param(lambda qs: list(qs), id="iterate"),
        pytest.param(lambda qs: qs.count(), id="count"),
        pytest.param(lambda qs: qs.exists(), id="exists"),
        pytest.param(lambda qs: qs.first(), id="first"),
        pytest.param(lambda qs: list(qs.iterator()), id="iterator"),
        pytest.param(lambda qs: qs.update(title="x"), id="update"),
        pytest.param(lambda qs: qs.delete(), id="delete"),
        pytest.param(lambda qs: list(qs.values_list("title")), id="values_list"),
    ],
)
def test_a_query_without_a_label_scope_is_refused(works, use) -> None:
    with pytest.raises(UnscopedQueryError, match="Work query without a label scope"):
        use(Work.objects.filter(title__startswith=""))
    assert Work.objects.unscoped().filter(title="x").count() == 0  # nothing was changed


def test_for_label_sees_only_that_labels_rows(team: Team, works) -> None:
    ours, theirs = works
    assert list(Work.objects.for_label(team.label)) == [ours]
    assert list(Work.objects.for_label(team.other_label)) == [theirs]
    # The scope travels through further filtering and chaining.
    assert Work.objects.for_label(team.label).filter(title="Theirs").count() == 0


def test_accessible_to_follows_memberships(team: Team, works) -> None:
    ours, theirs = works
    assert list(Work.objects.accessible_to(team.viewer)) == [ours]
    assert list(Work.objects.accessible_to(team.outsider)) == [theirs]
    assert list(Work.objects.accessible_to(AnonymousUser())) == []


def test_a_deactivated_label_is_out_of_reach(team: Team, works) -> None:
    team.label.is_active = False
    team.label.save(update_fields=["is_active"])
    assert list(Work.objects.accessible_to(team.owner)) == []


def test_rows_carry_their_label_without_a_join_or_another_query(
    team: Team, works, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1) as captured:
        rows = list(Work.objects.for_label(team.label))
        assert rows[0].label == team.label
        assert rows[0].label.slug == "label-a"
    assert "optout_label" not in captured.captured_queries[0]["sql"].split("WHERE")[0]
    # values() rows are plain dicts and stay so.
    assert list(Work.objects.for_label(team.label).values("title")) == [{"title": "Ours"}]


# System code that may read every label's rows (``.unscoped()``), and why. A new use must
# be added here on purpose; ``.unscoped().none()`` (an empty queryset for schema generation)
# reads nothing and is not listed.
UNSCOPED_ALLOWED = {
    "notices/services/responses.py": "a partner's response link, found by its token's hash",
    "notices/services/deadlines.py": "the hourly reminders and overdue marks of every label",
    "notices/services/delivery.py": "a mail service's delivery report, found by Message-ID",
    "optout/services/jobs.py": "the job sweeper and the claim of a job by its id",
    "evidence/services/captures/request.py": "the scheduler that starts every label's due captures",
    "catalog/filters.py": "correlated subqueries tied to rows already scoped (OuterRef)",
    "catalog/services/resumable_uploads.py": "expiring every label's abandoned uploads",
    "optout/services/coverage.py": "the beat task that refreshes every changed label's coverage",
    "monitoring/selectors.py": "a worker's start loads every label's fingerprint index",
    "evidence/services/packets/checking.py": (
        "an uploaded packet checked against the record of the packet it claims to be"
    ),
}


def test_only_listed_system_modules_read_every_labels_rows() -> None:
    found = set()
    for package in ("optout", "catalog", "evidence", "notices", "monitoring"):
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            # Managers that hand the call on (``get_queryset().unscoped()``) are not uses.
            uses = re.findall(
                r"(?<!get_queryset\(\))\.unscoped\(\)(?!\.none\(\))", path.read_text()
            )
            if uses and relative != "optout/models/base.py":
                found.add(relative)
    assert found == set(UNSCOPED_ALLOWED)
