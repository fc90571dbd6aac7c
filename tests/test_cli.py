"""The command line: ``python -m dossierflow calendar YEAR``, ``--version`` and pipes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from dossierflow import __version__
from dossierflow.__main__ import main
from dossierflow.calendar import vietnam


def calendar_text(capsys: pytest.CaptureFixture[str], year: int) -> str:
    assert main(["calendar", str(year)]) == 0
    return capsys.readouterr().out


def count_working_days(year: int) -> int:
    cal, day, n = vietnam(), dt.date(year, 1, 1), 0
    while day.year == year:
        n += cal.is_working_day(day)
        day += dt.timedelta(days=1)
    return n


@pytest.mark.parametrize("year", [2000, 2026, 2099])
def test_calendar_counts_the_years_working_days_without_leaving_the_calendar(
    capsys: pytest.CaptureFixture[str], year: int
) -> None:
    # 2099 is the calendar's last year: 1 January 2100 is outside it.
    out = calendar_text(capsys, year)
    assert f"Working days in {year}: {count_working_days(year)}\n" in out


@pytest.mark.parametrize("year", [2030, 2031])
def test_office_hours_shown_when_2_march_is_a_weekend(
    capsys: pytest.CaptureFixture[str], year: int
) -> None:
    assert dt.date(year, 3, 2).weekday() >= 5
    out = calendar_text(capsys, year)
    assert "office hours 08:00-12:00, 13:00-17:00 (" in out


@pytest.mark.parametrize("year", [2000, 2026, 2031, 2099])
def test_example_deadlines_are_in_the_requested_year(
    capsys: pytest.CaptureFixture[str], year: int
) -> None:
    out = calendar_text(capsys, year).split("A few deadlines\n")[1]
    years = {int(word[:4]) for word in out.replace("(", " ").split()
             if len(word) == 10 and word[4] == "-" and word[:4].isdigit()}
    years |= {int(word) for word in out.split() if len(word) == 4 and word.isdigit()}
    assert years == {year}


def test_example_deadlines_2026() -> None:
    out = subprocess.run([sys.executable, "-m", "dossierflow", "calendar", "2026"],
                         capture_output=True, text=True, check=True).stdout
    # Tết Bính Ngọ: offices closed Sat 14 to Sun 22 February 2026 (Notice 9441/TB-BNV).
    assert ("received Fri 13 Feb 2026 10:00 (the last working day before the Tết break)\n"
            "    clock starts Fri 2026-02-13 10:00, due Wed 2026-02-25 10:00") in out
    # National Day: 29 August to 2 September, Monday 31 August swapped for Saturday 22 August.
    assert ("received 15:00 on Fri 28 Aug 2026 (the last working day before National Day, "
            "2 September)\n    clock starts Fri 2026-08-28 15:00, due Thu 2026-09-03 10:00") in out
    # 1 January, then the 2 January swap; Saturday 10 January is worked.
    assert ("20 working days from Thu 2026-01-01: Fri 2026-01-30 (skips 2 days off on "
            "weekdays, counts 1 day worked at a weekend)") in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"dossierflow {__version__}\n"


@pytest.mark.parametrize("command", [["calendar", "2026"], ["demo"]])
def test_a_reader_that_goes_away_gets_no_traceback(command: list[str]) -> None:
    # As ``python -m dossierflow calendar 2026 | head -1``: the pipe is closed after one line.
    # Unbuffered, so that the first line is written alone; the rest may or may not reach the
    # pipe before it closes (the next test closes it for certain).
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "dossierflow", *command],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    assert proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.wait(timeout=60)
    assert first.startswith(b"Vietnam civil-service calendar 2026" if command[0] == "calendar"
                            else b"dossierflow demo")
    assert "Traceback" not in err
    assert err == ""


@pytest.mark.parametrize("command", [["calendar", "2026"], ["demo"], ["calendar", "2099"]])
def test_a_reader_gone_before_the_first_line_gets_no_traceback(command: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE (Python ignores SIGPIPE)
    try:
        proc = subprocess.run([sys.executable, "-m", "dossierflow", *command],
                              stdout=write_end, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(write_end)
    assert proc.stderr.decode() == ""
    assert proc.returncode == 1  # as the Python docs' recipe exits
