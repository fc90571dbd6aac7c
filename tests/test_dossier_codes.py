"""Dossier codes: the shapes of Circular 01/2018/TT-VPCP Art. 19 and Circular 03/2025/TT-VPCP
Art. 13 (clause 3 added by Circular 04/2025/TT-VPCP Art. 23(2)) parsed to their segments and
written back, every bad input refused with an error that says what and how; and the store's
daily sequence: 1, 2, 3... per agency, day and owning system, restarting every day, never a
number twice or skipped under concurrent allocation, on every backend."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import re
import sqlite3
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import assume, given
from hypothesis import strategies as st

from dossierflow import (
    ClockSkew,
    InvalidArgument,
    NaiveDatetimeError,
    StoreReadOnly,
    TransactionOpen,
)
from dossierflow.states import CodeShape, DossierCode, format_dossier_code, parse_dossier_code
from dossierflow.store import SCHEMA_VERSION, Store, create_schema, upgrade_schema
from dossierflow.store import _schema as tables
from tests.store_support import TZ, Spec, engine, open_store

OLD, NEW, CENTRAL = (CodeShape.CIRCULAR_01_2018, CodeShape.CIRCULAR_03_2025,
                     CodeShape.CENTRALISED_2026)
D = dt.date

# ------------------------------------------------------------------------- worked examples

EXAMPLES = [
    # A Hà Nội payment reference of 2021 and seed data of 2024 (Circular 01/2018 shape:
    # level-1 group at the right, lower groups omitted or shortened).
    ("38.98.H29-210519-0013", "38.98.H29", D(2021, 5, 19), 13, None, OLD),
    ("000.00.01.H29-240115-0001", "000.00.01.H29", D(2024, 1, 15), 1, None, OLD),
    # Circular 03/2025 Art. 13(1): the electronic ID, level-1 group first.
    ("H29.123.45-260310-0042", "H29.123.45", D(2026, 3, 10), 42, None, NEW),
    # Art. 13(3): AA = 01, then the sequence 0042.
    ("H29.123.45-260310-010042", "H29.123.45", D(2026, 3, 10), 42, "01", CENTRAL),
    # The sequence grows past four digits with the day's volume.
    ("H29.123.45-260310-0110000", "H29.123.45", D(2026, 3, 10), 10000, "01", CENTRAL),
    ("H29.123.45-260310-10042", "H29.123.45", D(2026, 3, 10), 10042, None, NEW),
    ("000.00.01.H29-240115-12345", "000.00.01.H29", D(2024, 1, 15), 12345, None, OLD),
    # Before clause 3 took effect six digits can only be a clause 1 sequence.
    ("H29.123.45-260124-100042", "H29.123.45", D(2026, 1, 24), 100042, None, NEW),
    ("H29.123.45-260125-100042", "H29.123.45", D(2026, 1, 25), 42, "10", CENTRAL),
    # "10" + "0000042" is no written sequence, nor "10" + "0000": the only reading is a
    # clause 1 sequence.
    ("H29.123.45-260310-100000042", "H29.123.45", D(2026, 3, 10), 100000042, None, NEW),
    ("H29.123.45-260310-100000", "H29.123.45", D(2026, 3, 10), 100000, None, NEW),
    # A single group is level 1 at both ends: the shape in force on the receipt date.
    ("H29-250914-0007", "H29", D(2025, 9, 14), 7, None, OLD),
    ("H29-250915-0007", "H29", D(2025, 9, 15), 7, None, NEW),
    ("G01.001.02-260401-0003", "G01.001.02", D(2026, 4, 1), 3, None, NEW),
]


@pytest.mark.parametrize(("text", "agency", "received", "sequence", "system", "shape"),
                         EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_worked_examples_parse_to_their_segments(text: str, agency: str, received: dt.date,
                                                 sequence: int, system: str | None,
                                                 shape: CodeShape) -> None:
    code = parse_dossier_code(text)
    assert (code.agency, code.received, code.sequence, code.system, code.shape) == (
        agency, received, sequence, system, shape)
    assert code.centralised is (system is not None)
    assert str(code) == text
    assert parse_dossier_code(str(code)) == code
    assert DossierCode(agency, received, sequence, system) == code  # the same shape rule
    assert format_dossier_code(agency, received, sequence, system=system) == text


def test_the_caller_says_how_to_read_a_long_last_segment() -> None:
    text = "H29.123.45-260310-100042"
    assert parse_dossier_code(text).system == "10"  # the documented default
    clause1 = parse_dossier_code(text, centralised=False)
    assert (clause1.sequence, clause1.system, clause1.shape) == (100042, None, NEW)
    clause3 = parse_dossier_code(text, centralised=True)
    assert (clause3.sequence, clause3.system, clause3.shape) == (42, "10", CENTRAL)
    assert str(clause1) == str(clause3) == text
    # Codes of the old shape have no AA, whatever the caller says of the procedure.
    assert parse_dossier_code("000.00.01.H29-260310-100042", centralised=False).sequence \
        == 100042


def test_shapes_carry_their_legal_basis_and_start() -> None:
    assert OLD.legal_basis == "Circular 01/2018/TT-VPCP Art. 19"
    assert NEW.legal_basis == "Circular 03/2025/TT-VPCP Art. 13(1)"
    assert "Circular 04/2025/TT-VPCP Art. 23(2)" in CENTRAL.legal_basis
    assert (OLD.since, NEW.since, CENTRAL.since) == (None, D(2025, 9, 15), D(2026, 1, 25))


# ------------------------------------------------------------------------------ bad input

BAD = [
    ("H29.123.45-260230-0042", {}, "260230 is not a date.*2026-02-30 does not exist"),
    ("H29.123.45-261301-0042", {}, "261301 is not a date"),
    ("H29.123.45-2603-0042", {}, "'2603' must be six digits, YYMMDD"),
    ("H29.123.45-26031A-0042", {}, "must be six digits, YYMMDD"),
    ("h29.123.45-260310-0042", {}, r"contains 'h'.*Decision 20/2020/QĐ-TTg Art\. 4.*"
                                   r"write it in capitals: 'H29\.123\.45'"),
    ("H29_123-260310-0042", {}, "contains '_'; an electronic ID is capital letters"),
    ("H29.1Đ3-260310-0042", {}, "contains 'Đ'"),
    ("H29..45-260310-0042", {}, "has an empty group"),
    (".H29-260310-0042", {}, "has an empty group"),
    ("-260310-0042", {}, "electronic ID is empty"),
    ("H29." + "1" * 32 + "-260310-0042", {}, r"is 36 characters long; an electronic ID has "
                                              r"at most 35 \(Decision 20/2020/QĐ-TTg Art\. 4\)"),
    ("ABC.123.45-260310-0042", {}, r"no level-1 group \(a letter A-Y and two digits"),
    ("Z29.123.45-260310-0042", {}, "no level-1 group"),
    ("H29.123.45-260310-042", {}, r"the sequence '042' has 3 digits; it is written with at "
                                  r"least four \(0042\)"),
    ("H29.123.45-260310-7", {}, r"has 1 digit; it is written with at least four \(0007\)"),
    ("H29.123.45-260310-", {}, "the sequence '' must be digits"),
    ("H29.123.45-260310-0000", {}, r"is zero; the day's sequence starts at 1 \(0001\)"),
    ("H29.123.45-260310-010000", {"centralised": True}, "sequence 0000 is zero"),
    ("H29.123.45-260310-00042", {}, "leading zero beyond four digits; it is written 0042$"),
    ("H29.123.45-260310-0100042", {}, "it is written 100042$"),  # 01 + 00042 is no reading
    ("H29.123.45-260310-010042", {"centralised": False},
     "leading zero.*parse it with centralised=True"),
    ("H29.123.45-251210-010042", {}, r"leading zero.*apply from 25/01/2026"),
    ("H29.123.45-260310-0042", {"centralised": True},
     "has 4 digits; a centralised code writes AA"),
    ("H29.123.45-251210-010042", {"centralised": True},
     r"apply to dossiers received from 25/01/2026 \(Circular 04/2025/TT-VPCP Art\. 23\(1\)\)"),
    ("000.00.01.H29-260310-010042", {"centralised": True},
     "ends with its level-1 group.*a centralised code's ID begins with it"),
    ("H29.123.45-260310-0042-1", {}, "three parts separated by '-'.*got 4"),
    ("H29.123.45/260310/0042", {}, "three parts separated by '-'.*got 1"),
    (" H29.123.45-260310-0042", {}, "has spaces around it"),
    ("H29.123.45-260310-0042\n", {}, "has spaces around it"),
    ("H29.123.45-260310-00٤2", {}, "must be digits"),
]


@pytest.mark.parametrize(("text", "kw", "match"), BAD, ids=[b[0] + str(b[1]) for b in BAD])
def test_bad_codes_say_what_is_wrong_and_how_to_fix_it(text: str, kw: dict[str, Any],
                                                       match: str) -> None:
    with pytest.raises(InvalidArgument, match=match) as info:
        parse_dossier_code(text, **kw)
    assert str(info.value).startswith(f"dossier code {text!r}: ")  # names the input
    assert isinstance(info.value, ValueError)


def test_arguments_of_the_wrong_kind_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="must be text"):
        parse_dossier_code(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="centralised must be True, False or None"):
        parse_dossier_code("H29-260310-0001", centralised="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize(("args", "kw", "match"), [
    (("H29.123.45", D(2026, 3, 10), 0), {}, "sequence is 0; the day's sequence starts at 1"),
    (("H29.123.45", D(2026, 3, 10), -3), {}, "sequence is -3"),
    (("H29.123.45", D(2026, 3, 10), True), {}, "sequence must be a whole number from 1"),
    (("H29.123.45", D(2026, 3, 10), 4.0), {}, "sequence must be a whole number from 1"),
    (("H29.123.45", dt.datetime(2026, 3, 10, 9, tzinfo=TZ), 1), {},
     r"received must be a calendar date.*astimezone"),
    (("H29.123.45", "260310", 1), {}, "received must be a calendar date"),
    (("H29.123.45", D(1999, 12, 31), 1), {}, "outside 2000-2099"),
    (("H29.123.45", D(2100, 1, 1), 1), {}, "outside 2000-2099"),
    (("h29", D(2026, 3, 10), 1), {}, "agency 'h29' contains 'h'"),
    ((None, D(2026, 3, 10), 1), {}, "agency must be text"),
    (("H29.123.45", D(2026, 3, 10), 1), {"system": "1"}, "system must be None or exactly two"),
    (("H29.123.45", D(2026, 3, 10), 1), {"system": 1}, "system must be None or exactly two"),
    (("H29.123.45", D(2026, 3, 10), 1), {"system": "０１"}, "exactly two digits"),
    (("H29.123.45", D(2026, 1, 24), 1), {"system": "01"},
     r"applies to dossiers received from 25/01/2026.*2026-01-24 is earlier"),
    (("000.00.01.H29", D(2026, 3, 10), 1), {"system": "01"},
     r"a centralised code \(system='01'\) writes the ID with its level-1 group first"),
])
def test_formatting_checks_every_argument(args: tuple[Any, ...], kw: dict[str, Any],
                                          match: str) -> None:
    with pytest.raises(InvalidArgument, match=match):
        format_dossier_code(*args, **kw)


def test_a_code_built_by_hand_is_checked_too() -> None:
    with pytest.raises(InvalidArgument, match="CIRCULAR_01_2018 needs the level-1 group at "
                                              "the right"):
        DossierCode("H29.123.45", D(2026, 3, 10), 1, shape=OLD)
    with pytest.raises(InvalidArgument, match="CIRCULAR_03_2025 writes the ID with its "
                                              "level-1 group first"):
        DossierCode("000.00.01.H29", D(2026, 3, 10), 1, shape=NEW)
    with pytest.raises(InvalidArgument, match="CENTRALISED_2026 needs system="):
        DossierCode("H29.123.45", D(2026, 3, 10), 1, shape=CENTRAL)
    with pytest.raises(InvalidArgument, match="belongs to the centralised shape only"):
        DossierCode("H29.123.45", D(2026, 3, 10), 1, "01", NEW)
    with pytest.raises(InvalidArgument, match="shape must be a CodeShape"):
        DossierCode("H29.123.45", D(2026, 3, 10), 1, None, "circular_03_2025")  # type: ignore[arg-type]
    # An ID with a level-1 group at both ends fits either shape; the text is the same.
    old = DossierCode("H29", D(2026, 3, 10), 1, shape=OLD)
    assert str(old) == str(DossierCode("H29", D(2026, 3, 10), 1)) == "H29-260310-0001"


# ------------------------------------------------------------------------------ properties

GROUP = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=6)
LEVEL1 = st.builds(lambda m, x: f"{m}{x:02d}", st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXY"),
                   st.integers(0, 99))


@st.composite
def agencies(draw: st.DrawFn) -> str:
    level1 = draw(LEVEL1)
    lower = draw(st.lists(GROUP, max_size=5))
    groups = [level1, *lower] if draw(st.booleans()) else [*lower, level1]
    agency = ".".join(groups)
    assume(len(agency) <= 35)
    return agency


@st.composite
def codes(draw: st.DrawFn) -> DossierCode:
    agency = draw(agencies())
    received = draw(st.dates(D(2000, 1, 1), D(2099, 12, 31)))
    sequence = draw(st.integers(1, 9999) | st.integers(1, 10**12))
    system = None
    if re.match(r"[A-Y][0-9]{2}(\.|$)", agency) and received >= D(2026, 1, 25) and \
            draw(st.booleans()):
        system = draw(st.from_regex(r"[0-9]{2}", fullmatch=True))
    return DossierCode(agency, received, sequence, system)


@given(codes())
def test_parsing_a_formatted_code_gives_it_back(code: DossierCode) -> None:
    text = str(code)
    assert format_dossier_code(code.agency, code.received, code.sequence,
                               system=code.system) == text
    assert parse_dossier_code(text, centralised=code.centralised) == code
    tail = text.rsplit("-", 1)[1]
    if code.shape is NEW and code.received >= D(2026, 1, 25) and len(tail) >= 6 and \
            int(tail[2:]) > 0 and (len(tail) == 6 or tail[2] != "0"):
        # A clause 1 sequence from 100,000 reads as AA + sequence unless the caller says,
        # when the digits after AA are a sequence as it is written.
        guessed = parse_dossier_code(text)
        assert (guessed.system, guessed.sequence) == (tail[:2], int(tail[2:]))
    else:
        assert parse_dossier_code(text) == code
    assert re.fullmatch(r"[A-Z0-9.]+-[0-9]{6}-[0-9]{4,}", text)


@given(st.from_regex(r"[A-Z0-9.]{1,14}-[0-9]{6}-[0-9]{1,9}", fullmatch=True)
       | st.text("H29.123.450-6x Y", max_size=30), st.sampled_from([None, True, False]))
def test_a_code_has_one_text(text: str, centralised: bool | None) -> None:
    try:
        code = parse_dossier_code(text, centralised=centralised)
    except InvalidArgument as exc:
        error = str(exc)
    else:
        assert str(code) == text
        return
    assert error.startswith(f"dossier code {text!r}")


# --------------------------------------------------------------------------- the generator


def test_the_sequence_counts_per_agency_per_day(store_spec: Spec, opened: Any) -> None:
    store = opened()
    day = D(2026, 3, 10)
    assert [store.next_dossier_code("H29.123.45", day) for _ in range(3)] == [
        "H29.123.45-260310-0001", "H29.123.45-260310-0002", "H29.123.45-260310-0003"]
    # Another agency, another day, a centralised system: each its own sequence.
    assert store.next_dossier_code("H29.123.46", day) == "H29.123.46-260310-0001"
    assert store.next_dossier_code("H29.123.45", D(2026, 3, 11)) == "H29.123.45-260311-0001"
    assert store.next_dossier_code("H29.123.45", day, system="01") == \
        "H29.123.45-260310-010001"
    assert store.next_dossier_code("H29.123.45", day, system="02") == \
        "H29.123.45-260310-020001"
    assert store.next_dossier_code("000.00.01.H29", day) == "000.00.01.H29-260310-0001"
    assert store.next_dossier_code("H29.123.45", day) == "H29.123.45-260310-0004"
    # An instant counts on its local date: 17:30 UTC on the 9th is 00:30 on the 10th in Hà Nội.
    assert store.next_dossier_code(
        "H29.123.45", dt.datetime(2026, 3, 9, 17, 30, tzinfo=dt.UTC)) == \
        "H29.123.45-260310-0005"
    assert store.next_dossier_code(
        "H29.123.45", dt.datetime(2026, 3, 10, 16, 59, tzinfo=dt.UTC)) == \
        "H29.123.45-260310-0006"
    assert store.next_dossier_code(
        "H29.123.45", dt.datetime(2026, 3, 10, 17, 0, tzinfo=dt.UTC)) == \
        "H29.123.45-260311-0002"
    # A code is a dossier id: file with it.
    from dossierflow.states import Channel, Citizen, File

    ident = store.next_dossier_code("H29.123.45", day)
    store.file(File(ident, "2.000815", Channel.ONLINE),
               at=dt.datetime(2026, 3, 10, 9, tzinfo=TZ), actor=Citizen("079123456789"))
    assert parse_dossier_code(store.load(ident).id).sequence == 7


def test_bad_arguments_are_refused_before_any_query(store_spec: Spec, opened: Any) -> None:
    store = opened()
    with pytest.raises(NaiveDatetimeError, match="on="):
        store.next_dossier_code("H29.123.45", dt.datetime(2026, 3, 10, 9))
    with pytest.raises(InvalidArgument, match="on must be the receipt date"):
        store.next_dossier_code("H29.123.45", "2026-03-10")
    with pytest.raises(InvalidArgument, match="agency 'h29' contains 'h'"):
        store.next_dossier_code("h29", D(2026, 3, 10))
    with pytest.raises(InvalidArgument, match="at most 35"):
        store.next_dossier_code("H29." + "1" * 40, D(2026, 3, 10))
    with pytest.raises(InvalidArgument, match="system must be None or exactly two digits"):
        store.next_dossier_code("H29.123.45", D(2026, 3, 10), system="1")
    with pytest.raises(InvalidArgument, match="from 25/01/2026"):
        store.next_dossier_code("H29.123.45", D(2026, 1, 24), system="01")
    with store.db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(
            tables.code_sequences)).scalar_one() == 0


def test_a_day_ahead_of_the_server_clock_is_refused(store_spec: Spec, opened: Any) -> None:
    store = opened()
    later = dt.datetime.now(TZ).date() + dt.timedelta(days=2)
    with pytest.raises(ClockSkew):
        store.next_dossier_code("H29.123.45", later)
    with pytest.raises(ClockSkew):
        store.next_dossier_code("H29.123.45", dt.datetime.combine(later, dt.time(9), TZ))
    imports = opened(clock_tolerance=None)  # old records entered with their own dates
    assert imports.next_dossier_code("H29.123.45", later).endswith("-0001")


def test_in_the_filing_transaction_a_rollback_gives_the_number_back(store_spec: Spec,
                                                                    opened: Any) -> None:
    store = opened()
    day = D(2026, 3, 10)
    with store.db.begin() as conn:
        assert store.next_dossier_code("H29.123.45", day, connection=conn).endswith("-0001")
        with pytest.raises(TransactionOpen, match="next_dossier_code"):
            store.next_dossier_code("H29.123.45", day)
        conn.rollback()
    with store.db.begin() as conn:
        assert store.next_dossier_code("H29.123.45", day, connection=conn).endswith("-0001")
        assert store.next_dossier_code("H29.123.45", day, connection=conn).endswith("-0002")
    assert store.next_dossier_code("H29.123.45", day).endswith("-0003")


def test_a_read_only_database_refuses_codes(store_spec: Spec, opened: Any) -> None:
    backend, where, schema = store_spec
    if backend == "memory":
        pytest.skip("an in-memory database is never read-only")
    store = opened()
    assert store.next_dossier_code("H29.123.45", D(2026, 3, 10)).endswith("-0001")
    if backend == "sqlite":
        store.close()
        ro = sa.create_engine("sqlite://", poolclass=sa.pool.NullPool,
                              creator=lambda: sqlite3.connect(f"file:{where}?mode=ro", uri=True,
                                                              check_same_thread=False))
        readonly = Store(ro, engine(), create=False)
    else:
        readonly = Store.postgresql(
            where, engine(), schema=schema, create=False,
            engine_options={"connect_args": {"options": "-c default_transaction_read_only=on"}})
    try:
        with pytest.raises(StoreReadOnly, match="refuses writes"):
            readonly.next_dossier_code("H29.123.45", D(2026, 3, 10))
    finally:
        readonly.close()
    assert opened().next_dossier_code("H29.123.45", D(2026, 3, 10)).endswith("-0002")


@pytest.mark.parametrize("store_spec", ["postgresql"], indirect=True)
def test_a_lost_postgresql_connection_is_retried_once(store_spec: Spec, opened: Any) -> None:
    store = opened()
    assert store.next_dossier_code("H29.123.45", D(2026, 3, 10)).endswith("-0001")
    with store.db.connect() as conn:  # the pooled connection the store allocates on
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    admin = sa.create_engine(store_spec[1].replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    assert store.next_dossier_code("H29.123.45", D(2026, 3, 10)).endswith("-0002")


def test_other_databases_are_told_what_codes_need() -> None:
    from sqlalchemy.dialects import mysql

    from dossierflow import StoreError
    from dossierflow.store._sequences import Sequences

    with pytest.raises(StoreError, match="need PostgreSQL or SQLite"):
        Sequences(mysql.dialect()).check()


# ---------------------------------------------------------------------------- concurrency

STORES, THREADS, EACH = 3, 4, 40  # 3 stores x 4 threads = 12 threads, 40 codes each: 480


def _sequences(codes: list[str]) -> list[int]:
    return [parse_dossier_code(c).sequence for c in codes]


def _allocate_at_once(stores: list[Store], agencies: tuple[str, ...]) -> dict[str, list[int]]:
    """Every store's ``THREADS`` threads allocate ``EACH`` codes at once, cycling through
    ``agencies``; returns each agency's numbers (each thread's in the order it got them,
    which must increase)."""
    barrier = threading.Barrier(len(stores) * THREADS)
    got: list[list[str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(store: Store, k: int) -> None:
        try:
            barrier.wait()
            mine = [store.next_dossier_code(agencies[(k + i) % len(agencies)],
                                            D(2026, 3, 10)) for i in range(EACH)]
            with lock:
                got.append(mine)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(store, k))
               for store in stores for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers: dict[str, list[int]] = {a: [] for a in agencies}
    for mine in got:
        for agency in agencies:
            own = _sequences([c for c in mine if c.startswith(agency + "-")])
            assert own == sorted(set(own))  # increasing: none given twice
            numbers[agency] += own
    return numbers


@pytest.mark.parametrize("store_spec", ["sqlite", "postgresql"], indirect=True)
def test_concurrent_allocations_are_distinct_and_gap_free(store_spec: Spec,
                                                          opened: Any) -> None:
    stores = [opened() for _ in range(STORES)]  # separate pools: separate connections
    numbers = _allocate_at_once(stores, ("H29.123.45",))
    assert sorted(numbers["H29.123.45"]) == list(range(1, STORES * THREADS * EACH + 1))
    # Two agencies at once: each has its own sequence, still gap-free.
    numbers = _allocate_at_once(stores, ("H29.123.46", "H29.123.47"))
    for agency in ("H29.123.46", "H29.123.47"):
        assert sorted(numbers[agency]) == list(range(1, STORES * THREADS * EACH // 2 + 1))


@pytest.mark.parametrize("store_spec", ["sqlite"], indirect=True)
def test_sqlite_without_returning_reads_the_number_back_under_the_lock(
        store_spec: Spec, opened: Any) -> None:
    """SQLite before 3.35 has no RETURNING: the upsert, then a read in the same
    BEGIN IMMEDIATE transaction."""
    stores = [opened() for _ in range(STORES)]
    for store in stores:
        store._sequences.returning = False
    numbers = _allocate_at_once(stores, ("H29.123.45",))
    assert sorted(numbers["H29.123.45"]) == list(range(1, STORES * THREADS * EACH + 1))


PROCESSES, PER_PROCESS = 4, 100
FORK = multiprocessing.get_context("fork")


def _allocator(spec: Spec, out: Any) -> None:
    store = open_store(spec, create=False)
    out.put([store.next_dossier_code("H29.123.45", D(2026, 3, 10))
             for _ in range(PER_PROCESS)])
    store.close()


@pytest.mark.slow
@pytest.mark.parametrize("store_spec", ["sqlite", "postgresql"], indirect=True)
def test_processes_allocating_at_once_share_one_sequence(store_spec: Spec) -> None:
    store = open_store(store_spec)  # the tables exist before the processes start
    out = FORK.Queue()
    procs = [FORK.Process(target=_allocator, args=(store_spec, out)) for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    got = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for mine in got:
        assert _sequences(mine) == sorted(_sequences(mine))
    assert sorted(n for mine in got for n in _sequences(mine)) == list(
        range(1, PROCESSES * PER_PROCESS + 1))
    store.close()


# ------------------------------------------------------------------------------- schema 5


def test_a_schema_4_database_gains_the_sequences_when_opened(store_spec: Spec,
                                                             opened: Any) -> None:
    store = opened()
    name = "df_code_sequences" if store_spec[2] is None else f"{store_spec[2]}.df_code_sequences"
    with store.db.begin() as conn:  # back to what dossierflow wrote at schema 4
        conn.execute(sa.text(f"DROP TABLE {name}"))
        conn.execute(sa.update(tables.meta).where(tables.meta.c.key == "schema_version")
                     .values(value="4"))
    if store_spec[0] == "memory":
        create_schema(store.db)  # what opening the database does
        reopened = store
    else:
        reopened = opened()
    with reopened.db.connect() as conn:
        assert conn.execute(sa.select(tables.meta.c.value).where(
            tables.meta.c.key == "schema_version")).scalar_one() == str(SCHEMA_VERSION) == "7"
        assert conn.execute(sa.select(tables.meta.c.value).where(
            tables.meta.c.key == tables.STALE)).scalar() is None  # nothing to rebuild
    assert reopened.next_dossier_code("H29.123.45", D(2026, 3, 10)).endswith("-0001")


def test_upgrading_from_4_creates_the_table_in_an_application_migration(
        store_spec: Spec, opened: Any) -> None:
    store = opened()
    name = "df_code_sequences" if store_spec[2] is None else f"{store_spec[2]}.df_code_sequences"
    with store.db.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {name}"))
        upgrade_schema(conn, 4)  # no create_all before it, as in an Alembic migration
        assert "df_code_sequences" in sa.inspect(conn).get_table_names(schema=store_spec[2])
    assert store.next_dossier_code("H29.123.45", D(2026, 3, 10)).endswith("-0001")
