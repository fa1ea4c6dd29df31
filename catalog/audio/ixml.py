"""iXML chunks (the ``BWFXML`` document in WAV files): read the simple fields and write ours.

Parsed with lxml with entity resolution, DTD loading and network access off; this runs in
the sandbox like every other parser of untrusted input.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

MAX_RAW = 64 * 1024
MAX_FIELDS = 100
DEFAULT_VERSION = "2.10"

# The iXML <BEXT> block mirrors the bext chunk; kept in step when both are written.
BEXT_MIRROR = {
    "description": "BWF_DESCRIPTION",
    "originator": "BWF_ORIGINATOR",
    "originator_reference": "BWF_ORIGINATOR_REFERENCE",
    "origination_date": "BWF_ORIGINATION_DATE",
    "origination_time": "BWF_ORIGINATION_TIME",
}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def decode(body: bytes) -> str:
    # NULs are padding (or damage); JSON consumers such as PostgreSQL refuse them.
    return body.replace(b"\x00", b"").decode("utf-8", "replace").lstrip("\ufeff")


def parse(body: bytes) -> tuple[dict[str, object], bool]:
    """The iXML as ``{"raw": text, "fields": {element: text}}``, and whether it parsed."""
    text = decode(body)
    info: dict[str, object] = {"raw": text[:MAX_RAW], "fields": {}}
    root = _root(text)
    if root is None:
        return info, False
    fields: dict[str, str] = {}
    for child in root:
        if len(fields) >= MAX_FIELDS:
            break
        if isinstance(child.tag, str) and len(child) == 0:
            fields[child.tag] = (child.text or "").strip()[:2000]
    info["fields"] = fields
    return info, True


def _root(text: str) -> etree._Element | None:
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=_parser())
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root if root.tag == "BWFXML" else None


def build(
    existing: bytes | None,
    *,
    note: str | None,
    user: str | None,
    bext: Mapping[str, str],
) -> tuple[bytes, bool]:
    """A new iXML document: the existing one with NOTE and USER replaced (when given) and
    its BEXT block updated; a fresh one when there is none. Returns the bytes and whether
    an existing document had to be discarded because it was not well-formed."""
    root = _root(decode(existing)) if existing else None
    discarded = existing is not None and root is None
    if root is None:
        root = etree.Element("BWFXML")
        etree.SubElement(root, "IXML_VERSION").text = DEFAULT_VERSION
    for tag, value in (("NOTE", note), ("USER", user)):
        if value is None:
            continue
        element = root.find(tag)
        if element is None:
            element = etree.SubElement(root, tag)
        for child in list(element):
            element.remove(child)
        element.text = value
    block = root.find("BEXT")
    if block is not None:
        for key, tag in BEXT_MIRROR.items():
            if key in bext:
                element = block.find(tag)
                if element is None:
                    element = etree.SubElement(block, tag)
                element.text = bext[key]
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return body, discarded
