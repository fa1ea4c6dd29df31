"""A label's compiled signals: for its pages, its public URLs and the install bundle."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from django.template.loader import render_to_string

from optout.models import Label
from optout.policy.compilers import Finding, SignalBundle, check_bundle, compile_bundle
from optout.policy.compilers.bundle import BUNDLE_FILES
from optout.policy.models import PolicyVersion
from optout.policy.services.agents import agent_registry
from optout.policy.services.policy import label_facts, policy_current, policy_spec

# Public files: URL name -> (bundle file, media type).
PUBLIC_FILES = {
    "robots": ("robots.txt", "text/plain; charset=utf-8"),
    "ai-txt": ("ai.txt", "text/plain; charset=utf-8"),
    "tdmrep": (".well-known/tdmrep.json", "application/json"),
    "tdm-policy": ("tdm-policy.json", "application/ld+json"),
    "license": ("license.xml", "application/rsl+xml"),
}


def public_label(*, slug: str) -> Label | None:
    """The active label behind a public URL; None for unknown or inactive ones."""
    return Label.objects.filter(slug=slug, is_active=True).first()


def signal_bundle(*, label: Label, version: PolicyVersion | None = None) -> SignalBundle | None:
    """Every output compiled from ``version`` (the policy in force when not given)."""
    version = version or policy_current(label=label)
    if version is None:
        return None
    return compile_bundle(
        policy_spec(version), label_facts(label=label, version=version), agent_registry()
    )


def signal_findings(*, bundle: SignalBundle) -> list[Finding]:
    return check_bundle(bundle, agent_registry())


def _readme(bundle: SignalBundle) -> str:
    return render_to_string(
        "policy/bundle_readme.txt",
        {
            "bundle": bundle,
            "files": [(name, BUNDLE_FILES[name][1]) for name in sorted(bundle.files)],
            "versions": sorted(bundle.versions.items()),
            "withheld": ", ".join(bundle.withheld_from_robots),
            "unnamed": ", ".join(bundle.unnamed_in_robots),
            "robots_only": ", ".join(bundle.robots_txt_only),
        },
    )


def signal_zip(*, bundle: SignalBundle) -> bytes:
    """The install bundle: every file, a manifest and instructions. The same policy and
    agent list always give the same bytes (fixed timestamps), so its ETag is stable."""
    stamp = _zip_time(bundle.policy.effective_date)
    manifest = {
        "label": bundle.facts.slug,
        "policy_version": bundle.policy.version,
        "effective_date": bundle.policy.effective_date.isoformat(),
        "serialisations": dict(sorted(bundle.versions.items())),
        "hosted": {
            "license": bundle.facts.license_url,
            "tdm_policy": bundle.facts.tdm_policy_url,
            "terms": bundle.facts.effective_terms_url,
        },
        "files": sorted(bundle.files),
    }
    contents = {
        **bundle.files,
        "README.txt": _readme(bundle),
        "manifest.json": json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
    }
    buffer = io.BytesIO()
    folder = f"optout-signals-{bundle.facts.slug}-v{bundle.policy.version}"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(contents):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, contents[name].encode("utf-8"))
    return buffer.getvalue()


def _zip_time(day: date) -> tuple[int, int, int, int, int, int]:
    # ZIP dates start in 1980.
    return (max(day.year, 1980), day.month, day.day, 0, 0, 0)
