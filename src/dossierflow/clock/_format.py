"""Working-time durations and margins as people read them, in Vietnamese and English.

Margins are office time (a working day is 8 hours, Decision 188/1999/QĐ-TTg), so they are
written in hours and minutes: ``chậm 15 giờ 35 phút`` / ``late by 15h35``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from dossierflow._errors import InvalidArgument

Language = Literal["vi", "en"]
_LANGUAGES = ("vi", "en")


def _minutes(value: object, name: str) -> int:
    if not isinstance(value, dt.timedelta):
        raise InvalidArgument(f"{name} must be a datetime.timedelta of working time, got "
                              f"{value!r}")
    return int(abs(value) // dt.timedelta(minutes=1))


def _check_language(language: object) -> None:
    if language not in _LANGUAGES:
        raise InvalidArgument(f"language must be 'vi' or 'en', got {language!r}")


def format_duration(duration: dt.timedelta, *, language: Language = "vi") -> str:
    """A working-time duration (its size, whatever its sign), to the minute below:
    ``15 giờ 35 phút`` / ``15h35``; ``35 phút`` / ``0h35``; ``2 giờ`` / ``2h00``."""
    _check_language(language)
    minutes = _minutes(duration, "duration")
    hours, rest = divmod(minutes, 60)
    if language == "en":
        return f"{hours}h{rest:02d}"
    if hours and rest:
        return f"{hours} giờ {rest} phút"
    if hours:
        return f"{hours} giờ"
    return f"{rest} phút"


def format_margin(margin: dt.timedelta | None, *, language: Language = "vi") -> str:
    """A verdict's or a step's margin: negative is late (``chậm 15 giờ 35 phút`` / ``late by
    15h35``), positive is ahead of the due (``trước hạn 2 giờ`` / ``ahead by 2h00``), less than
    a minute either way is on time (``đúng hạn`` / ``on time``); None (no due) is ``-``."""
    _check_language(language)
    if margin is None:
        return "-"
    minutes = _minutes(margin, "margin")
    if minutes == 0:
        return "đúng hạn" if language == "vi" else "on time"
    size = format_duration(margin, language=language)
    late = margin < dt.timedelta(0)
    if language == "vi":
        return f"{'chậm' if late else 'trước hạn'} {size}"
    return f"{'late' if late else 'ahead'} by {size}"
