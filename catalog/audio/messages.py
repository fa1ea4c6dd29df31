"""User-facing sentences for the codes of :class:`~catalog.audio.errors.BadAudio` and of
the notes that :func:`~catalog.audio.probe` and :func:`~catalog.audio.write_tagged_copy`
return.

The sandboxed parser only knows codes and parameters (it does not load Django); sentences
are rendered here, in the caller's language.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import gettext


def _(message: str) -> str:
    """Marks a message for translation (like ``gettext_noop``, which needs settings)."""
    return message


MESSAGES: dict[str, str] = {
    # Failures (BadAudio codes).
    "empty": _("The file is empty."),
    "unreadable_file": _("The file could not be opened for reading."),
    "unknown_format": _(
        "The file is not a supported audio file. Supported: WAV, BWF, RF64, AIFF, FLAC, MP3, "
        "Ogg Vorbis, Opus and M4A."
    ),
    "unsupported": _("This kind of audio file (%(kind)s) is not supported."),
    "damaged": _("The %(format)s file is damaged or incomplete and could not be read."),
    "unreadable": _("The file could not be read; it may be damaged."),
    "truncated": _(
        "The %(format)s file is truncated: its audio data should be %(declared)s bytes long "
        "but only %(available)s bytes are present."
    ),
    "no_audio": _("The %(format)s file contains no audio."),
    "too_complex": _("The %(format)s file has far more parts than a real audio file has."),
    "timeout": _(
        "Reading the file took longer than %(seconds)s seconds and was stopped. The file may "
        "be damaged or made to stall the reader."
    ),
    "cpu_limit": _(
        "Reading the file used too much processing time and was stopped. The file may be "
        "damaged or made to stall the reader."
    ),
    "memory_limit": _(
        "Reading the file needed too much memory and was stopped. The file may be damaged "
        "or made to exhaust memory."
    ),
    "crashed": _("The file reader stopped unexpectedly on this file. It may be damaged."),
    "isolation_failed": _("The file could not be analysed safely."),
    "write_failed": _("The tagged copy could not be written."),
    "payload_changed": _(
        "Writing the tags would have changed the audio data, so the tagged copy was discarded."
    ),
    # Notes about a file (probe).
    "extension_mismatch": _(
        "The file name ends in .%(extension)s but the contents are %(format)s."
    ),
    "data_size_unset": _(
        "The size of the audio data is not recorded (the file was probably written as a "
        "stream); the audio is taken to run to the end of the file."
    ),
    "data_truncated": _(
        "The audio data should be %(declared)s bytes long but only %(available)s bytes are "
        "present: the file is truncated."
    ),
    "trailing_bytes": _(
        "%(count)s bytes at the end of the file are not part of the %(format)s structure."
    ),
    "riff_size_mismatch": _(
        "The file header declares %(declared)s bytes but the file holds %(actual)s bytes."
    ),
    "junk_before_audio": _("%(count)s unrecognised bytes come before the first MPEG audio frame."),
    "id3_before_flac": _(
        "The FLAC file starts with an ID3 tag, which FLAC does not define; many players skip it."
    ),
    "extra_data_chunks": _(
        "The WAV file has more than one data chunk; only the first one is audio."
    ),
    "tags_truncated": _("Some tag values were too long or too many and are shown shortened."),
    "tag_unreadable": _("The %(system)s tag could not be read: it is damaged."),
    "bext_short": _(
        "The bext chunk is %(size)s bytes long, shorter than the 602 bytes that EBU Tech 3285 "
        "requires."
    ),
    "ixml_invalid": _("The iXML chunk is not well-formed XML."),
    # Notes about a tagged copy.
    "upgraded_to_rf64": _("The tagged copy is larger than 4 GiB and was written as RF64."),
    "ixml_replaced": _("The existing iXML chunk was not well-formed XML and was replaced."),
    "id3_replaced": _("The existing ID3 tag could not be read and was replaced."),
    "id3_upgraded": _("The existing ID3v2.%(version)s tag was converted to ID3v2.4."),
    "data_size_fixed": _("The copy records the real size of the audio data."),
    "dropped_bytes": _("%(count)s bytes after the end of the WAV structure were not copied."),
    "not_ascii": _("%(place)s holds ASCII text only."),
    "transliterated": _("%(place)s holds ASCII text only; the text was written without accents."),
    "too_long": _("%(place)s holds at most %(limit)s characters."),
}


def render(code: str, params: Mapping[str, str | int]) -> str:
    """The sentence for ``code`` in the active language; never raises."""
    template = MESSAGES.get(code, MESSAGES["unreadable"])
    # Outside a configured Django project (a script, the sandbox) the English text is used.
    text = gettext(template) if settings.configured else template
    try:
        return text % dict(params)
    except (KeyError, TypeError, ValueError):
        return text
