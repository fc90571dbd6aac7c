"""Forms: golden HTML per form on the sample dossiers, their key fields, the English locale,
templates a portal overrides, refusals, and the PDF's text (pdftotext).

Regenerate the golden files after an intended change with
``DOSSIERFLOW_REGENERATE_GOLDEN=1 python -m pytest tests/test_forms.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jinja2
import pytest

from dossierflow import InvalidArgument
from dossierflow.forms import LAYOUTS, SAMPLE_OF, Applicant, Renderer, samples, write_samples
from dossierflow.forms._catalogue_en import EN
from dossierflow.states import Form

GOLDEN = Path(__file__).parent / "golden" / "forms"
TEMPLATES = Path(__file__).parents[1] / "src" / "dossierflow" / "forms" / "templates"
REGENERATE = os.environ.get("DOSSIERFLOW_REGENERATE_GOLDEN") == "1"

# What each form must show of its sample dossier, as printed.
KEY_FIELDS: dict[Form, tuple[str, ...]] = {
    Form.RECEIPT: ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "H29.123.45-260302-0001",
                   "Nguyễn Văn An", "001085012345", "20 ngày làm việc",
                   "9 giờ 40 phút, ngày 02 tháng 3 năm 2026",
                   "9 giờ 10 phút, ngày 30 tháng 3 năm 2026", "Sơ đồ thửa đất",
                   "NGƯỜI TIẾP NHẬN HỒ SƠ", "ỦY BAN NHÂN DÂN XÃ TÂN HIỆP"),
    Form.SUPPLEMENT_REQUEST: ("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
                              "Bản vẽ sơ đồ tài sản gắn liền với đất",
                              "Hồ sơ thiếu sơ đồ nhà ở trên thửa đất", "0214 3 888 999",
                              "NGƯỜI HƯỚNG DẪN"),
    Form.REFUSAL: ("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Đỗ Thị Bích Ngọc",
                   "H29.123.45-260303-0002", "tẩy xóa"),
    Form.APOLOGY: ("VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
                   "Cơ quan thuế cần thêm thời gian",
                   # the appointment the clock had then (moved by the supplement) and the new
                   "13 giờ 40 phút, ngày 01 tháng 4 năm 2026",
                   "8 giờ 00 phút, ngày 14 tháng 4 năm 2026",
                   "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"),
    Form.STOP_NOTICE: ("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Vũ Đức Thắng", "100.000 đồng",
                       "Mẫu chờ đối chiếu phụ lục chính thức"),
    Form.CONTROL_SLIP: ("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Bộ phận TN&amp;TKQ",
                        "Chi nhánh Văn phòng đăng ký đất đai", "Trước hạn", "Quá hạn",
                        "Lê Minh Châu"),
    Form.REGISTER: ("SỔ THEO DÕI HỒ SƠ", "H29.123.45-260302-0001", "H29.123.45-260304-0003",
                    "Phương thức nhận kết quả", "Trực tiếp"),
}
COMMON = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
          "size: A4", "Tân Hiệp, ngày")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: Any) -> dict[Form, str]:
    out = tmp_path_factory.mktemp("forms")
    write_samples(out)
    return {f: (out / f"form{f.number}.html").read_text(encoding="utf-8") for f in Form}


@pytest.mark.parametrize("form", list(Form))
def test_golden(form: Form, rendered: dict[Form, str]) -> None:
    path = GOLDEN / f"form{form.number}.html"
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered[form], encoding="utf-8")
    assert rendered[form] == path.read_text(encoding="utf-8"), (
        f"Form {form.number} changed; if intended, regenerate with "
        "DOSSIERFLOW_REGENERATE_GOLDEN=1 and review the diff")


@pytest.mark.parametrize("form", list(Form))
def test_key_fields(form: Form, rendered: dict[Form, str]) -> None:
    html = rendered[form]
    for text in (*KEY_FIELDS[form], *COMMON):
        assert text in html, f"Form {form.number} lacks {text!r}"
    assert LAYOUTS[form].note in html
    assert "…" not in re.sub(r"<[^>]+>", "", html.split("<h1>")[0]).split("Số:")[0]


def test_every_label_has_an_english_text() -> None:
    labels: set[str] = set()
    for f in TEMPLATES.glob("*.html"):
        s = f.read_text(encoding="utf-8")
        labels.update(re.findall(r'_\("([^"]*)"\)', s))
        labels.update(re.findall(r'\bline\("([^"]*)"', s))
        for m in re.finditer(r'signature\("([^"]*)", "([^"]*)", "([^"]*)"\)', s):
            labels.update(x for x in m.groups() if x)
    assert labels, "no label found: the extraction pattern is out of date"
    assert sorted(labels - set(EN)) == []


def test_english_is_the_second_locale(tmp_path: Path) -> None:
    write_samples(tmp_path, language="en")
    html = (tmp_path / "form01.html").read_text(encoding="utf-8")
    assert "SOCIALIST REPUBLIC OF VIETNAM" in html
    assert "RECEIPT AND APPOINTMENT SLIP" in html
    assert "09:10, 30 March 2026" in html
    assert "Result due at" in html


def test_a_portal_overrides_one_template_and_keeps_the_others(tmp_path: Path) -> None:
    (tmp_path / "print.css").write_text("html { font-family: 'Portal Serif'; }")
    s = samples()
    loader = jinja2.DictLoader({"form03.html": "{% extends 'base.html' %}"
                                "{% block body %}<p>{{ reasons }}</p>{% endblock %}"})
    for templates in (tmp_path, [tmp_path], loader):
        r = Renderer(s.engine, templates=templates, unit_names={"ubnd_xa": "UBND xã Tân Hiệp"},
                     letterhead=s.letterhead)
        html = r.render(Form.RECEIPT, s.dossiers[SAMPLE_OF[Form.RECEIPT]])
        assert "UBND xã Tân Hiệp" in html
        assert "Thời gian trả kết quả giải quyết hồ sơ" in html  # the shipped form01
        if templates is loader:
            refused = r.render(Form.REFUSAL, s.dossiers[SAMPLE_OF[Form.REFUSAL]])
            assert "Xin thông báo" not in refused
            assert "tẩy xóa" in refused
        else:
            assert "Portal Serif" in html
            assert "Noto Serif" not in html


def test_blank_fields_print_dotted_leaders_and_values_are_escaped() -> None:
    s = samples()
    r = Renderer(s.engine, letterhead=s.letterhead)
    d = s.dossiers[SAMPLE_OF[Form.RECEIPT]]
    html = r.render(Form.RECEIPT, d, applicant=Applicant(name="<b>An</b>"))
    assert "&lt;b&gt;An&lt;/b&gt;" in html
    assert "Số định danh cá nhân/tổ chức:</span> …………" in html


def test_refusals() -> None:
    s = samples()
    r = Renderer(s.engine)
    refused = s.dossiers[SAMPLE_OF[Form.REFUSAL]]
    with pytest.raises(InvalidArgument, match=r"has no Apologized event.*its forms: 03"):
        r.render(Form.APOLOGY, refused)
    with pytest.raises(InvalidArgument, match="register"):
        r.render(Form.REGISTER, refused)
    with pytest.raises(InvalidArgument, match="not a directory"):
        Renderer(s.engine, templates="/no/such/dir")
    with pytest.raises(InvalidArgument, match="paper"):
        Renderer(s.engine, paper="Letter")
    with pytest.raises(InvalidArgument, match="first <= last"):
        r.register([], first=s.last, last=s.first)
    assert r.forms_of(s.dossiers[SAMPLE_OF[Form.RECEIPT]]) == (
        Form.RECEIPT, Form.SUPPLEMENT_REQUEST, Form.APOLOGY, Form.CONTROL_SLIP)


def test_the_pdf_text_holds_the_key_fields(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext is missing: apt-get install poppler-utils")
        pytest.skip("pdftotext is missing: apt-get install poppler-utils")
    write_samples(tmp_path, pdf=True)
    for form in Form:
        text = subprocess.run(["pdftotext", str(tmp_path / f"form{form.number}.pdf"),
                               "-"], capture_output=True, text=True, check=True).stdout
        flat = " ".join(text.split())
        for field in KEY_FIELDS[form]:
            field = field.replace("&amp;", "&")
            if field == "Phương thức nhận kết quả":
                continue  # a narrow heading beside another: pdftotext interleaves their lines
            assert " ".join(field.split()) in flat, f"Form {form.number}'s PDF lacks {field!r}"


def test_the_cli_writes_every_form_of_the_samples(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from dossierflow.__main__ import main

    assert main(["forms", "--demo", "-o", str(tmp_path)]) == 0
    written = capsys.readouterr().out.split()
    assert written == [str(tmp_path / f"form{f.number}.html") for f in Form]
    for f in Form:
        assert LAYOUTS[f].title in (tmp_path / f"form{f.number}.html").read_text("utf-8")
