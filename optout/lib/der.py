"""Just enough DER to put a timestamp answer's certificate set in canonical order.

CMS (RFC 5652) declares ``SignedData.certificates`` a SET OF, which DER sorts by encoding;
OpenSSL and many public TSAs write it in chain order (signer first) instead. The set is
outside what the TSA signs, so reordering it changes no signature; strict parsers
(rfc3161-client) refuse the unsorted form, lenient ones (``openssl ts -verify``) read both.
"""

from __future__ import annotations

_SEQUENCE = 0x30
_CONTEXT_0 = 0xA0


class DerError(ValueError):
    """The bytes are not the DER structure expected."""


def _element(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, start of the value, end of the element) of the element at ``pos``."""
    if pos + 2 > end:
        raise DerError("truncated element")
    tag, first = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag numbers are not used here")
    start = pos + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or start + count > end:
            raise DerError("bad length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    if start + length > end:
        raise DerError("element longer than its container")
    return tag, start, start + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, element start, value start, element end) of every element in ``start:end``."""
    out = []
    pos = start
    while pos < end:
        tag, value, stop = _element(data, pos, end)
        out.append((tag, pos, value, stop))
        pos = stop
    return out


def timestamp_response_sorted(raw: bytes) -> bytes:
    """``raw`` (a TimeStampResp) with its token's certificate set in DER order.

    Returned unchanged when it carries no token or no certificates; DerError when it is
    not a TimeStampResp at all.
    """
    tag, value, end = _element(raw, 0, len(raw))
    if tag != _SEQUENCE or end != len(raw):
        raise DerError("not a TimeStampResp")
    parts = _children(raw, value, end)
    if len(parts) < 2:
        return raw  # a refusal: status only
    tag, _pos, value, end = parts[1]  # ContentInfo
    info = _children(raw, value, end) if tag == _SEQUENCE else []
    if len(info) != 2 or info[1][0] != _CONTEXT_0:
        raise DerError("the token is not a ContentInfo")
    signed = _children(raw, info[1][2], info[1][3])
    if len(signed) != 1 or signed[0][0] != _SEQUENCE:
        raise DerError("the token holds no SignedData")
    for tag, _pos, value, end in _children(raw, signed[0][2], signed[0][3]):
        if tag == _CONTEXT_0:  # certificates [0] IMPLICIT SET OF
            certificates = sorted(raw[p:e] for _t, p, _v, e in _children(raw, value, end))
            # The same bytes in another order: every enclosing length stays right.
            return raw[:value] + b"".join(certificates) + raw[end:]
    return raw
