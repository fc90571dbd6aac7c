"""The forms of the one-stop mechanism, numbered as Circular 03/2025/TT-VPCP, Appendix I
(in force from 15 September 2025), and the events that issue them.

Circular 01/2018/TT-VPCP numbered two of them differently (its Form 05 was the process control
slip and its Form 06 the register); :attr:`Form.number_2018` keeps that numbering for reading
older texts and systems.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from dossierflow.states._events import (
    Apologized,
    Received,
    Refused,
    StopNoticeIssued,
    SupplementRequested,
)


class Form(enum.Enum):
    """A form of Circular 03/2025/TT-VPCP, Appendix I; the value is its number."""

    RECEIPT = "01"
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả: the receipt and appointment slip."""
    SUPPLEMENT_REQUEST = "02"
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: the request to supplement."""
    REFUSAL = "03"
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ: the refusal."""
    APOLOGY = "04"
    """Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết: the apology and request to
    extend (Circular 01/2018's Form 04 was "Phiếu xin lỗi và hẹn lại ngày trả kết quả")."""
    STOP_NOTICE = "05"
    """Thông báo dừng giải quyết hồ sơ: the notice of stopping."""
    CONTROL_SLIP = "06"
    """Phiếu kiểm soát quá trình giải quyết hồ sơ: the process control slip."""
    REGISTER = "07"
    """Sổ theo dõi hồ sơ: the dossier register."""

    @property
    def number(self) -> str:
        """Its number in Circular 03/2025/TT-VPCP, Appendix I ("01" to "07")."""
        return self.value

    @property
    def title_vi(self) -> str:
        return _TITLES[self][0]

    @property
    def title_en(self) -> str:
        return _TITLES[self][1]

    @property
    def number_2018(self) -> str | None:
        """Its number in Circular 01/2018/TT-VPCP (None: that circular had no such form)."""
        return _NUMBER_2018[self]


_TITLES: Mapping[Form, tuple[str, str]] = MappingProxyType({
    Form.RECEIPT: ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                   "Receipt and appointment slip"),
    Form.SUPPLEMENT_REQUEST: ("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
                              "Request to supplement the dossier"),
    Form.REFUSAL: ("Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Refusal to receive the dossier"),
    Form.APOLOGY: ("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
                   "Apology and request to extend the time limit"),
    Form.STOP_NOTICE: ("Thông báo dừng giải quyết hồ sơ", "Notice of stopping"),
    Form.CONTROL_SLIP: ("Phiếu kiểm soát quá trình giải quyết hồ sơ", "Process control slip"),
    Form.REGISTER: ("Sổ theo dõi hồ sơ", "Dossier register"),
})
_NUMBER_2018: Mapping[Form, str | None] = MappingProxyType({
    Form.RECEIPT: "01", Form.SUPPLEMENT_REQUEST: "02", Form.REFUSAL: "03", Form.APOLOGY: "04",
    Form.STOP_NOTICE: None, Form.CONTROL_SLIP: "05", Form.REGISTER: "06",
})

ISSUED_BY: Mapping[type, Form] = MappingProxyType({
    Received: Form.RECEIPT,
    SupplementRequested: Form.SUPPLEMENT_REQUEST,
    Refused: Form.REFUSAL,
    Apologized: Form.APOLOGY,
    StopNoticeIssued: Form.STOP_NOTICE,
})
"""The form each event issues (the control slip and the register are read off histories)."""
