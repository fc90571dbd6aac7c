"""What people read: a fixed report (two agencies at two levels, counts written by hand) as
JSON, CSV (the Biểu 06 table of Circular 01/2020/TT-VPCP), console tables and the HTML page;
and the CLI's refusals of bad arguments."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from dossierflow import InvalidArgument, reports
from dossierflow.__main__ import main
from dossierflow.reports import AccountabilityRow, Counts, Inputs, Period, Report, Row

PROVINCE = Counts(received_online=30, received_direct=10, carried_over=5, resolved_early=12,
                  resolved_on_time=20, resolved_late=3, pending_in_time=8, pending_overdue=2,
                  fully_online_eligible=25, fully_online=20, fee_bearing=20, paid_online=8,
                  results=35, electronic_results=30, components=100, digitised=70, reused=10,
                  rated=10, rated_unsatisfied=1, complained_or_unsatisfied=2, complaints=2,
                  complaints_answered_on_time=1, complaints_satisfied=1)
COMMUNE = Counts(received_online=12, received_direct=1228, carried_over=0, resolved_early=700,
                 resolved_on_time=400, resolved_late=20, pending_in_time=110,
                 pending_overdue=10, fully_online_eligible=10, fully_online=6, fee_bearing=10,
                 paid_online=1, results=32, electronic_results=10, components=40, digitised=36,
                 reused=4)
NAMES = {"so_tp": "Sở Tư pháp", "ubnd_xa": "UBND xã Tân Hòa"}


def fixed(by: tuple[str, ...] = ("level", "agency")) -> Report:
    keys = {("level", "agency"): (("province", "so_tp"), ("commune", "ubnd_xa")),
            ("agency",): (("so_tp",), ("ubnd_xa",)),
            ("level",): (("province",), ("commune",))}[by]
    return Report(Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31)), by,
                  (Row(keys[0], PROVINCE), Row(keys[1], COMMUNE)),
                  (AccountabilityRow("late", "so_tp", "review", "", 3),),
                  Inputs(payment_b=0.5))


# Biểu 06 columns (3) to (13), worked by hand from the counts above.
PROVINCE_LINE = [45, 30, 10, 5, 35, 12, 20, 3, 10, 8, 2]
COMMUNE_LINE = [1240, 12, 1228, 0, 1120, 700, 400, 20, 120, 110, 10]
TOTAL_LINE = [1285, 42, 1238, 5, 1155, 712, 420, 23, 130, 118, 12]


def test_csv_is_the_bieu06_table_with_level_groups_and_the_total() -> None:
    lines = list(csv.reader(io.StringIO(reports.to_csv(fixed(), names=NAMES))))
    assert lines[0][:3] == ["STT", "Đơn vị", "Số hồ sơ nhận giải quyết - Tổng số (3)"]
    assert lines[0][3] == "Số hồ sơ nhận giải quyết - Trong đó - Trực tuyến (4)"
    assert lines[0][12] == "Số hồ sơ đang giải quyết - Quá hạn (13)"
    assert len(lines[0]) == 13
    assert lines[1:] == [
        ["I", "Sở, ban, ngành", *map(str, PROVINCE_LINE)],
        ["1", "Sở Tư pháp", *map(str, PROVINCE_LINE)],
        ["II", "Xã, phường, đặc khu", *map(str, COMMUNE_LINE)],
        ["1", "UBND xã Tân Hòa", *map(str, COMMUNE_LINE)],
        ["", "Tổng số", *map(str, TOTAL_LINE)],
    ]


@pytest.mark.parametrize("line", [PROVINCE_LINE, COMMUNE_LINE, TOTAL_LINE])
def test_the_forms_arithmetic_holds(line: list[int]) -> None:
    c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13 = line
    assert c3 == c4 + c5 + c6
    assert c7 == c8 + c9 + c10
    assert c11 == c12 + c13
    assert c3 == c7 + c11


def test_csv_in_english_and_without_levels() -> None:
    lines = list(csv.reader(io.StringIO(reports.to_csv(fixed(("agency",)), lang="en"))))
    assert lines[0][:4] == ["No.", "Unit", "Dossiers received for handling - Total (3)",
                            "Dossiers received for handling - Of which - Online (4)"]
    assert [row[:2] for row in lines[1:]] == [["1", "so_tp"], ["2", "ubnd_xa"],
                                             ["", "Total"]]
    assert lines[-1][2:] == [str(n) for n in TOTAL_LINE]
    only_levels = list(csv.reader(io.StringIO(reports.to_csv(fixed(("level",))))))
    assert only_levels[0][1] == "Lĩnh vực, công việc giải quyết theo cấp"
    assert [row[:2] for row in only_levels[1:]] == [
        ["1", "Sở, ban, ngành"], ["2", "Xã, phường, đặc khu"], ["", "Tổng số"]]


def test_json_holds_counts_columns_rates_score_targets_and_reads_back() -> None:
    report = fixed()
    doc = json.loads(reports.to_json(report))
    assert doc["period"] == {"start": "2026-01-01", "end": "2026-03-31",
                             "timezone": "Asia/Ho_Chi_Minh"}
    assert doc["by"] == ["level", "agency"]
    assert doc["rows"][0]["key"] == ["province", "so_tp"]
    assert doc["rows"][0]["counts"]["received_online"] == 30
    assert [doc["rows"][1]["bieu06"][str(n)] for n in range(3, 14)] == COMMUNE_LINE
    assert [doc["total"]["bieu06"][str(n)] for n in range(3, 14)] == TOTAL_LINE
    on_time = doc["indicators"][0]
    assert on_time["code"] == "progress.on_time"
    # Early, on time and pending in time over resolved and pending: (712+420+118)/(1155+130).
    assert on_time["rates"] == [{"numerator": 1250, "denominator": 1285,
                                 "value": 1250 / 1285, "formula": "766/2022"}]
    assert on_time["points"] == round(20 * 1250 / 1285, 4)
    assert doc["score"]["band"] is None  # transparency and others not given
    assert doc["targets"] == [{"name": "online payment", "rate": "payment.a", "minimum": 0.3,
                               "legal_basis": "Resolution 01/NQ-CP", "numerator": 9,
                               "denominator": 30, "value": 0.3, "formula": "766/2022",
                               "met": True}]
    assert doc["accountability"] == [{"kind": "late", "agency": "so_tp", "step": "review",
                                      "reason": "", "count": 3}]
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in reports.to_json(report)  # not \\u-escaped
    assert reports.from_json(reports.to_json(report)) == report


def test_from_json_refuses_what_it_cannot_read() -> None:
    with pytest.raises(InvalidArgument, match="not a report's JSON"):
        reports.from_json("[]")
    doc = reports.to_dict(fixed())
    doc["rows"][0]["counts"]["received_online"] = -1
    with pytest.raises(InvalidArgument, match=r"rows\[0\]"):
        reports.from_json(json.dumps(doc))


def test_console_tables_show_the_numbers_in_vietnamese_format() -> None:
    out = io.StringIO()
    reports.print_report(fixed(), Console(file=out, width=200, no_color=True), names=NAMES)
    text = out.getvalue()
    assert "Biểu số 06/VPCP/KSTT" in text
    assert "Kỳ báo cáo: Quý I/2026 (Từ ngày 01/01/2026 đến ngày 31/03/2026)" in text
    assert "Đơn vị tính: Số hồ sơ TTHC" in text
    total = next(line for line in text.splitlines() if "Tổng số " in line and "│" in line)
    assert re.findall(r"[\d.]+", total) == ["1.285", "42", "1.238", "5", "1.155", "712",
                                            "420", "23", "130", "118", "12"]
    assert "UBND xã Tân Hòa" in text
    assert "1.250/1.285 (97,3%)" in text  # the on-time rate with what it is made of
    assert "Hồ sơ quá hạn" in text  # accountability


def test_console_table_in_english() -> None:
    out = io.StringIO()
    Console(file=out, width=200, no_color=True).print(reports.to_table(fixed(), lang="en"))
    text = out.getvalue()
    assert "Reporting period: Q1 2026 (from 01/01/2026 to 31/03/2026)" in text
    assert "1,285" in text
    assert "Communes, wards and special zones" in text
    with pytest.raises(ValueError, match="lang must be 'vi'"):
        reports.to_table(fixed(), lang="fr")


def monthly() -> list[tuple[str, Report]]:
    month = fixed()
    return [("01/2026", month), ("02/2026", month), ("03/2026", month)]


def test_html_is_self_contained_with_the_form_and_five_charts() -> None:
    page = reports.to_html(fixed(), names=NAMES, monthly=monthly(), unit="Văn phòng UBND tỉnh")
    assert "<script" not in page.lower()
    assert not re.search(r"https?://", page)
    assert not re.search(r"""(src|href)=["'](?!#)""", page)  # nothing to fetch
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in page
    for text in ("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI "
                 "QUYẾT TTHC", "Kỳ báo cáo: Quý I/2026 (Từ ngày 01/01/2026 đến ngày "
                 "31/03/2026)", "Đơn vị tính: Số hồ sơ TTHC", "Số hồ sơ nhận giải quyết",
                 "Trong đó", "Trực tiếp, dịch vụ bưu chính", "Từ kỳ trước",
                 "Số hồ sơ đã giải quyết", "Trước hạn", "Số hồ sơ đang giải quyết",
                 "Trong hạn", "Văn phòng UBND tỉnh", "chưa được đối chiếu với phụ lục"):
        assert text in page, text
    header = page.split('<tr class="numbers">')[1].split("</tr>")[0]
    assert re.findall(r"<th>(\d+)</th>", header) == [str(n) for n in range(1, 14)]
    total = page.split('<tr class="total">')[1].split("</tr>")[0]
    assert re.findall(r'<td class="n">([\d.]+)</td>', total) == [
        f"{n:,}".replace(",", ".") for n in TOTAL_LINE]
    assert '<tr class="group"><td class="c">II</td><td>Xã, phường, đặc khu</td>' in page
    figures = re.findall(r'<figure id="chart-(\w+)">(.*?)</figure>', page, flags=re.S)
    assert [key for key, _ in figures] == ["on_time", "monthly", "channels", "payment",
                                           "score"]
    assert all(body.count("<svg ") == 1 for _, body in figures)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # five charts on one page, no id twice


def test_html_in_english_and_charts_left_out_with_a_note() -> None:
    page = reports.to_html(fixed(("level",)), lang="en")
    assert '<html lang="en">' in page
    assert "ADMINISTRATIVE PROCEDURES HANDLED" in page
    assert "Reporting period: Q1 2026 (from 01/01/2026 to 31/03/2026)" in page
    assert "No monthly reports were given." in page
    assert "not grouped by agency" in page
    assert "On-time rate by level" in page
    assert page.count("<svg ") == 4  # every chart but the monthly trend


def test_html_is_the_same_every_time() -> None:
    assert reports.to_html(fixed(), monthly=monthly()) == reports.to_html(fixed(),
                                                                          monthly=monthly())


# ------------------------------------------------------------------------------------ CLI


def cli_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(["report", *argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


PERIOD = ("--from", "2026-01-01", "--to", "2026-01-31")


def test_cli_names_the_bad_argument_and_the_fix(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    assert cli_error(capsys, "--db", "mysql://x", *PERIOD) == (
        "dossierflow report: error: --db: 'mysql://x' is not a database URL; give "
        "sqlite:///path/to/file.db or postgresql://user@host/database")
    missing = tmp_path / "none.db"
    assert f"--db: there is no SQLite file at '{missing}'" in cli_error(
        capsys, "--db", f"sqlite:///{missing}", *PERIOD)
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    assert "--db: " in cli_error(capsys, "--db", f"sqlite:///{junk}", *PERIOD)
    assert not missing.exists()  # a report never creates a database
    assert cli_error(capsys, "--db", "sqlite:///x.db", "--from", "2026-13-01", "--to",
                     "2026-01-31").endswith(
        "--from: '2026-13-01' is not a date; write YYYY-MM-DD (e.g. 2026-01-31) or DD/MM/YYYY")
    assert "give --from before --to" in cli_error(
        capsys, "--db", "sqlite:///x.db", "--from", "2026-02-01", "--to", "2026-01-31")
    assert "--by: cannot group by 'town'; group by any of agency, level" in cli_error(
        capsys, "--db", "sqlite:///x.db", *PERIOD, "--by", "agency,town")
    assert "--catalogue: no file" in cli_error(
        capsys, "--db", "sqlite:///x.db", *PERIOD, "--catalogue", str(tmp_path / "c.json"))
    assert "-o: the folder" in cli_error(
        capsys, "--db", "sqlite:///x.db", *PERIOD, "-o", str(tmp_path / "no" / "r.html"))
    assert "invalid choice: 'pdf'" in cli_error(
        capsys, "--db", "sqlite:///x.db", *PERIOD, "--format", "pdf")
    assert "required: --from" in cli_error(capsys, "--db", "sqlite:///x.db", "--to",
                                           "2026-01-31")
