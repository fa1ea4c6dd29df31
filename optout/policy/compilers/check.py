"""The consistency check: read every compiled output back with real parsers and compare
what it says with the policy. An empty list means every output agrees."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.robotparser import RobotFileParser

from lxml import etree
from lxml import html as lxml_html
from protego import Protego

from optout.policy.compilers.agents import Agent, AgentRegistry
from optout.policy.compilers.aitxt import MEDIA_GLOBS
from optout.policy.compilers.bundle import SignalBundle
from optout.policy.compilers.headers import robots_directives
from optout.policy.compilers.messages import Finding, gettext_noop
from optout.policy.compilers.preferences import content_signal_prefs, content_usage_prefs
from optout.policy.compilers.robots import robots_plan
from optout.policy.compilers.robots_lint import (
    parse_content_signal,
    parse_content_usage,
    parse_robots,
    preference_problems,
)
from optout.policy.compilers.robots_match import RobotsRules, product_token
from optout.policy.compilers.rsl import RSL_NS, usage_stances
from optout.policy.compilers.servers import BROWSER_USER_AGENTS, server_plan
from optout.policy.compilers.spec import PolicySpec
from optout.policy.compilers.tdmrep import tdm_reservation
from optout.policy.compilers.vocab import TRAINING_USES, Purpose, Stance, Use

SEARCH_ENGINES = ("Googlebot", "Bingbot")
_HOST = "https://site.example"


def sample_paths(policy: PolicySpec) -> list[str]:
    return [p + ("x" if p.endswith("/") else "/x") for p in policy.paths]


def outside_path(policy: PolicySpec) -> str | None:
    if policy.whole_site:
        return None
    candidate = "/~outside-scope/x"
    return None if any(candidate.startswith(p) for p in policy.paths) else candidate


def synthetic_user_agent(token: str) -> str:
    return f"Mozilla/5.0 (compatible; {token}/1.0; +https://crawler.example/{token.lower()})"


class RobotsReaders:
    """One robots.txt read the ways crawlers read it.

    Each reader is asked with the agent's name as the registry lists it: Protego looks for
    the listed token inside it, ``urllib.robotparser`` compares the name up to its ``/``,
    and the RFC 9309 reader compares the name's product token (``Brightbot 1.0`` ->
    ``Brightbot``), as a compliant crawler identifies itself.
    """

    RFC = "RFC 9309 (Google's parser tests)"

    def __init__(self, text: str) -> None:
        self.protego = Protego.parse(text)
        self.urllib = RobotFileParser()
        self.urllib.parse(text.splitlines())
        self.rfc = RobotsRules(text)

    def verdicts(self, name: str, url: str) -> dict[str, bool]:
        """Reader name -> may the agent called ``name`` fetch ``url``."""
        return {
            "Protego": self.protego.can_fetch(url, name),
            "urllib.robotparser": self.urllib.can_fetch(name, url),
            self.RFC: self.rfc.allowed(user_agent=product_token(name), url=url),
        }


def _finding(file: str, message: str, **params: Any) -> Finding:
    return Finding(file, message, params)


def _check_robots(bundle: SignalBundle, registry: AgentRegistry) -> list[Finding]:
    file = "robots.txt"
    text = bundle[file]
    policy, facts = bundle.policy, bundle.facts
    parsed = parse_robots(text, file=file)
    found = list(parsed.problems) + preference_problems(parsed, file=file)
    licenses = [v for _n, name, v in parsed.global_lines if name == "license"]
    if licenses != [facts.license_url]:
        found.append(
            _finding(
                file, gettext_noop("The License line should name %(url)s."), url=facts.license_url
            )
        )
    readers = RobotsReaders(text)
    plan = robots_plan(policy, registry)
    for agent in plan.listed:
        for path in sample_paths(policy):
            for parser, ok in readers.verdicts(agent.token, _HOST + path).items():
                if ok:
                    found.append(
                        _finding(
                            file,
                            gettext_noop("%(agent)s may fetch %(path)s according to %(parser)s."),
                            agent=agent.token,
                            path=path,
                            parser=parser,
                        )
                    )
        outside = outside_path(policy)
        if outside and not all(readers.verdicts(agent.token, _HOST + outside).values()):
            found.append(
                _finding(
                    file,
                    gettext_noop("%(agent)s is refused outside the policy's scope (%(path)s)."),
                    agent=agent.token,
                    path=outside,
                )
            )
    allowed = [a.token for a in registry.allowed(policy.blocked_purposes)]
    if Purpose.SEARCH not in policy.blocked_purposes:
        allowed += [t for t in SEARCH_ENGINES if registry.get(t) is None]
    for token in allowed:
        for path in sample_paths(policy):
            for parser, ok in readers.verdicts(token, _HOST + path).items():
                if not ok:
                    found.append(
                        _finding(
                            file,
                            gettext_noop(
                                "%(agent)s is refused %(path)s by %(parser)s although the policy "
                                "allows it."
                            ),
                            agent=token,
                            path=path,
                            parser=parser,
                        )
                    )
    star = [g for g in parsed.groups if "*" in g.agents]
    if len(star) != 1:
        found.append(
            _finding(file, gettext_noop("There must be exactly one “User-agent: *” group."))
        )
        return found
    found += _check_robots_preferences(file, policy, star[0].extensions)
    return found


def _check_robots_preferences(
    file: str, policy: PolicySpec, lines: list[tuple[int, str, str]]
) -> list[Finding]:
    found = []
    expected_usage = content_usage_prefs(policy)
    usage_paths: list[str | None] = []
    for _number, name, value in lines:
        if name != "content-usage":
            continue
        parsed = parse_content_usage(value)
        if parsed is None:
            continue
        path, prefs = parsed
        usage_paths.append(path)
        if prefs != expected_usage:
            found.append(
                _finding(
                    file,
                    gettext_noop("Content-Usage says “%(found)s”; the policy says “%(expected)s”."),
                    found=value,
                    expected=_prefs_text(expected_usage, "y", "n"),
                )
            )
    expected_paths: list[str | None] = [None] if policy.whole_site else list(policy.paths)
    if sorted(usage_paths, key=str) != sorted(expected_paths, key=str):
        found.append(
            _finding(
                file,
                gettext_noop(
                    "Content-Usage lines are missing or cover other paths than the policy's scope."
                ),
            )
        )
    signals = [v for _n, name, v in lines if name == "content-signal"]
    if policy.whole_site:
        expected_signal = content_signal_prefs(policy)
        if len(signals) != 1 or parse_content_signal(signals[0]) != expected_signal:
            found.append(
                _finding(
                    file,
                    gettext_noop("Content-Signal is missing or does not say “%(expected)s”."),
                    expected=_prefs_text(expected_signal, "yes", "no"),
                )
            )
    elif signals:
        found.append(
            _finding(
                file,
                gettext_noop(
                    "Content-Signal has no path form and must be left out for a partial scope."
                ),
            )
        )
    return found


def _prefs_text(prefs: dict[str, bool], yes: str, no: str) -> str:
    return ", ".join(f"{k}={yes if v else no}" for k, v in prefs.items())


def _check_tdmrep(bundle: SignalBundle) -> list[Finding]:
    file = ".well-known/tdmrep.json"
    policy, facts = bundle.policy, bundle.facts
    try:
        rules = json.loads(bundle[file])
    except ValueError:
        return [_finding(file, gettext_noop("The file is not valid JSON."))]
    if not isinstance(rules, list) or not rules:
        return [_finding(file, gettext_noop("The file must be a JSON array of rules."))]
    found = []
    expected = tdm_reservation(policy)
    locations = []
    for rule in rules:
        if not isinstance(rule, dict) or "location" not in rule or "tdm-reservation" not in rule:
            found.append(
                _finding(file, gettext_noop("Every rule needs “location” and “tdm-reservation”."))
            )
            continue
        locations.append(rule["location"])
        value = rule["tdm-reservation"]
        if type(value) is not int or value != expected:
            found.append(
                _finding(
                    file,
                    gettext_noop(
                        "tdm-reservation for %(location)s is %(found)s; "
                        "the policy says %(expected)s."
                    ),
                    location=rule["location"],
                    found=json.dumps(value),
                    expected=expected,
                )
            )
        if expected and rule.get("tdm-policy") != facts.tdm_policy_url:
            found.append(
                _finding(
                    file,
                    gettext_noop("tdm-policy for %(location)s should be %(url)s."),
                    location=rule["location"],
                    url=facts.tdm_policy_url,
                )
            )
    if locations != list(policy.paths):
        found.append(
            _finding(
                file,
                gettext_noop("The rules cover %(found)s; the policy's scope is %(expected)s."),
                found=", ".join(map(str, locations)),
                expected=", ".join(policy.paths),
            )
        )
    return found


def _check_tdm_policy(bundle: SignalBundle) -> list[Finding]:
    file = "tdm-policy.json"
    try:
        doc = json.loads(bundle[file])
    except ValueError:
        return [_finding(file, gettext_noop("The file is not valid JSON."))]
    problems = []
    if doc.get("@context") != [
        "http://www.w3.org/ns/odrl.jsonld",
        "http://www.w3.org/ns/tdmrep.jsonld",
    ]:
        problems.append("@context")
    if doc.get("@type") != "Offer":
        problems.append("@type")
    if doc.get("profile") != "http://www.w3.org/ns/tdmrep":
        problems.append("profile")
    if not str(doc.get("uid", "")).startswith("https://") and not str(
        doc.get("uid", "")
    ).startswith("http://"):
        problems.append("uid")
    assigner = doc.get("assigner")
    if not isinstance(assigner, dict) or not assigner.get("vcard:fn"):
        problems.append("assigner")
    permissions = doc.get("permission")
    if not (
        isinstance(permissions, list)
        and permissions
        and all(p.get("action") == "tdm:mine" for p in permissions)
    ):
        problems.append("permission")
    else:
        wants_consent = bundle.policy.stance(Use.TDM).restricts
        has_consent = any({"action": "obtainConsent"} in p.get("duty", []) for p in permissions)
        if wants_consent != has_consent:
            problems.append("duty")
    return [
        _finding(
            file, gettext_noop("The TDM policy has a wrong or missing “%(field)s”."), field=name
        )
        for name in problems
    ]


def _check_rsl(bundle: SignalBundle) -> list[Finding]:
    file = "license.xml"
    try:
        root = etree.fromstring(bundle[file].encode("utf-8"))
    except etree.XMLSyntaxError:
        return [_finding(file, gettext_noop("The file is not well-formed XML."))]
    ns = {"r": RSL_NS}
    if root.tag != f"{{{RSL_NS}}}rsl":
        return [
            _finding(file, gettext_noop("The root element must be <rsl> in the RSL namespace."))
        ]
    contents = root.findall("r:content", ns)
    if not contents:
        return [_finding(file, gettext_noop("The licence names no content."))]
    found = []
    expected = usage_stances(bundle.policy)
    for content in contents:
        url = content.get("url", "")
        licenses = content.findall("r:license", ns)
        if not licenses:
            found.append(
                _finding(file, gettext_noop('<content url="%(url)s"> has no <license>.'), url=url)
            )
            continue
        seen: dict[str, Stance] = {}
        for lic in licenses:
            paid = lic.find("r:payment", ns) is not None
            for element, stance in (
                ("permits", Stance.LICENSABLE if paid else Stance.ALLOWED),
                ("prohibits", Stance.RESERVED),
            ):
                for node in lic.findall(f"r:{element}[@type='usage']", ns):
                    for token in (node.text or "").split():
                        seen[token] = stance
        for token, stance in expected.items():
            if seen.get(token) is not stance:
                found.append(
                    _finding(
                        file,
                        gettext_noop(
                            "“%(token)s” is %(found)s for %(url)s; the policy says %(expected)s."
                        ),
                        token=token,
                        url=url,
                        found=seen.get(token, "absent"),
                        expected=stance,
                    )
                )
        if content.find("r:copyright", ns) is None or content.find("r:terms", ns) is None:
            found.append(
                _finding(
                    file,
                    gettext_noop(
                        '<content url="%(url)s"> lacks the copyright holder or the terms URL.'
                    ),
                    url=url,
                )
            )
    return found


def _check_ai_txt(bundle: SignalBundle) -> list[Finding]:
    file = "ai.txt"
    policy = bundle.policy
    parser = Protego.parse(bundle[file])
    reserved = policy.stance(*TRAINING_USES).restricts
    probes = [p + "song" + glob[1:] for p in policy.paths for glob in MEDIA_GLOBS]
    found = []
    for path in probes:
        if parser.can_fetch(_HOST + path, "AnyDatasetBot") == reserved:
            message = (
                gettext_noop("ai.txt does not refuse %(path)s although AI training is reserved.")
                if reserved
                else gettext_noop("ai.txt refuses %(path)s although AI training is allowed.")
            )
            found.append(_finding(file, message, path=path))
    return found


def _header_lines(text: str) -> dict[str, str]:
    headers = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers


_WRONG_HEADER = gettext_noop("The “%(name)s” header is missing or wrong.")
_WRONG_TAG = gettext_noop("The “%(name)s” tag is missing or wrong.")


def _check_headers(bundle: SignalBundle) -> list[Finding]:
    file = "headers.txt"
    headers = _header_lines(bundle[file])
    expected = {name.lower(): value for name, value in bundle.headers}
    reserved = tdm_reservation(bundle.policy)
    link = headers.get("link", "")
    parsed = parse_content_usage(headers.get("content-usage", ""))
    got_robots = [d.strip() for d in headers.get("x-robots-tag", "").split(",") if d.strip()]
    wrong = {
        "tdm-reservation": headers.get("tdm-reservation") != str(reserved),
        "tdm-policy": reserved and headers.get("tdm-policy") != bundle.facts.tdm_policy_url,
        "Content-Usage": parsed is None or parsed[1] != content_usage_prefs(bundle.policy),
        "Link": f"<{bundle.facts.license_url}>" not in link or 'rel="license"' not in link,
        "X-Robots-Tag": got_robots != robots_directives(bundle.policy),
    }
    found = [_finding(file, _WRONG_HEADER, name=name) for name, bad in wrong.items() if bad]
    if set(headers) != set(expected):
        found.append(_finding(file, gettext_noop("The header set differs from the policy's.")))
    return found


def _check_html(bundle: SignalBundle) -> list[Finding]:
    file = "head.html"
    document = lxml_html.fromstring(f"<html><head>{bundle[file]}</head><body></body></html>")
    metas = {m.get("name"): m.get("content") for m in document.iter("meta")}
    reserved = tdm_reservation(bundle.policy)
    links = [lnk.get("href") for lnk in document.iter("link") if lnk.get("rel") == "license"]
    wrong = {
        "tdm-reservation": metas.get("tdm-reservation") != str(reserved),
        "tdm-policy": reserved and metas.get("tdm-policy") != bundle.facts.tdm_policy_url,
        "link rel=license": links != [bundle.facts.license_url],
        "robots": (metas.get("robots") or "") != ", ".join(robots_directives(bundle.policy)),
    }
    return [_finding(file, _WRONG_TAG, name=name) for name, bad in wrong.items() if bad]


_NGINX_AGENT = re.compile(r'^\s*"~\*(.+)" 1;$', re.MULTILINE)
_APACHE_AGENT = re.compile(r'^\s*BrowserMatchNoCase "(.+)" optout_blocked_agent$', re.MULTILINE)
_CADDY_AGENTS = re.compile(r"^\s*header_regexp User-Agent `\(\?i\)(.+)`$", re.MULTILINE)


def _server_patterns(name: str, text: str) -> list[re.Pattern[str]]:
    regex = {"nginx": _NGINX_AGENT, "apache": _APACHE_AGENT, "caddy": _CADDY_AGENTS}[name]
    raw = regex.findall(text)
    if name == "apache":
        raw = [r.replace('\\"', '"') for r in raw]
    return [re.compile(r, re.IGNORECASE) for r in raw]


def _check_servers(bundle: SignalBundle, registry: AgentRegistry) -> list[Finding]:
    policy = bundle.policy
    plan = server_plan(policy, registry)
    blocked = plan.refused
    allowed: list[Agent | str] = [*registry.allowed(policy.blocked_purposes), *plan.robots_only]
    if Purpose.SEARCH not in policy.blocked_purposes:
        allowed += [t for t in SEARCH_ENGINES if registry.get(t) is None]
    sources = {
        "nginx": (
            "nginx/optout-maps.conf",
            bundle["nginx/optout-maps.conf"] + bundle["nginx/optout-server.conf"],
        ),
        "apache": ("apache/optout.conf", bundle["apache/optout.conf"]),
        "caddy": ("caddy/optout.caddy", bundle["caddy/optout.caddy"]),
    }
    found = []
    for server, (file, text) in sources.items():
        patterns = _server_patterns(server, text)
        for agent in blocked:
            ua = synthetic_user_agent(agent.token)
            if not any(p.search(ua) for p in patterns) or not any(
                p.search(agent.token) for p in patterns
            ):
                found.append(
                    _finding(
                        file,
                        gettext_noop("%(server)s does not refuse %(agent)s."),
                        server=server,
                        agent=agent.token,
                    )
                )
        for other in allowed:
            token = other if isinstance(other, str) else other.token
            if any(p.search(synthetic_user_agent(token)) for p in patterns):
                found.append(
                    _finding(
                        file,
                        gettext_noop("%(server)s refuses %(agent)s although the policy allows it."),
                        server=server,
                        agent=token,
                    )
                )
        for browser, ua in BROWSER_USER_AGENTS.items():
            if any(p.search(ua) for p in patterns):
                found.append(
                    _finding(
                        file,
                        gettext_noop("%(server)s refuses the browser %(browser)s."),
                        server=server,
                        browser=browser,
                    )
                )
        for header, value in bundle.headers:
            if header not in text or value not in text.replace('\\"', '"'):
                found.append(
                    _finding(
                        file,
                        gettext_noop("%(server)s does not send the “%(name)s” header."),
                        server=server,
                        name=header,
                    )
                )
    return found


def check_bundle(bundle: SignalBundle, registry: AgentRegistry) -> list[Finding]:
    """Every disagreement between the compiled outputs and the policy they came from."""
    return [
        *_check_robots(bundle, registry),
        *_check_tdmrep(bundle),
        *_check_tdm_policy(bundle),
        *_check_rsl(bundle),
        *_check_ai_txt(bundle),
        *_check_headers(bundle),
        *_check_html(bundle),
        *_check_servers(bundle, registry),
    ]
