"""The HTTP response headers and the HTML ``<head>`` tags that carry the policy."""

from __future__ import annotations

from html import escape

from optout.policy.compilers.formats import require_version
from optout.policy.compilers.preferences import content_usage_value
from optout.policy.compilers.rsl import RSL_MEDIA_TYPE
from optout.policy.compilers.spec import LabelFacts, PolicySpec
from optout.policy.compilers.tdmrep import tdm_reservation
from optout.policy.compilers.vocab import TRAINING_USES


def robots_directives(policy: PolicySpec) -> list[str]:
    """``noarchive`` (Bing's training opt-out) and the legacy ``noai``/``noimageai``."""
    if not policy.stance(*TRAINING_USES).restricts:
        return []
    directives = []
    if policy.noarchive:
        directives.append("noarchive")
    if policy.legacy_noai:
        directives += ["noai", "noimageai"]
    return directives


def link_header(facts: LabelFacts) -> str:
    return f'<{facts.license_url}>; rel="license"; type="{RSL_MEDIA_TYPE}"'


def header_set(
    policy: PolicySpec, facts: LabelFacts, *, version: str | None = None
) -> list[tuple[str, str]]:
    """Headers for every response inside the policy's scope, in a stable order."""
    require_version("headers", version)
    reserved = tdm_reservation(policy)
    headers = [("tdm-reservation", str(reserved))]
    if reserved:
        headers.append(("tdm-policy", facts.tdm_policy_url))
    headers.append(("Content-Usage", content_usage_value(policy)))
    headers.append(("Link", link_header(facts)))
    directives = robots_directives(policy)
    if directives:
        headers.append(("X-Robots-Tag", ", ".join(directives)))
    return headers


def compile_headers(policy: PolicySpec, facts: LabelFacts, *, version: str | None = None) -> str:
    """The header set as text, one ``Name: value`` per line."""
    return "".join(
        f"{name}: {value}\n" for name, value in header_set(policy, facts, version=version)
    )


def compile_html_head(policy: PolicySpec, facts: LabelFacts, *, version: str | None = None) -> str:
    require_version("html", version)
    reserved = tdm_reservation(policy)
    tags = [f'<meta name="tdm-reservation" content="{reserved}">']
    if reserved:
        tags.append(f'<meta name="tdm-policy" content="{escape(facts.tdm_policy_url)}">')
    tags.append(f'<link rel="license" type="{RSL_MEDIA_TYPE}" href="{escape(facts.license_url)}">')
    directives = robots_directives(policy)
    if directives:
        tags.append(f'<meta name="robots" content="{", ".join(directives)}">')
    return "\n".join(tags) + "\n"
