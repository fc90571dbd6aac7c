"""SMS lengths and unaccenting against their reference (tests/oracles/sms.py): the library
reads a text without walking it character by character where it can, and must give what the
walk gives for every text. The short form of an instant against strftime."""

from __future__ import annotations

import datetime as dt
import unicodedata
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossierflow import InvalidArgument
from dossierflow.text import (
    GSM_7,
    UCS_2,
    format_date,
    format_instant,
    format_short,
    format_time,
    sms_segments,
    unaccent,
)
from tests.oracles import sms as oracle

GSM_ALPHABET = sorted(oracle.BASIC | oracle.EXTENDED)
VIETNAMESE = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
VIETNAMESE += VIETNAMESE.upper()
# Characters at the edges of the fast paths: decomposed letters and loose marks, a mark that
# does not combine (U+034F), letters outside the GSM alphabet that keep their shape (ø, …),
# a letter beyond the BMP and a lone surrogate, and pieces that compose with their neighbour
# once a mark between them is dropped (Hangul jamo, an Oriya vowel sign).
EDGES = ("e\u0301", "\u0301", "\u0323", "\u0302", "\u034f", "ø", "Ø", "…", "€", "😀", "\ud800",
         "\u1100", "\u1161", "\u11a8", "\u0b47", "\u0b3e", "Å", "\u212b", "ǿ", "\u037e")
any_text = st.text(st.characters(exclude_categories=()), max_size=400)
# GSM text, sometimes with one character that makes it UCS-2 (beyond the BMP, or not).
gsm_text = st.tuples(st.text(st.sampled_from(GSM_ALPHABET), max_size=480),
                     st.sampled_from(["", "😀", "ơ"]), st.integers(0, 480)).map(
    lambda t: t[0][:t[2]] + t[1] + t[0][t[2]:])
vietnamese_text = st.lists(st.sampled_from(
    [*VIETNAMESE, *"abcdeghiklmnopqrstuvxyABDGHNOQ0123456789 .,:;-/()", *EDGES]),
    max_size=300).map("".join)


@given(st.one_of(any_text, gsm_text, vietnamese_text))
def test_sms_segments_is_the_reference(text: str) -> None:
    assert tuple(sms_segments(text)) == oracle.sms_segments(text)


@given(st.one_of(any_text, vietnamese_text))
def test_unaccent_is_the_reference(text: str) -> None:
    assert unaccent(text) == oracle.unaccent(text)


@given(vietnamese_text)
def test_unaccented_vietnamese_is_the_reference_in_every_normal_form(text: str) -> None:
    for form in ("NFC", "NFD"):
        written = unicodedata.normalize(form, text)
        assert unaccent(written) == oracle.unaccent(written)


@pytest.mark.parametrize("text", [
    "a" * 159, "a" * 160, "a" * 161, "a" * 306, "a" * 307, "a" * 459, "a" * 460,
    "€" * 80, "€" * 81, "a" * 159 + "€", "a" * 152 + "€", "a" * 152 + "€" + "a",
    "a" * 151 + "€" + "a" * 10, "a" * 153 + "€" * 77, "a" * 152 + "€" * 77 + "a",
    "é" * 161, "`" * 10, "a" * 160 + "\t",
    "ơ" * 69, "ơ" * 70, "ơ" * 71, "ơ" * 134, "ơ" * 135, "ơ" * 201, "ơ" * 202,
    "😀" * 35, "😀" * 36, "ơ" * 66 + "😀", "ơ" * 66 + "😀" + "ơ", "ơ" * 65 + "😀" + "ơ" * 5,
    "ơ" * 70 + "\ud800", "\ud800" * 71, "ơ" * 133 + "😀", "😀" + "a" * 159, "",
])
def test_sms_segments_at_the_boundaries(text: str) -> None:
    assert tuple(sms_segments(text)) == oracle.sms_segments(text)


def test_a_split_escape_or_surrogate_pair_opens_a_segment() -> None:
    assert sms_segments("a" * 152 + "€" + "a" * 10) == (GSM_7, 2, 164)
    assert sms_segments("a" * 153 + "€" * 77) == (GSM_7, 3, 307)
    assert sms_segments("ơ" * 66 + "😀" + "ơ" * 4) == (UCS_2, 2, 72)  # 66 | 2 + 4
    assert sms_segments("ơ" * 66 + "ơ" + "ơ" * 4) == (UCS_2, 2, 71)


@pytest.mark.parametrize(("text", "plain"), [
    ("Hồ sơ đã được tiếp nhận", "Ho so da duoc tiep nhan"),
    (unicodedata.normalize("NFD", "Hồ sơ đã được tiếp nhận"), "Ho so da duoc tiep nhan"),
    ("Øresund … 2.000 €", "Øresund … 2.000 €"),   # kept: no diacritic to drop
    ("\u1100\u0301\u1161", "\uac00"),              # the jamo compose once the mark is gone
    ("\u212b", "A"),                               # the ångström sign is an A with a ring
])
def test_unaccent_outside_the_vietnamese_letters(text: str, plain: str) -> None:
    assert unaccent(text) == plain == oracle.unaccent(text)


@pytest.mark.parametrize("fn", [sms_segments, unaccent])
def test_only_text_is_read(fn: object) -> None:
    with pytest.raises(InvalidArgument):
        fn(b"Ho so")  # type: ignore[operator]


@given(st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                    timezones=st.sampled_from([dt.UTC, ZoneInfo("Asia/Ho_Chi_Minh"),
                                               ZoneInfo("America/St_Johns")])),
       st.sampled_from(["Asia/Ho_Chi_Minh", "UTC", "Asia/Kathmandu"]),
       st.sampled_from(["vi", "en"]))
def test_the_short_form_is_strftime_s(at: dt.datetime, timezone: str, language: str) -> None:
    local = at.astimezone(ZoneInfo(timezone))
    clock = "%Hh%M" if language == "vi" else "%H:%M"
    assert format_short(at, language=language, timezone=timezone) == \
        local.strftime(f"{clock} %d/%m/%Y")
    assert format_instant(at, language=language, timezone=timezone) == \
        f"{format_time(local.time(), language=language)}, " \
        f"{format_date(local.date(), language=language)}"
