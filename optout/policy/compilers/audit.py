"""What a live site says, compared with the policy: the gaps of one domain.

Pure: the fetching happens elsewhere (through the safe fetcher); this module gets what
came back and reads it as crawlers do: robots.txt with the RFC 9309 reader that gives Google's
verdict on every case of its parser's tests (groups naming the same agent combined, a byte
order mark skipped), Content-Usage with http-sf, the rest with json and lxml.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from optout.policy.compilers.agents import AgentRegistry
from optout.policy.compilers.headers import robots_directives
from optout.policy.compilers.messages import gettext_noop
from optout.policy.compilers.preferences import content_usage_prefs
from optout.policy.compilers.robots import robots_plan, robots_token
from optout.policy.compilers.robots_lint import (
    parse_content_usage,
    parse_robots,
    preference_problems,
)
from optout.policy.compilers.robots_match import RobotsRules
from optout.policy.compilers.rsl import RSL_NS, usage_stances
from optout.policy.compilers.spec import LabelFacts, PolicySpec
from optout.policy.compilers.tdmrep import tdm_reservation
from optout.policy.compilers.vocab import Stance

HIGH, MEDIUM, LOW = "high", "medium", "low"


@dataclass(frozen=True)
class Fetched:
    """One response (or the failure to get one) as the audit saw it."""

    url: str
    status: int | None
    """None when nothing came back; ``error`` says why."""
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


@dataclass(frozen=True)
class SiteSnapshot:
    domain: str
    origin: str
    """``https://shop.example.com`` (or ``http://`` where the site has no HTTPS)."""
    robots: Fetched
    tdmrep: Fetched
    home: Fetched
    license: Fetched | None = None
    """The licence the robots.txt names; None when it names ours (known) or none."""


@dataclass(frozen=True)
class Gap:
    severity: str
    file: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def render(self, translate: Any) -> str:
        return str(translate(self.message)) % dict(self.params)

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "file": self.file,
            "message": self.message,
            "params": dict(self.params),
        }


@dataclass
class AuditReport:
    gaps: list[Gap] = field(default_factory=list)
    agents_checked: int = 0
    agents_wrong: list[str] = field(default_factory=list)

    def add(self, severity: str, file: str, message: str, **params: Any) -> None:
        self.gaps.append(Gap(severity, file, message, params))

    @property
    def counts(self) -> dict[str, int]:
        counts = {HIGH: 0, MEDIUM: 0, LOW: 0}
        for gap in self.gaps:
            counts[gap.severity] += 1
        return counts


def _probe(origin: str, path: str) -> str:
    return origin + path + ("x" if path.endswith("/") else "/x")


def _audit_robots(
    policy: PolicySpec,
    facts: LabelFacts,
    registry: AgentRegistry,
    site: SiteSnapshot,
    report: AuditReport,
) -> list[tuple[int, str, str]]:
    """Check robots.txt; returns the lines of its ``User-agent: *`` groups."""
    domain = site.domain
    if not site.robots.ok:
        report.add(
            HIGH,
            "robots.txt",
            gettext_noop(
                "No robots.txt on %(domain)s (%(reason)s): every AI crawler may fetch the site."
            ),
            domain=domain,
            reason=site.robots.error or f"HTTP {site.robots.status}",
        )
        return []
    text = site.robots.body
    parsed = parse_robots(text)
    for finding in parsed.problems + preference_problems(parsed):
        report.add(MEDIUM, "robots.txt", finding.message, **finding.params)
    licenses = [v for _n, name, v in parsed.global_lines if name == "license"]
    if not licenses:
        report.add(
            MEDIUM,
            "robots.txt",
            gettext_noop(
                "robots.txt on %(domain)s has no License: line, so crawlers do not find the RSL "
                "licence (%(url)s)."
            ),
            domain=domain,
            url=facts.license_url,
        )
    rules = RobotsRules(text)
    plan = robots_plan(policy, registry)
    unlisted = {a.token for a in (*plan.withheld, *plan.unnamed)}
    for agent in registry.agents:
        token = robots_token(agent)
        if agent.purpose is None or agent.token in unlisted or token is None:
            continue
        report.agents_checked += 1
        should_block = agent.purpose in policy.blocked_purposes
        for path in policy.paths:
            allowed = rules.allowed(user_agent=token, url=_probe(site.origin, path))
            if should_block and allowed:
                report.agents_wrong.append(agent.token)
                report.add(
                    HIGH,
                    "robots.txt",
                    gettext_noop("%(agent)s is allowed on %(domain)s."),
                    agent=agent.token,
                    domain=domain,
                    path=path,
                )
                break
            if not should_block and not allowed:
                report.agents_wrong.append(agent.token)
                report.add(
                    MEDIUM,
                    "robots.txt",
                    gettext_noop(
                        "%(agent)s is refused on %(domain)s although the policy allows it."
                    ),
                    agent=agent.token,
                    domain=domain,
                    path=path,
                )
                break
    # Every group for * applies (RFC 9309 2.2.1): a site's own group may come before ours.
    return [line for g in parsed.groups if "*" in g.agents for line in g.extensions]


def _audit_usage(
    policy: PolicySpec, site: SiteSnapshot, star: list[tuple[int, str, str]], report: AuditReport
) -> None:
    expected = content_usage_prefs(policy)
    expected_text = ", ".join(f"{k}={'y' if v else 'n'}" for k, v in expected.items())
    found = []
    for _number, name, value in star:
        if name == "content-usage":
            parsed = parse_content_usage(value)
            if parsed is not None:
                found.append((value, parsed[1]))
    header = site.home.header("content-usage") if site.home.ok else None
    if header is not None:
        parsed_header = parse_content_usage(header)
        found.append((header, parsed_header[1] if parsed_header else {}))
    if (
        site.robots.ok
        and policy.whole_site
        and not any(name == "content-signal" for _n, name, _v in star)
    ):
        report.add(
            LOW,
            "robots.txt",
            gettext_noop("Content-Signal missing in the robots.txt of %(domain)s."),
            domain=site.domain,
        )
    if not found:
        report.add(
            HIGH,
            "robots.txt",
            gettext_noop(
                "Content-Usage missing on %(domain)s: neither robots.txt nor the home page's "
                "headers state the AI-use preferences (expected “%(expected)s”)."
            ),
            domain=site.domain,
            expected=expected_text,
        )
        return
    for value, prefs in found:
        if any(prefs.get(k) is not v for k, v in expected.items()):
            report.add(
                HIGH,
                "robots.txt",
                gettext_noop(
                    "Content-Usage on %(domain)s says “%(found)s”; the policy says “%(expected)s”."
                ),
                domain=site.domain,
                found=value,
                expected=expected_text,
            )


def _meta(home: Fetched) -> tuple[dict[str, str], list[str]]:
    """(meta name -> content, link rel=license hrefs) of the home page."""
    if not home.ok or not home.body.strip():
        return {}, []
    try:
        document = lxml_html.fromstring(home.body)
    except (etree.ParserError, ValueError):
        return {}, []
    metas = {
        (m.get("name") or "").lower(): m.get("content") or ""
        for m in document.iter("meta")
        if m.get("name")
    }
    links = [
        lnk.get("href") or ""
        for lnk in document.iter("link")
        if "license" in (lnk.get("rel") or "").lower().split()
    ]
    return metas, links


def _audit_tdmrep(
    policy: PolicySpec, facts: LabelFacts, site: SiteSnapshot, report: AuditReport
) -> None:
    expected = tdm_reservation(policy)
    found_any = False
    if site.tdmrep.ok:
        try:
            rules = json.loads(site.tdmrep.body)
        except ValueError:
            rules = None
        if not isinstance(rules, list) or not all(
            isinstance(r, dict) and "location" in r and "tdm-reservation" in r for r in rules
        ):
            report.add(
                HIGH,
                ".well-known/tdmrep.json",
                gettext_noop(
                    "The tdmrep.json of %(domain)s is not a JSON array of rules with “location” "
                    "and “tdm-reservation”."
                ),
                domain=site.domain,
            )
        else:
            found_any = True
            for path in policy.paths:
                value = _tdmrep_value(rules, path)
                if value != expected:
                    report.add(
                        HIGH,
                        ".well-known/tdmrep.json",
                        gettext_noop(
                            "The tdmrep.json of %(domain)s gives %(found)s for %(path)s; "
                            "the policy says %(expected)s."
                        ),
                        domain=site.domain,
                        path=path,
                        found=json.dumps(value),
                        expected=expected,
                    )
    header = site.home.header("tdm-reservation") if site.home.ok else None
    metas, _links = _meta(site.home)
    for source, value in (("header", header), ("meta", metas.get("tdm-reservation"))):
        if value is None:
            continue
        found_any = True
        if value.strip() != str(expected):
            report.add(
                HIGH,
                "home",
                gettext_noop(
                    "The home page of %(domain)s says tdm-reservation %(found)s (%(source)s); the "
                    "policy says %(expected)s."
                ),
                domain=site.domain,
                found=value.strip(),
                source=source,
                expected=expected,
            )
    if expected and not found_any:
        report.add(
            HIGH,
            ".well-known/tdmrep.json",
            gettext_noop(
                "No TDMRep on %(domain)s: no /.well-known/tdmrep.json, no tdm-reservation header "
                "and no meta tag reserve text and data mining."
            ),
            domain=site.domain,
        )


def _tdmrep_value(rules: list[dict[str, Any]], path: str) -> Any:
    """The first rule whose location pattern matches ``path`` wins (TDMRep 2024)."""
    probe = path + ("x" if path.endswith("/") else "/x")
    for rule in rules:
        location = str(rule["location"])
        if location.endswith("$"):
            if probe == location[:-1]:
                return rule["tdm-reservation"]
            continue
        prefix = location.split("*", 1)[0]
        if probe.startswith(prefix):
            return rule["tdm-reservation"]
    return None


def _audit_home(
    policy: PolicySpec, facts: LabelFacts, site: SiteSnapshot, report: AuditReport
) -> None:
    domain = site.domain
    if not site.home.ok:
        report.add(
            MEDIUM,
            "home",
            gettext_noop(
                "The home page of %(domain)s could not be read (%(reason)s), so its headers and "
                "meta tags were not checked."
            ),
            domain=domain,
            reason=site.home.error or f"HTTP {site.home.status}",
        )
        return
    metas, links = _meta(site.home)
    link_headers = " ".join(site.home.header_values("link"))
    if facts.license_url not in link_headers and facts.license_url not in links:
        report.add(
            LOW,
            "home",
            gettext_noop(
                "The home page of %(domain)s does not link the RSL licence (Link header or "
                '<link rel="license">).'
            ),
            domain=domain,
        )
    directives = robots_directives(policy)
    sent = " ".join([*site.home.header_values("x-robots-tag"), metas.get("robots", "")]).lower()
    for directive in directives:
        if directive not in sent:
            report.add(
                MEDIUM if directive == "noarchive" else LOW,
                "home",
                gettext_noop(
                    "The home page of %(domain)s sends no “%(directive)s” (X-Robots-Tag header or "
                    "robots meta tag)."
                ),
                domain=domain,
                directive=directive,
            )


def _audit_license(
    policy: PolicySpec, facts: LabelFacts, site: SiteSnapshot, report: AuditReport
) -> None:
    fetched = site.license
    if fetched is None:
        return
    if not fetched.ok:
        report.add(
            MEDIUM,
            "license.xml",
            gettext_noop(
                "The licence named in the robots.txt of %(domain)s cannot be read at %(url)s "
                "(%(reason)s)."
            ),
            domain=site.domain,
            url=fetched.url,
            reason=fetched.error or f"HTTP {fetched.status}",
        )
        return
    try:
        root = etree.fromstring(fetched.body.encode("utf-8"))
    except etree.XMLSyntaxError:
        root = None
    if root is None or root.tag != f"{{{RSL_NS}}}rsl":
        report.add(
            MEDIUM,
            "license.xml",
            gettext_noop("%(url)s is not an RSL licence (no <rsl> element in the RSL namespace)."),
            url=fetched.url,
        )
        return
    ns = {"r": RSL_NS}
    prohibited: set[str] = set()
    for node in root.iterfind(".//r:prohibits[@type='usage']", ns):
        prohibited.update((node.text or "").split())
    for token, stance in usage_stances(policy).items():
        if stance is Stance.RESERVED and token not in prohibited and "all" not in prohibited:
            report.add(
                MEDIUM,
                "license.xml",
                gettext_noop(
                    "The licence at %(url)s does not prohibit “%(token)s”, which the policy "
                    "reserves."
                ),
                url=fetched.url,
                token=token,
            )
        if stance is Stance.ALLOWED and token in prohibited:
            report.add(
                MEDIUM,
                "license.xml",
                gettext_noop(
                    "The licence at %(url)s prohibits “%(token)s”, which the policy allows."
                ),
                url=fetched.url,
                token=token,
            )


def audit_site(
    policy: PolicySpec, facts: LabelFacts, registry: AgentRegistry, site: SiteSnapshot
) -> AuditReport:
    """Every gap between what ``site`` says and what ``policy`` says."""
    report = AuditReport()
    star = _audit_robots(policy, facts, registry, site, report)
    _audit_usage(policy, site, star, report)
    _audit_tdmrep(policy, facts, site, report)
    _audit_license(policy, facts, site, report)
    _audit_home(policy, facts, site, report)
    order = {HIGH: 0, MEDIUM: 1, LOW: 2}
    report.gaps.sort(key=lambda g: order[g.severity])
    return report


def license_url_to_fetch(robots_text: str, facts: LabelFacts) -> str | None:
    """The licence a site's robots.txt names, unless it is the one we host (known)."""
    for _n, name, value in parse_robots(robots_text).global_lines:
        if name == "license" and value.startswith(("https://", "http://")):
            return None if value == facts.license_url else value
    return None
