"""SMS lengths: GSM 03.38 7-bit or UCS-2, and segments (3GPP TS 23.038 and TS 23.040).

A text that uses only the GSM 03.38 default alphabet (and its extension table, whose
characters take two septets) is sent in 7-bit: 160 septets in one message, 153 per segment
when concatenated (the user-data header takes the rest). Any other character, such as every
Vietnamese letter with a diacritic, makes the whole message UCS-2: 70 UTF-16 code units in
one message, 67 per segment. :func:`unaccent` gives the variant without diacritics that
portals send to keep a message short.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

from dossierflow._errors import InvalidArgument

GSM_7 = "GSM-7"
UCS_2 = "UCS-2"

# The GSM 03.38 default alphabet (3GPP TS 23.038, 6.2.1), one septet each.
_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Its extension table (6.2.1.1): an escape septet and the character, two septets each.
_EXTENDED = frozenset("^{}\\[~]|€\f")
_SINGLE = {GSM_7: 160, UCS_2: 70}
_PART = {GSM_7: 153, UCS_2: 67}


class Segments(NamedTuple):
    """How an SMS is sent: its ``encoding`` (:data:`GSM_7` or :data:`UCS_2`), how many
    ``segments`` it takes, and its ``length`` in that encoding's units (septets, or UTF-16
    code units)."""

    encoding: str
    segments: int
    length: int


def sms_segments(text: str) -> Segments:
    """The encoding and segment count of ``text`` as an SMS: GSM 7-bit when every character
    is in the GSM 03.38 alphabet (160 septets in one message, 153 per segment), else UCS-2
    (70 code units, 67 per segment). An empty text still takes one message."""
    if not isinstance(text, str):
        raise InvalidArgument(f"text must be a str, got {text!r:.80}")
    if all(c in _BASIC or c in _EXTENDED for c in text):
        encoding = GSM_7
        units = [2 if c in _EXTENDED else 1 for c in text]
    else:
        encoding = UCS_2
        units = [2 if ord(c) > 0xFFFF else 1 for c in text]  # a surrogate pair: 2 code units
    length = sum(units)
    if length <= _SINGLE[encoding]:
        return Segments(encoding, 1, length)
    # Concatenated: an escape septet and its character, or a surrogate pair, are never split
    # across two segments, so a segment may end one unit short.
    part, segments, used = _PART[encoding], 1, 0
    for n in units:
        if used + n > part:
            segments, used = segments + 1, 0
        used += n
    return Segments(encoding, segments, length)


def unaccent(text: str) -> str:
    """``text`` without Vietnamese diacritics (tones and vowel marks dropped, đ → d,
    Đ → D), for SMS in GSM 7-bit: "Hồ sơ đã được tiếp nhận" → "Ho so da duoc tiep nhan"."""
    if not isinstance(text, str):
        raise InvalidArgument(f"text must be a str, got {text!r:.80}")
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in unicodedata.normalize("NFD", text)
                       if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)
