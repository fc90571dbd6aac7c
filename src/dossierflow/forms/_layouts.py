"""Where each form's layout comes from, and what is still to check against the official
annex of Circular 03/2025/TT-VPCP (Appendix I), which was not at hand when the templates were
written.

Titles and numbers are those of Appendix I. Forms 01-04, 06 and 07 follow the copies that
Decision 3621/QĐ-BYT (24/11/2025, Ministry of Health) reproduces under Circular 03/2025;
Form 05 (new in 2025) has no published layout and is built from Art. 7 of the circular and
Art. 21 of Decree 118/2025/NĐ-CP. Each template shows :attr:`Layout.note` in small print and
says in a comment what to check, so the annex can be applied form by form.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from dossierflow.states import Form


@attrs.frozen
class Layout:
    """A form's template and where its layout comes from: ``inferred`` is True when no
    published copy of the 2025 form was seen (Form 05); ``to_check`` says what to compare
    with the official annex."""

    template: str
    title: str
    title_en: str
    source: str
    inferred: bool
    to_check: str

    @property
    def note(self) -> str:
        """The small print on the form (Vietnamese)."""
        if self.inferred:
            return ("Mẫu chờ đối chiếu phụ lục chính thức: bố cục suy ra từ Điều 7 Thông tư "
                    "03/2025/TT-VPCP, chưa có bản mẫu được công bố.")
        return ("Mẫu chờ đối chiếu phụ lục chính thức Thông tư 03/2025/TT-VPCP; bố cục theo "
                + self.source + ".")


_PROXY = "bản sao tại Quyết định 3621/QĐ-BYT"

LAYOUTS: Mapping[Form, Layout] = MappingProxyType({
    Form.RECEIPT: Layout(
        "form01.html", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "RECEIPT AND APPOINTMENT SLIP", _PROXY, False,
        "copy markings (Liên 1/Liên 2), the representative's line, the footnotes"),
    Form.SUPPLEMENT_REQUEST: Layout(
        "form02.html", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "REQUEST TO SUPPLEMENT THE DOSSIER", _PROXY, False,
        "whether a 'Mã hồ sơ' line was added"),
    Form.REFUSAL: Layout(
        "form03.html", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "REFUSAL TO RECEIVE THE DOSSIER", _PROXY, False, "the reason paragraph's wording"),
    Form.APOLOGY: Layout(
        "form04.html", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "APOLOGY AND REQUEST TO EXTEND THE TIME LIMIT", _PROXY, False,
        "the printed title (the copy prints 'Phiếu xin lỗi...'), the apology paragraph"),
    Form.STOP_NOTICE: Layout(
        "form05.html", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "NOTICE OF STOPPING",
        "Điều 7 Thông tư 03/2025/TT-VPCP", True, "the whole layout"),
    Form.CONTROL_SLIP: Layout(
        "form06.html", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "PROCESS CONTROL SLIP", _PROXY, False,
        "column labels ('Tên đơn vị' or 'Tên cơ quan'; 'giao nhận' or 'giao, nhận')"),
    Form.REGISTER: Layout(
        "form07.html", "SỔ THEO DÕI HỒ SƠ", "DOSSIER REGISTER", _PROXY, False,
        "the column tree (eleven columns, 'Nhận và trả kết quả' spanning five)"),
})
"""Each form's :class:`Layout`."""
