"""Crawler logs: a log written at test time, read by the analysis job, gives exact counts,
judged against the robots.txt in force on each day."""

from __future__ import annotations

import gzip
import io
import json
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evidence.models import Matter
from evidence.services.matters import matter_create, matter_item_add
from monitoring.models import CrawlerLog, CrawlerLogAgent
from monitoring.selectors import crawler_agents_running
from monitoring.services import crawler_logs
from monitoring.services.crawler_logs import (
    CrawlerLogError,
    crawler_log_export,
    crawler_log_from_path,
    crawler_log_submit,
    verification_data,
)
from optout.lib.hashing import sha256_file
from optout.models import Job, LedgerEntry
from optout.policy.services.policy import policy_approve, policy_draft_save
from optout.services.blobs import blob_open
from tests.conftest import Team
from tests.monitoring.accesslogs import CLAUDEBOT, GOOGLEBOT, days, line, mixed_log, write_log
from tests.monitoring.conftest import run_job


@pytest.fixture
def two_versions(team: Team) -> None:
    """Version 1 (initial: every AI agent refused everywhere) today; version 2, refusing
    /music/ only, from tomorrow."""
    draft = policy_draft_save(
        label=team.label, actor=team.owner, values={"scope_paths": ["/music/"]}
    )
    policy_approve(draft=draft, actor=team.owner, effective_date=days()[1])


@pytest.fixture
def ranges(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "ranges"
    folder.mkdir()
    (folder / "gptbot.json").write_text(
        json.dumps({"creationTime": "x", "prefixes": [{"ipv4Prefix": "192.0.2.0/24"}]})
    )
    settings.OPTOUT_CRAWLER_RANGES_DIR = str(folder)
    return folder


def submit(team: Team, path: Path) -> CrawlerLog:
    digest = sha256_file(path)
    copy = path.with_suffix(".upload")
    copy.write_bytes(path.read_bytes())
    return crawler_log_submit(
        label=team.label, path=copy, sha256=digest.sha256, size=digest.size,
        original_name=path.name, actor=team.rights,
    )  # fmt: skip


def analysed(team: Team, path: Path) -> CrawlerLog:
    log = submit(team, path)
    assert run_job(log.job).status == Job.Status.DONE, log.job and log.job.error
    log.refresh_from_db()
    return log


def agents(log: CrawlerLog) -> dict[str, CrawlerLogAgent]:
    return {a.token: a for a in CrawlerLogAgent.objects.for_label(log.label).filter(log=log)}


EXPECTED = {
    # token: requests, allowed, violations, signal, robots, after robots, control reserved
    "GPTBot": (5, 1, 3, 1, 1, 3, 0),
    "ClaudeBot": (2, 0, 1, 1, 0, 0, 0),
    "CCBot": (1, 0, 0, 1, 0, 0, 0),
    "Bytespider": (2, 1, 1, 0, 0, 0, 0),
    "Googlebot": (3, 3, 0, 0, 0, 0, 2),
    "Bingbot": (1, 1, 0, 0, 0, 0, 0),
}


@pytest.mark.usefixtures("two_versions", "ranges")
@pytest.mark.parametrize("gzipped", [False, True])
def test_a_mixed_log_gives_exact_counts_judged_by_the_day(
    team: Team, tmp_path: Path, gzipped: bool
) -> None:
    text = mixed_log()
    name = "access.log.gz" if gzipped else "access.log"
    path = write_log(tmp_path, name, text, gzipped=gzipped)
    log = analysed(team, path)

    assert log.status == CrawlerLog.Status.DONE
    report = log.report
    assert report["lines"] == 20
    assert report["malformed"] == 3
    assert [s[1] for s in report["malformed_samples"]] == [
        "not combined log format", "bad timestamp", "empty line",
    ]  # fmt: skip
    assert report["malformed_samples"][0][0] == 10
    assert report["other_requests"] == 3  # the browsers
    assert report["agent_requests"] == 14
    assert report["violations"] == 5
    assert report["robots_ignorers"] == ["GPTBot"]
    assert sorted(report["policy_versions"]) == ["1", "2"]
    found = agents(log)
    assert set(found) == set(EXPECTED)
    for token, row in EXPECTED.items():
        a = found[token]
        got = (a.requests, a.allowed, a.violations, a.signal_fetches, a.robots_fetches,
               a.violations_after_robots, a.control_reserved)  # fmt: skip
        assert got == row, token
    gpt = found["GPTBot"]
    assert (gpt.verified, gpt.impostors, gpt.unverifiable) == (4, 1, 0)
    assert found["ClaudeBot"].unverifiable == 2
    assert found["GPTBot"].purpose == "training"
    assert found["Googlebot"].purpose == "search"
    d0, d1 = days()
    assert gpt.first_seen is not None and gpt.first_seen.date() == d0
    assert gpt.first_seen.strftime("%H:%M:%S") == "09:03:00"
    assert gpt.last_seen is not None and gpt.last_seen.strftime("%H:%M:%S") == "08:03:00"
    assert gpt.last_seen.date() == d1
    assert ["/music/a", 1] in gpt.top_violating_paths

    # The violating lines, verbatim, and each day's robots.txt travel in the export.
    assert log.violations_blob is not None and log.export_blob is not None
    with blob_open(log.violations_blob) as handle:
        lines = gzip.decompress(handle.read()).decode().splitlines()
    assert len(lines) == 5
    assert all(line in text for line in lines)
    with blob_open(log.export_blob) as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["log"]["sha256"] == sha256_file(path).sha256
    assert [v["number"] for v in manifest["policy_versions"]] == [1, 2]
    assert "Disallow: /music/" in archive.read("robots-v2.txt").decode()
    assert "Disallow: /\n" in archive.read("robots-v1.txt").decode()

    entry = LedgerEntry.objects.for_label(team.label).filter(action="crawler_log.analysed").get()
    assert entry.data["log_sha256"] == sha256_file(path).sha256
    assert entry.data["violations"] == 5


@pytest.mark.usefixtures("two_versions")
def test_without_published_ranges_every_claim_is_unverifiable(team: Team, tmp_path: Path) -> None:
    log = analysed(team, write_log(tmp_path, "access.log", mixed_log()))
    gpt = agents(log)["GPTBot"]
    assert (gpt.verified, gpt.impostors, gpt.unverifiable) == (0, 0, 5)
    assert log.report["verification"]["GPTBot"]["method"] == "none"


@pytest.mark.usefixtures("two_versions")
def test_the_running_view_adds_up_logs_and_the_export_joins_a_matter(
    team: Team, tmp_path: Path
) -> None:
    first = analysed(team, write_log(tmp_path, "a.log", mixed_log()))
    analysed(team, write_log(tmp_path, "b.log.gz", mixed_log(), gzipped=True))
    running = {row["token"]: row for row in crawler_agents_running(label=team.label)}
    assert running["GPTBot"]["requests"] == 10
    assert running["GPTBot"]["violations"] == 6
    assert running["GPTBot"]["logs"] == 2

    item = crawler_log_export(log=first, actor=team.rights)
    assert item.blob.sha256 == first.export_blob.sha256  # type: ignore[union-attr]
    with pytest.raises(CrawlerLogError):
        crawler_log_export(log=first, actor=team.rights)
    entry = LedgerEntry.objects.for_label(team.label).filter(action="crawler_log.exported").get()
    assert entry.data["log_sha256"] == first.sha256
    matter: Matter = matter_create(label=team.label, actor=team.rights, title="Crawlers")
    matter_item_add(matter=matter, actor=team.rights, source_key="crawler_log",
                    source_code=first.code)  # fmt: skip
    matter_item_add(matter=matter, actor=team.rights, source_key="evidence",
                    source_code=item.code)  # fmt: skip
    assert matter.items.count() == 2


def test_a_file_that_is_no_log_is_all_malformed_and_a_broken_gzip_fails(
    team: Team, tmp_path: Path
) -> None:
    log = analysed(team, write_log(tmp_path, "notes.txt", "hello\nworld\n"))
    assert (log.report["lines"], log.report["malformed"]) == (2, 2)
    broken = tmp_path / "cut.log.gz"
    broken.write_bytes(gzip.compress(mixed_log().encode() * 50)[:300])
    log = submit(team, broken)
    job = run_job(log.job)
    assert job.status == Job.Status.FAILED
    log.refresh_from_db()
    assert log.status == CrawlerLog.Status.FAILED
    assert "gzip" in log.problem


def test_a_server_path_is_read_only_inside_allowed_folders(
    team: Team, tmp_path: Path, settings: Any
) -> None:
    allowed = tmp_path / "logs"
    allowed.mkdir()
    path = write_log(allowed, "access.log", mixed_log())
    with pytest.raises(CrawlerLogError) as caught:
        crawler_log_from_path(label=team.label, path=str(path), actor=team.rights)
    assert caught.value.code == "no_folders"
    settings.OPTOUT_CRAWLER_LOG_DIRS = [str(allowed)]
    for bad in (str(tmp_path / "elsewhere.log"), str(allowed / ".." / "x.log"), "access.log"):
        with pytest.raises(CrawlerLogError):
            crawler_log_from_path(label=team.label, path=bad, actor=team.rights)
    log = crawler_log_from_path(label=team.label, path=str(path), actor=team.rights)
    assert run_job(log.job).status == Job.Status.DONE
    log.refresh_from_db()
    assert log.sha256 == sha256_file(path).sha256
    assert log.blob is None and log.report["lines"] == 20


# --- reverse DNS -----------------------------------------------------------------------------
# Only the system resolver answers (socket.gethostbyaddr, then getaddrinfo to confirm), so
# these tests use the one address whose names come from /etc/hosts, never from the network:
# 127.0.0.1 is "localhost", and "localhost" is 127.0.0.1.


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every reverse lookup asked of the resolver; only loopback's reaches the real one (any
    other address is answered "unknown host" here, so nothing leaves the machine)."""
    asked: list[str] = []
    real = socket.gethostbyaddr

    def reverse(address: str) -> tuple[str, list[str], list[str]]:
        asked.append(address)
        if address != "127.0.0.1":
            raise socket.herror(1, "Unknown host")
        return real(address)

    monkeypatch.setattr(socket, "gethostbyaddr", reverse)
    yield asked


@pytest.fixture
def googlebot_rule(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """Replace Googlebot's reverse-DNS domains in the vendored rules, for one test."""

    def use(*domains: str) -> None:
        data = json.loads(crawler_logs.DATA.read_text(encoding="utf-8"))
        data["agents"]["Googlebot"]["reverse_dns"] = list(domains)
        rules = tmp_path / "crawler_verification.json"
        rules.write_text(json.dumps(data), encoding="utf-8")
        monkeypatch.setattr(crawler_logs, "DATA", rules)
        verification_data.cache_clear()

    yield use
    verification_data.cache_clear()


def _local_crawlers_log(tmp_path: Path, name: str) -> Path:
    """Three Googlebot requests from 127.0.0.1 and one ClaudeBot (no published rule)."""
    d0, _d1 = days()
    rows = [
        line("127.0.0.1", d0, "/about", GOOGLEBOT, clock="09:00:00"),
        line("127.0.0.1", d0, "/music/a", GOOGLEBOT, clock="09:01:00"),
        line("127.0.0.1", d0, "/contact", GOOGLEBOT, clock="09:02:00"),
        line("198.51.100.9", d0, "/about", CLAUDEBOT, clock="09:03:00"),
    ]
    return write_log(tmp_path, name, "".join(rows))


def _verdicts(log: CrawlerLog, token: str) -> tuple[int, int, int]:
    row = agents(log)[token]
    return row.verified, row.impostors, row.unverifiable


@pytest.mark.usefixtures("two_versions")
def test_reverse_dns_verifies_a_crawler_only_when_the_operator_allows_lookups(
    team: Team, tmp_path: Path, settings: Any, lookups: list[str], googlebot_rule: Any
) -> None:
    # Off (the default): nothing is looked up, and every claim is labelled unverifiable.
    settings.OPTOUT_CRAWLER_VERIFY_DNS = False
    log = analysed(team, _local_crawlers_log(tmp_path, "off.log"))
    assert lookups == []
    assert _verdicts(log, "Googlebot") == (0, 0, 3)
    described = log.report["verification"]["Googlebot"]
    assert described["method"] == "none" and "reverse DNS lookups not allowed" in described["why"]

    # On, with Google's own rule: 127.0.0.1 is "localhost", not a googlebot.com host.
    settings.OPTOUT_CRAWLER_VERIFY_DNS = True
    log = analysed(team, _local_crawlers_log(tmp_path, "real-rule.log"))
    assert lookups == ["127.0.0.1"]  # once per address, not per request
    assert _verdicts(log, "Googlebot") == (0, 3, 0)
    assert log.report["verification"]["Googlebot"]["method"] == "reverse_dns"
    assert _verdicts(log, "ClaudeBot") == (0, 0, 1)  # no rule published: no lookup either

    # A rule naming "localhost": the name resolves back to the address, so it is verified.
    googlebot_rule("localhost")
    lookups.clear()
    log = analysed(team, _local_crawlers_log(tmp_path, "local-rule.log"))
    assert lookups == ["127.0.0.1"]
    assert _verdicts(log, "Googlebot") == (3, 0, 0)
    shown = (
        team.client_for(team.viewer)
        .get(f"/l/label-a/monitoring/crawler-logs/{log.code}/")
        .content.decode()
    )
    assert "<td>3 / 0 / 0</td>" in shown
