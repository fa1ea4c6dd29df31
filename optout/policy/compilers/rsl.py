"""RSL 1.0 ``license.xml`` (media type ``application/rsl+xml``)."""

from __future__ import annotations

from lxml import etree

from optout.policy.compilers.formats import require_version
from optout.policy.compilers.spec import LabelFacts, PolicySpec
from optout.policy.compilers.vocab import Stance, Use

RSL_NS = "https://rslstandard.org/rsl"
RSL_MEDIA_TYPE = "application/rsl+xml"

# RSL usage token -> our uses. search and the three AI tokens; ``ai-all`` is not used so
# that a partial reservation stays expressible.
USAGE_TOKENS: dict[str, tuple[Use, ...]] = {
    "search": (Use.SEARCH,),
    "ai-train": (Use.AI_TRAIN, Use.GENAI_TRAIN),
    "ai-input": (Use.AI_INPUT,),
    "ai-index": (Use.AI_INPUT,),
}
# A licensable use is offered under its own licence whose payment type names how it is paid.
_PAYMENT_TYPE = {"ai-train": "training", "ai-input": "use", "ai-index": "use", "search": "use"}


def usage_stances(policy: PolicySpec) -> dict[str, Stance]:
    return {token: policy.stance(*uses) for token, uses in USAGE_TOKENS.items()}


def content_urls(policy: PolicySpec, facts: LabelFacts) -> list[str]:
    """Absolute URLs on the label's sites when known: the file is hosted on another host,
    so a relative ``url`` would point at the wrong site."""
    if not facts.domains:
        return list(policy.paths)
    return [f"https://{domain}{path}" for domain in facts.domains for path in policy.paths]


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{RSL_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def compile_rsl(policy: PolicySpec, facts: LabelFacts, *, version: str | None = None) -> str:
    require_version("rsl", version)
    stances = usage_stances(policy)
    permitted = [t for t, s in stances.items() if s is Stance.ALLOWED]
    prohibited = [t for t, s in stances.items() if s is Stance.RESERVED]
    licensable = [t for t, s in stances.items() if s is Stance.LICENSABLE]
    root = etree.Element(f"{{{RSL_NS}}}rsl", nsmap={None: RSL_NS})  # type: ignore[dict-item]
    email = facts.contact_email_for(policy)
    for url in content_urls(policy, facts):
        content = _el(root, "content", url=url)
        if permitted or prohibited:
            free = _el(content, "license")
            if permitted:
                _el(free, "permits", " ".join(permitted), type="usage")
            if prohibited:
                _el(free, "prohibits", " ".join(prohibited), type="usage")
        by_payment: dict[str, list[str]] = {}
        for token in licensable:
            by_payment.setdefault(_PAYMENT_TYPE[token], []).append(token)
        for payment_type, tokens in by_payment.items():
            offer = _el(content, "license")
            _el(offer, "permits", " ".join(tokens), type="usage")
            payment = _el(offer, "payment", type=payment_type)
            _el(payment, "custom", facts.contact_url_for(policy))
        copyright_attrs = {"type": "organization"}
        if email:
            copyright_attrs["contactEmail"] = email
        copyright_attrs["contactUrl"] = facts.contact_url_for(policy)
        _el(content, "copyright", facts.holder, **copyright_attrs)
        _el(content, "terms", facts.effective_terms_url)
    body = etree.tostring(root, pretty_print=True, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body
