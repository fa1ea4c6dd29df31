"""Checking an uploaded packet against what this server built. Reads only.

The verifier shipped in every packet checks a packet against itself and a trust anchor;
whoever rebuilds a packet can satisfy every check that uses only what is inside it. The
server knows more: which packets it built, the SHA-256 of the manifest it recorded for
each, and the TSA certificates each label trusts. ``manage.py verify_packet`` and the
/verify page use all three:

- the manifest names a packet this server built and its SHA-256 is the recorded one:
  *genuine* (when every member checks out too); the record is the anchor, so a packet
  downloaded before its timestamp arrived is accepted without one;
- it names a packet this server built but its SHA-256 differs: *not genuine*, whatever
  else checks out, and nothing of the real packet is shown;
- it names no packet this server built: *not built here*, checked on its own terms.

The label's TSA certificates are the trust anchor, never the ones inside the packet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from evidence import verifier
from evidence.models import Packet
from evidence.selectors import evidence_settings
from optout.models import User

GENUINE = "genuine"
NOT_GENUINE = "not_genuine"
NOT_BUILT_HERE = "not_built_here"


@dataclass(frozen=True)
class PacketCheck:
    report: verifier.Report
    origin: str
    """``genuine``, ``not_genuine`` or ``not_built_here``."""
    claimed_id: str
    """The packet id the manifest names ('' when it names none or cannot be read)."""
    packet: Packet | None
    """The packet this server built under that id."""

    @property
    def genuine(self) -> bool:
        return self.origin == GENUINE and self.report.ok

    @property
    def exit_code(self) -> int:
        return self.report.exit_code

    def text(self) -> str:
        return f"{self.report.text()}\n{self.origin_line()}"

    def origin_line(self) -> str:
        if self.origin == NOT_GENUINE:
            return (
                f"Not genuine: it claims to be packet {self.claimed_id}; it does not match "
                "what this server built."
            )
        if self.origin == NOT_BUILT_HERE:
            return (
                f"Not built here: this server built no packet {self.claimed_id or '(none named)'}"
                "; checked on its own terms."
            )
        assert self.packet is not None
        if not self.report.ok:
            return (
                f"Its manifest is the one this server built for packet {self.claimed_id}, "
                "but the packet does not check out."
            )
        return (
            f"Built here: packet {self.claimed_id} of matter “{self.packet.matter.title}” in "
            f"{self.packet.label.name}; its manifest matches the SHA-256 recorded at build "
            f"({self.packet.manifest_sha256})."
        )


def _packet_built_here(claimed: str) -> Packet | None:
    try:
        code = uuid.UUID(claimed)
    except ValueError:
        return None
    # Any label's packet: the claim names it, and only the verdict (never its details)
    # is shown to someone outside its label.
    return (
        Packet.objects.unscoped()
        .filter(code=code, status=Packet.Status.READY)
        .select_related("label", "matter")
        .first()
    )


def packet_check(
    *,
    path: str,
    name: str | None = None,
    limits: verifier.Limits | None = None,
    use_openssl: bool = True,
    accept_unstamped: str = "",
) -> PacketCheck:
    """Check the packet at ``path`` against itself and against this server's record.

    ``accept_unstamped`` (who accepts it) applies only to a packet not built here; one built
    here is accepted without a timestamp when its manifest is the recorded one."""
    claim = verifier.packet_claim(path, limits=limits)
    claimed = str(claim.packet.get("id") or "")
    packet = _packet_built_here(claimed)
    if packet is None:
        report = verifier.verify_packet(
            path,
            limits=limits,
            use_openssl=use_openssl,
            accept_unstamped=accept_unstamped,
            name=name,
        )
        return PacketCheck(report, NOT_BUILT_HERE, claimed, None)
    anchor = evidence_settings(label=packet.label).tsa_certificates.strip()
    report = verifier.verify_packet(
        path,
        limits=limits,
        use_openssl=use_openssl,
        tsa_ca=anchor.encode("ascii", "replace") if anchor else None,
        tsa_ca_source="the TSA certificates its label trusts on this server",
        accept_unstamped=(
            "this server's record of the packet"
            if claim.manifest_sha256 == packet.manifest_sha256
            else ""
        ),
        name=name,
    )
    if report.manifest_sha256 == packet.manifest_sha256:
        return PacketCheck(report, GENUINE, claimed, packet)
    report.add(
        "not genuine",
        verifier.MANIFEST,
        f"it claims to be packet {claimed}; it does not match what this server built",
    )
    return PacketCheck(report, NOT_GENUINE, claimed, packet)


def packet_check_visible_packet(*, check: PacketCheck, user: User) -> Packet | None:
    """The genuine packet the check found, when ``user`` may see it; otherwise None."""
    if not check.genuine or check.packet is None:
        return None
    return (
        Packet.objects.accessible_to(user)
        .filter(pk=check.packet.pk)
        .select_related("matter", "label")
        .first()
    )
