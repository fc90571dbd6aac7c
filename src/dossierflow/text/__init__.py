"""Vietnamese text as people read it: dates, hours and amounts in Vietnamese style, and SMS
lengths.

- :func:`format_date` ("ngày 23 tháng 02 năm 2026"), :func:`format_time` ("17 giờ 00"),
  :func:`format_instant` (both, in the calendar's zone), :func:`format_amount`
  ("2.000 đồng"), each with an English form for docs and tests (``language="en"``).
- :func:`sms_segments`: the encoding an SMS needs (GSM 03.38 7-bit, or UCS-2 as soon as one
  character, such as any Vietnamese diacritic, is outside the GSM alphabet) and how many
  segments it takes; :func:`unaccent`: the same text without diacritics (đ → d, Đ → D).

It depends on nothing else in dossierflow but its errors: notices (:mod:`dossierflow.notices`)
and forms (:mod:`dossierflow.forms`) share it.
"""

from dossierflow.text._sms import GSM_7, UCS_2, Segments, sms_segments, unaccent
from dossierflow.text._vietnamese import (
    format_amount,
    format_date,
    format_instant,
    format_short,
    format_time,
)

__all__ = [
    "GSM_7",
    "UCS_2",
    "Segments",
    "format_amount",
    "format_date",
    "format_instant",
    "format_short",
    "format_time",
    "sms_segments",
    "unaccent",
]
