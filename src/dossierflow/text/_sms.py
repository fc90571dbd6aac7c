"""SMS lengths: GSM 03.38 7-bit or UCS-2, and segments (3GPP TS 23.038 and TS 23.040).

A text that uses only the GSM 03.38 default alphabet (and its extension table, whose
characters take two septets) is sent in 7-bit: 160 septets in one message, 153 per segment
when concatenated (the user-data header takes the rest). Any other character, such as every
Vietnamese letter with a diacritic, makes the whole message UCS-2: 70 UTF-16 code units in
one message, 67 per segment. :func:`unaccent` gives the variant without diacritics that
portals send to keep a message short.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
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


def _outside(chars: Iterable[str]) -> re.Pattern[str]:
    """The pattern of one character not among ``chars``."""
    runs: list[list[int]] = []
    for k in sorted(map(ord, chars)):
        if runs and runs[-1][1] == k - 1:
            runs[-1][1] = k
        else:
            runs.append([k, k])
    return re.compile("[^" + "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in runs) + "]")


def _plain_latin() -> re.Pattern[str]:
    """The pattern of one character whose canonical decomposition is not ASCII and combining
    marks alone, among the Latin letters and marks (any other character counts as not)."""
    latin = (*range(0x80, 0x250), *range(0x300, 0x370), *range(0x1E00, 0x1F00))
    plain = [chr(k) for k in range(0x80)] + [
        chr(k) for k in latin if all(
            c.isascii() or unicodedata.combining(c)
            for c in unicodedata.normalize("NFD", chr(k)))]
    return _outside(plain)


# sms_segments and unaccent read a text with these instead of walking it character by
# character, as a notice is composed with every saved event that has one; the walks stay
# for what the patterns cannot settle, and tests/test_text.py holds both to the walks.
_NOT_BASIC = _outside(_BASIC)
_NOT_GSM = _outside(_BASIC | _EXTENDED)
_NOT_PLAIN_LATIN = _plain_latin()


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
    # The length in units is counted without walking the text: each extension character
    # adds one septet, each character beyond the BMP one code unit (a surrogate pair).
    odd = _NOT_BASIC.search(text)
    if odd is None:
        encoding, length = GSM_7, len(text)
    elif _NOT_GSM.search(text, odd.start()) is None:
        encoding, length = GSM_7, len(text) + len(_NOT_BASIC.findall(text, odd.start()))
    else:
        encoding = UCS_2
        length = len(text.encode("utf-16-le", "surrogatepass")) // 2
    if length <= _SINGLE[encoding]:
        return Segments(encoding, 1, length)
    part = _PART[encoding]
    if length == len(text):  # every character one unit: full segments
        return Segments(encoding, -(-length // part), length)
    # Concatenated: an escape septet and its character, or a surrogate pair, are never split
    # across two segments, so a segment may end one unit short.
    segments, used = 1, 0
    for n in _units(text, encoding):
        if used + n > part:
            segments, used = segments + 1, 0
        used += n
    return Segments(encoding, segments, length)


def _units(text: str, encoding: str) -> Iterator[int]:
    """The units each character of ``text`` takes in ``encoding``: septets, or UTF-16 code
    units (a surrogate pair: 2)."""
    if encoding == GSM_7:
        return (2 if c in _EXTENDED else 1 for c in text)
    return (2 if ord(c) > 0xFFFF else 1 for c in text)


def unaccent(text: str) -> str:
    """``text`` without Vietnamese diacritics (tones and vowel marks dropped, đ → d,
    Đ → D), for SMS in GSM 7-bit: "Hồ sơ đã được tiếp nhận" → "Ho so da duoc tiep nhan"."""
    if not isinstance(text, str):
        raise InvalidArgument(f"text must be a str, got {text!r:.80}")
    text = text.replace("đ", "d").replace("Đ", "D")
    if _NOT_PLAIN_LATIN.search(text) is None:
        # Every character decomposes to ASCII and combining marks alone, so _strip_marks
        # would keep the ASCII of the decomposition (reordering moves marks, never a base
        # letter) and compose nothing (no two ASCII characters compose).
        return unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode("ascii")
    return _strip_marks(text)


def _strip_marks(text: str) -> str:
    """``text`` with every combining mark of its canonical decomposition dropped, composed
    again: :func:`unaccent`'s definition, for any text."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text)
                       if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)

