"""The default wording of every notice, in Vietnamese and English, as :class:`string.Template`
values. Placeholders: ``$code`` (dossier code), ``$procedure`` (its name), ``$unit`` (the
agency named in the event), ``$received`` (when the event happened), ``$appointment`` (the
appointment in words, "17 giờ 00, ngày 23 tháng 02 năm 2026"), ``$short`` (the same for
SMS, "17h00 23/02/2026"), ``$previous`` (the appointment an apology moves), ``$reason``,
``$items`` (what to supplement, one per line), ``$cause`` (why an appointment moved).

SMS are written to fit two UCS-2 segments (134 characters) with a dossier code of up to 25
characters, and one GSM 7-bit message (160) once unaccented; ``tests/test_notices.py``
holds them to it. Each kind has a second SMS for when there is no appointment to give.

:func:`fill` (package-internal) gives a template's text with its placeholders filled, as
:meth:`string.Template.substitute` does.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from string import Template
from types import MappingProxyType

import attrs

from dossierflow.notices._kinds import NoticeKind


@attrs.frozen
class NoticeText:
    """One notice's wording: ``sms`` (and ``sms_plain``, used when there is no appointment
    to state), the e-mail's ``subject`` and ``body``, and the ``portal`` message."""

    sms: Template
    sms_plain: Template
    subject: Template
    body: Template
    portal: Template


def fill(template: Template, values: Mapping[str, str]) -> str:
    """``template.substitute(values)``."""
    # A notice fills four templates; str.format does it in C where Template calls back into
    # Python for each placeholder. Only a plain Template (its pattern and delimiter the
    # class's) is translated; tests/test_notices.py holds the two ways together.
    if type(template) is Template and len(template.__dict__) == 1:
        text = _format_text(template.template)
        if text is not None:
            return text.format_map(values)
    return template.substitute(values)


@functools.lru_cache(maxsize=1024)
def _format_text(template: str) -> str | None:
    """``template``, a :class:`string.Template` text, as a :meth:`str.format` text; None
    when it has a placeholder that is not one (substitute says what is wrong with it)."""
    parts, start = [], 0
    for found in Template.pattern.finditer(template):
        parts.append(template[start:found.start()].replace("{", "{{").replace("}", "}}"))
        name = found.group("named") or found.group("braced")
        if name is not None:
            parts.append("{" + name + "}")
        elif found.group("escaped") is not None:
            parts.append(Template.delimiter)
        else:
            return None
        start = found.end()
    parts.append(template[start:].replace("{", "{{").replace("}", "}}"))
    return "".join(parts)


def _t(sms: str, sms_plain: str, subject: str, body: str, portal: str) -> NoticeText:
    return NoticeText(Template(sms), Template(sms_plain), Template(subject), Template(body),
                      Template(portal))


_CLOSE_VI = ("\n\nÔng/Bà tra cứu tình trạng hồ sơ bằng mã $code trên Cổng Dịch vụ công hoặc tại "
             "Bộ phận Một cửa.\n")
_CLOSE_EN = "\n\nLook the dossier up with code $code on the public service portal or at the desk.\n"

_VI: dict[NoticeKind, NoticeText] = {
    NoticeKind.RECEIVED: _t(
        "Hồ sơ $code đã được tiếp nhận. Hẹn trả kết quả: $short.",
        "Hồ sơ $code đã được tiếp nhận.",
        "Tiếp nhận hồ sơ $code",
        "Kính gửi Ông/Bà,\n\n$unit đã tiếp nhận hồ sơ $code ($procedure) lúc $received.\n"
        "Thời gian hẹn trả kết quả: $appointment." + _CLOSE_VI,
        "Hồ sơ $code ($procedure) đã được tiếp nhận lúc $received. Hẹn trả kết quả: "
        "$appointment."),
    NoticeKind.SUPPLEMENT_REQUESTED: _t(
        "Hồ sơ $code cần bổ sung, hoàn thiện. Xem nội dung trên Cổng Dịch vụ công.",
        "Hồ sơ $code cần bổ sung, hoàn thiện. Xem nội dung trên Cổng Dịch vụ công.",
        "Yêu cầu bổ sung, hoàn thiện hồ sơ $code",
        "Kính gửi Ông/Bà,\n\n$unit đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ $code "
        "($procedure) gồm những nội dung sau:\n$items\nLý do: $reason\n\nThời gian giải quyết "
        "tạm dừng cho đến khi nhận đủ hồ sơ bổ sung." + _CLOSE_VI,
        "Hồ sơ $code cần bổ sung, hoàn thiện: $items_inline. Lý do: $reason."),
    NoticeKind.APPOINTMENT_MOVED: _t(
        "Hồ sơ $code: $cause. Hẹn trả kết quả mới: $short.",
        "Hồ sơ $code: $cause.",
        "Thay đổi thời gian hẹn trả kết quả hồ sơ $code",
        "Kính gửi Ông/Bà,\n\nHồ sơ $code ($procedure): $cause.\nThời gian hẹn trả kết quả mới: "
        "$appointment." + _CLOSE_VI,
        "Hồ sơ $code: $cause. Thời gian hẹn trả kết quả mới: $appointment."),
    NoticeKind.APOLOGY: _t(
        "Xin lỗi Ông/Bà: hồ sơ $code chưa có kết quả đúng hẹn. Hẹn trả mới: $short.",
        "Xin lỗi Ông/Bà: hồ sơ $code chưa có kết quả đúng hẹn.",
        "Xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ $code",
        "Kính gửi Ông/Bà,\n\nHồ sơ $code ($procedure) có thời gian hẹn trả kết quả $previous, "
        "nhưng đến nay chưa giải quyết xong.\nLý do: $reason\n\n$unit xin lỗi Ông/Bà vì sự "
        "chậm trễ này và đề nghị gia hạn thời gian trả kết quả đến $appointment." + _CLOSE_VI,
        "Xin lỗi Ông/Bà: hồ sơ $code chưa có kết quả đúng hẹn ($reason). Hẹn trả kết quả "
        "mới: $appointment."),
    NoticeKind.RESULT_READY: _t(
        "Hồ sơ $code đã có kết quả. Mời Ông/Bà nhận kết quả theo hình thức đã đăng ký.",
        "Hồ sơ $code đã có kết quả. Mời Ông/Bà nhận kết quả theo hình thức đã đăng ký.",
        "Hồ sơ $code đã có kết quả",
        "Kính gửi Ông/Bà,\n\nHồ sơ $code ($procedure) đã được giải quyết xong lúc $received. "
        "Mời Ông/Bà nhận kết quả theo hình thức đã đăng ký." + _CLOSE_VI,
        "Hồ sơ $code đã có kết quả (lúc $received). Mời Ông/Bà nhận kết quả."),
    NoticeKind.REJECTED: _t(
        "Hồ sơ $code không được chấp thuận. Xem lý do trên Cổng Dịch vụ công.",
        "Hồ sơ $code không được chấp thuận. Xem lý do trên Cổng Dịch vụ công.",
        "Kết quả giải quyết hồ sơ $code",
        "Kính gửi Ông/Bà,\n\nHồ sơ $code ($procedure) không được chấp thuận.\nLý do: $reason"
        + _CLOSE_VI,
        "Hồ sơ $code không được chấp thuận. Lý do: $reason."),
    NoticeKind.RESULT_RETURNED: _t(
        "Hồ sơ $code đã được trả kết quả. Cảm ơn Ông/Bà.",
        "Hồ sơ $code đã được trả kết quả. Cảm ơn Ông/Bà.",
        "Đã trả kết quả hồ sơ $code",
        "Kính gửi Ông/Bà,\n\nKết quả giải quyết hồ sơ $code ($procedure) đã được trả lúc "
        "$received. Mời Ông/Bà đánh giá mức độ hài lòng trên Cổng Dịch vụ công." + _CLOSE_VI,
        "Hồ sơ $code đã được trả kết quả lúc $received."),
    NoticeKind.REFUSED: _t(
        "Hồ sơ $code bị từ chối tiếp nhận. Xem lý do trên Cổng Dịch vụ công.",
        "Hồ sơ $code bị từ chối tiếp nhận. Xem lý do trên Cổng Dịch vụ công.",
        "Từ chối tiếp nhận hồ sơ $code",
        "Kính gửi Ông/Bà,\n\nHồ sơ $code ($procedure) không được tiếp nhận giải quyết.\n"
        "Lý do: $reason" + _CLOSE_VI,
        "Hồ sơ $code bị từ chối tiếp nhận. Lý do: $reason."),
    NoticeKind.STOPPED: _t(
        "Hồ sơ $code đã dừng giải quyết. Xem thông báo trên Cổng Dịch vụ công.",
        "Hồ sơ $code đã dừng giải quyết. Xem thông báo trên Cổng Dịch vụ công.",
        "Thông báo dừng giải quyết hồ sơ $code",
        "Kính gửi Ông/Bà,\n\n$unit thông báo dừng giải quyết hồ sơ $code ($procedure) từ "
        "$received.\nLý do: $reason" + _CLOSE_VI,
        "Hồ sơ $code đã dừng giải quyết từ $received. Lý do: $reason."),
    NoticeKind.WITHDRAWN: _t(
        "Hồ sơ $code đã dừng giải quyết theo đề nghị rút hồ sơ của Ông/Bà.",
        "Hồ sơ $code đã dừng giải quyết theo đề nghị rút hồ sơ của Ông/Bà.",
        "Thông báo dừng giải quyết hồ sơ $code",
        "Kính gửi Ông/Bà,\n\nTheo đề nghị rút hồ sơ của Ông/Bà, $unit thông báo dừng giải "
        "quyết hồ sơ $code ($procedure) từ $received." + _CLOSE_VI,
        "Hồ sơ $code đã dừng giải quyết theo đề nghị rút hồ sơ của Ông/Bà ($received)."),
}

_EN: dict[NoticeKind, NoticeText] = {
    NoticeKind.RECEIVED: _t(
        "Dossier $code was received. Result due $short.",
        "Dossier $code was received.",
        "Dossier $code received",
        "Dear applicant,\n\n$unit received dossier $code ($procedure) at $received.\n"
        "The result is due at $appointment." + _CLOSE_EN,
        "Dossier $code ($procedure) was received at $received. Result due $appointment."),
    NoticeKind.SUPPLEMENT_REQUESTED: _t(
        "Dossier $code needs more documents. See the public service portal.",
        "Dossier $code needs more documents. See the public service portal.",
        "Dossier $code: documents to supplement",
        "Dear applicant,\n\n$unit asks you to supplement dossier $code ($procedure) with:\n"
        "$items\nReason: $reason\n\nThe time limit is suspended until the documents arrive."
        + _CLOSE_EN,
        "Dossier $code needs: $items_inline. Reason: $reason."),
    NoticeKind.APPOINTMENT_MOVED: _t(
        "Dossier $code: $cause. New result date $short.",
        "Dossier $code: $cause.",
        "Dossier $code: new result date",
        "Dear applicant,\n\nDossier $code ($procedure): $cause.\nThe result is now due at "
        "$appointment." + _CLOSE_EN,
        "Dossier $code: $cause. New result date: $appointment."),
    NoticeKind.APOLOGY: _t(
        "We apologise: dossier $code is late. New result date $short.",
        "We apologise: dossier $code is late.",
        "Apology and extension for dossier $code",
        "Dear applicant,\n\nThe result of dossier $code ($procedure) was due at $previous and is "
        "not ready.\nReason: $reason\n\n$unit apologises for the delay and asks to extend the "
        "time until $appointment." + _CLOSE_EN,
        "We apologise: dossier $code is late ($reason). New result date: $appointment."),
    NoticeKind.RESULT_READY: _t(
        "Dossier $code: the result is ready to collect as you chose.",
        "Dossier $code: the result is ready to collect as you chose.",
        "Dossier $code: result ready",
        "Dear applicant,\n\nDossier $code ($procedure) was resolved at $received. The result is "
        "ready to collect as you chose." + _CLOSE_EN,
        "Dossier $code: the result is ready (since $received)."),
    NoticeKind.REJECTED: _t(
        "Dossier $code was not approved. See the reasons on the portal.",
        "Dossier $code was not approved. See the reasons on the portal.",
        "Dossier $code: decision",
        "Dear applicant,\n\nDossier $code ($procedure) was not approved.\nReason: $reason"
        + _CLOSE_EN,
        "Dossier $code was not approved. Reason: $reason."),
    NoticeKind.RESULT_RETURNED: _t(
        "Dossier $code: the result was returned. Thank you.",
        "Dossier $code: the result was returned. Thank you.",
        "Dossier $code: result returned",
        "Dear applicant,\n\nThe result of dossier $code ($procedure) was returned at $received. "
        "Please rate the service on the portal." + _CLOSE_EN,
        "Dossier $code: the result was returned at $received."),
    NoticeKind.REFUSED: _t(
        "Dossier $code was refused. See the reasons on the portal.",
        "Dossier $code was refused. See the reasons on the portal.",
        "Dossier $code refused",
        "Dear applicant,\n\nDossier $code ($procedure) was not received for handling.\n"
        "Reason: $reason" + _CLOSE_EN,
        "Dossier $code was refused. Reason: $reason."),
    NoticeKind.STOPPED: _t(
        "Dossier $code: handling stopped. See the notice on the portal.",
        "Dossier $code: handling stopped. See the notice on the portal.",
        "Dossier $code: notice of stopping",
        "Dear applicant,\n\n$unit stopped handling dossier $code ($procedure) at $received.\n"
        "Reason: $reason" + _CLOSE_EN,
        "Dossier $code: handling stopped at $received. Reason: $reason."),
    NoticeKind.WITHDRAWN: _t(
        "Dossier $code: handling stopped as you asked to withdraw it.",
        "Dossier $code: handling stopped as you asked to withdraw it.",
        "Dossier $code: notice of stopping",
        "Dear applicant,\n\nAs you asked to withdraw it, $unit stopped handling dossier $code "
        "($procedure) at $received." + _CLOSE_EN,
        "Dossier $code: handling stopped at your request ($received)."),
}

CAUSES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "vi": MappingProxyType({
        "Supplemented": "đã nhận đủ hồ sơ bổ sung",
        "Resumed": "hồ sơ được tiếp tục giải quyết",
        "Extended": "thời gian giải quyết được gia hạn",
        "Apologized": "thời gian giải quyết được gia hạn",
    }),
    "en": MappingProxyType({
        "Supplemented": "the supplement arrived",
        "Resumed": "handling resumed",
        "Extended": "the time limit was extended",
        "Apologized": "the time limit was extended",
    }),
})
"""Why an appointment moved, by the event's name, per language (``$cause``)."""

TEXTS: Mapping[str, Mapping[NoticeKind, NoticeText]] = MappingProxyType({
    "vi": MappingProxyType(_VI), "en": MappingProxyType(_EN)})
"""The default wording, by language ("vi", "en") and kind."""
assert all(set(texts) == set(NoticeKind) for texts in TEXTS.values())
