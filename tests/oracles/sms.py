"""Reference SMS lengths and unaccenting: :func:`dossierflow.text.sms_segments` and
:func:`dossierflow.text.unaccent` as first written, one character at a time (each
character's septets or code units walked into segments; the text decomposed, its combining
marks dropped, composed again). The library reads texts faster; the property tests hold it
to these.
"""

from __future__ import annotations

import unicodedata

# The GSM 03.38 default alphabet and its extension table (3GPP TS 23.038, 6.2.1).
BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENDED = frozenset("^{}\\[~]|€\f")
_SINGLE = {"GSM-7": 160, "UCS-2": 70}
_PART = {"GSM-7": 153, "UCS-2": 67}


def sms_segments(text: str) -> tuple[str, int, int]:
    """(encoding, segments, length) of ``text`` as an SMS."""
    if all(c in BASIC or c in EXTENDED for c in text):
        encoding = "GSM-7"
        units = [2 if c in EXTENDED else 1 for c in text]
    else:
        encoding = "UCS-2"
        units = [2 if ord(c) > 0xFFFF else 1 for c in text]
    length = sum(units)
    if length <= _SINGLE[encoding]:
        return encoding, 1, length
    part, segments, used = _PART[encoding], 1, 0
    for n in units:
        if used + n > part:
            segments, used = segments + 1, 0
        used += n
    return encoding, segments, length


def unaccent(text: str) -> str:
    """``text`` without diacritics, đ → d, Đ → D."""
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in unicodedata.normalize("NFD", text)
                       if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)
