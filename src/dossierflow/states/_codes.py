"""Dossier codes (mã số hồ sơ): the number the one-stop system gives each dossier it receives,
as a value (:class:`DossierCode`), read from the text portals show
(:func:`parse_dossier_code`) and written (:func:`format_dossier_code`).

Decree 61/2018/NĐ-CP Art. 26 has the one-stop information system generate the code
automatically: the receiving agency's identifier, then the receipt date and the day's sequence
number. Three shapes are in use:

=====================  ==========================================  ==========================
shape                  text                                        legal basis
=====================  ==========================================  ==========================
``CIRCULAR_01_2018``   ``V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX``      Circular 01/2018/TT-VPCP
                       (``000.00.01.H29-240115-0001``)              Art. 19
``CIRCULAR_03_2025``   ``MX1X2.Y1Y2Y3.Z1Z2-YYMMDD-XXXX``           Circular 03/2025/TT-VPCP
                       (``H29.123.45-260310-0042``)                 Art. 13(1)
``CENTRALISED_2026``   ``MX1X2.Y1Y2Y3.Z1Z2-YYMMDD-AAXXXX``         Circular 03/2025/TT-VPCP
                       (``H29.123.45-260310-010042``)               Art. 13(3), added by
                                                                    Circular 04/2025/TT-VPCP
                                                                    Art. 23(2)
=====================  ==========================================  ==========================

What the texts say (confirmed):

- The agency's electronic ID (Decision 20/2020/QĐ-TTg Art. 4) is at most 35 characters:
  digits, capitals A-Z and dots between groups; its level-1 group ``MX1X2`` is a letter A-Y
  and two digits (``H29``), the **leftmost** group, each group to its right a level below.
  Circular 01/2018/TT-VPCP Art. 19 wrote the unit's code (Circular 10/2016/TT-BTTTT) with
  the level-1 group at the **right** (``38.98.H29``, ``000.00.01.H29``: the lower groups
  vary in number).
- ``YYMMDD`` is the receipt date, ``YY`` the last two digits of the year; ``XXXX`` the day's
  receipt sequence: four digits in Circular 01/2018, "at least 4", as many as the day's
  volume needs, in Circular 03/2025 Art. 13(3).
- Clause 3 (in force 25/01/2026, Circular 04/2025/TT-VPCP Art. 23(1)) applies to dossiers of
  procedures a competent authority assigned to a nationwide centralised public-service
  solution: ``AA`` is two digits taken from the electronic ID of the agency that owns the
  centralised system.

What is inferred, and how this module settles it:

- The text of clauses 1 and 2 of Art. 13 was not available; clause 1 is taken to be clause 3
  without ``AA`` (the shape Circular 04/2025 extends), and dossiers outside centralised
  services keep it (clause 3 is an addition).
- IDs written the old way are held to the same alphabet and length as electronic IDs.
- Which two digits of the owner's ID form ``AA`` is not said: it is configuration, given by
  the caller (``system=``), any two digits.
- Old and new shapes are told apart by where the level-1 group sits. An ID with a level-1
  group at both ends (a single group, ``H29``) reads the same either way; its shape is the
  one in force on the receipt date: Circular 01/2018's before 15/09/2025, when Circular
  03/2025/TT-VPCP took effect, Circular 03/2025's from then on.
- The last segment of a new-shape code, ``AAXXXX`` or ``XXXX``, has no separator: six digits
  or more are either a clause 3 code or a clause 1 sequence from 100,000. Callers that know
  the procedure's mode say so (``centralised=True`` or ``False``); otherwise a code received
  from 25/01/2026 with six digits or more is read as clause 3 (one agency receiving 100,000
  dossiers in a day is not a case to plan for) when the digits after ``AA`` are a sequence
  as it is written (below), and as clause 1 when they are not (``100000042``: ``0000042``
  is no written sequence) or the code is earlier.
- The Circular 01/2018 sequence is written with four digits, and with more from 10,000 a day
  rather than refused (nothing else could number those dossiers).
- A sequence is written with the fewest digits from four: ``0042``, ``10000``, never
  ``00042``; so a code has one text, and ``str(parse_dossier_code(text)) == text``.
"""

from __future__ import annotations

import datetime as dt
import enum
import re

import attrs

from dossierflow._errors import InvalidArgument

E_ID_LENGTH = 35
"""The longest electronic ID of an agency (Decision 20/2020/QĐ-TTg Art. 4)."""

_LEVEL1 = re.compile(r"[A-Y][0-9]{2}")
_E_ID_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.")
_SEQUENCE = re.compile(r"[0-9]+")
_DATE = re.compile(r"[0-9]{6}")
_SYSTEM = re.compile(r"[0-9]{2}")
_BASIS = {
    "CIRCULAR_01_2018": "Circular 01/2018/TT-VPCP Art. 19",
    "CIRCULAR_03_2025": "Circular 03/2025/TT-VPCP Art. 13(1)",
    "CENTRALISED_2026": "Circular 03/2025/TT-VPCP Art. 13(3), added by Circular "
                        "04/2025/TT-VPCP Art. 23(2)",
}
_NEW = dt.date(2025, 9, 15)
"""The day Circular 03/2025/TT-VPCP took effect: from then on an ID with a level-1 group at
both ends is read in its shape."""
_CENTRALISED = dt.date(2026, 1, 25)
"""The day Circular 04/2025/TT-VPCP took effect (its Art. 23(1)), adding clause 3."""
_SINCE = {"CIRCULAR_01_2018": None, "CIRCULAR_03_2025": _NEW,
          "CENTRALISED_2026": _CENTRALISED}


class CodeShape(enum.Enum):
    """The layout of a dossier code, by the text that defines it."""

    CIRCULAR_01_2018 = "circular_01_2018"
    """``V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX``: the level-1 group at the right of the unit's
    code (``38.98.H29-210519-0013``)."""
    CIRCULAR_03_2025 = "circular_03_2025"
    """``MX1X2.Y1Y2Y3.Z1Z2-YYMMDD-XXXX``: the electronic ID, level-1 group first
    (``H29.123.45-260310-0042``)."""
    CENTRALISED_2026 = "centralised_2026"
    """``MX1X2.Y1Y2Y3.Z1Z2-YYMMDD-AAXXXX``: dossiers of nationwide centralised services,
    ``AA`` naming the system that owns the service (``H29.123.45-260310-010042``)."""

    @property
    def legal_basis(self) -> str:
        """The article that defines the shape."""
        return _BASIS[self.name]

    @property
    def since(self) -> dt.date | None:
        """The first receipt date the shape applies to (None: before any code this library
        reads)."""
        return _SINCE[self.name]


def _agency_problem(agency: object) -> str | None:
    """Why ``agency`` is not an agency's electronic ID, or None."""
    if not isinstance(agency, str):
        return f"must be text (an electronic ID such as 'H29.123.45'), got {agency!r:.80}"
    if not agency:
        return "is empty; give the agency's electronic ID, such as 'H29.123.45'"
    if len(agency) > E_ID_LENGTH:
        return (f"{agency!r:.80} is {len(agency)} characters long; an electronic ID has at most "
                f"{E_ID_LENGTH} (Decision 20/2020/QĐ-TTg Art. 4)")
    wrong = sorted(set(agency) - _E_ID_CHARACTERS)
    if wrong:
        fix = ""
        if agency.upper() != agency and not set(agency.upper()) - _E_ID_CHARACTERS:
            fix = f"; write it in capitals: {agency.upper()!r}"
        return (f"{agency!r} contains {', '.join(repr(c) for c in wrong)}; an electronic ID is "
                "capital letters A-Z and digits, in groups separated by dots (Decision "
                f"20/2020/QĐ-TTg Art. 4){fix}")
    if "" in agency.split("."):
        return (f"{agency!r} has an empty group (a dot at an end, or two dots together); "
                "groups are separated by single dots")
    first, last = _ends(agency)
    if not (first or last):
        return (f"{agency!r} has no level-1 group (a letter A-Y and two digits, such as "
                "'H29') at either end: Circular 03/2025/TT-VPCP writes it first "
                "('H29.123.45'), Circular 01/2018/TT-VPCP last ('000.00.01.H29')")
    return None


def _ends(agency: str) -> tuple[bool, bool]:
    """Whether the first and the last group of ``agency`` are level-1 groups."""
    groups = agency.split(".")
    return (_LEVEL1.fullmatch(groups[0]) is not None,
            _LEVEL1.fullmatch(groups[-1]) is not None)


def _received_problem(received: object) -> str | None:
    """Why ``received`` is not a receipt date a code can carry, or None."""
    if isinstance(received, dt.datetime) or not isinstance(received, dt.date):
        return (f"must be a calendar date (datetime.date), got {received!r:.80}; take an "
                "instant's date in the office's time zone, e.g. "
                "at.astimezone(ZoneInfo('Asia/Ho_Chi_Minh')).date()")
    if not 2000 <= received.year <= 2099:
        return (f"{received.isoformat()} is outside 2000-2099, which YYMMDD (the year's last "
                "two digits) can write")
    return None


def _default_shape(agency: str, received: dt.date, system: str | None) -> CodeShape:
    """The shape of a code from the position of the ID's level-1 group: its left end for
    Circular 03/2025, its right end for Circular 01/2018, either (both ends) by the receipt
    date; with ``system``, the centralised one."""
    first, last = _ends(agency)
    if system is not None:
        return CodeShape.CENTRALISED_2026
    if first and (not last or received >= _NEW):
        return CodeShape.CIRCULAR_03_2025
    return CodeShape.CIRCULAR_01_2018


def _shape_problem(agency: str, received: dt.date, system: str | None,
                   shape: object) -> str | None:
    """Why ``shape`` does not fit the other fields, or None."""
    if not isinstance(shape, CodeShape):
        return f"shape must be a CodeShape, got {shape!r:.80}"
    first, last = _ends(agency)
    if shape is CodeShape.CIRCULAR_01_2018 and not last:
        return (f"shape CIRCULAR_01_2018 needs the level-1 group at the right of the ID "
                f"('000.00.01.H29'); {agency!r} begins with it (Circular 03/2025/TT-VPCP)")
    if shape is not CodeShape.CIRCULAR_01_2018 and not first:
        what = f"a centralised code (system={system!r})" if system is not None else \
            f"shape {shape.name}"
        return (f"{what} writes the ID with its level-1 group first ('H29.123.45', Circular "
                f"03/2025/TT-VPCP Art. 13); {agency!r} ends with it (the Circular "
                "01/2018/TT-VPCP shape)")
    if shape is CodeShape.CENTRALISED_2026:
        if system is None:
            return ("shape CENTRALISED_2026 needs system=, the two digits of the agency that "
                    "owns the centralised service (Circular 03/2025/TT-VPCP Art. 13(3)(c))")
        if received < _CENTRALISED:
            return (f"a centralised code (with system={system!r}) applies to dossiers "
                    "received from 25/01/2026 (Circular 04/2025/TT-VPCP Art. 23(1)); "
                    f"{received.isoformat()} is earlier")
    elif system is not None:
        return (f"system={system!r} belongs to the centralised shape only (Circular "
                f"03/2025/TT-VPCP Art. 13(3)); the shape is {shape.name}")
    return None


@attrs.frozen
class DossierCode:
    """A dossier code: the receiving (handling) agency's electronic ID, the receipt date, the
    day's sequence number from 1 and, for nationwide centralised services, the two digits
    (``system``, ``AA``) of the agency that owns the service's system. ``str(code)`` is the
    code as portals show it, the sequence written with at least four digits.

    ``shape`` follows from the others when not given (see the module's notes); a shape given
    must fit them. Every field is checked when the code is built (:class:`InvalidArgument`)."""

    agency: str
    received: dt.date
    sequence: int
    system: str | None = None
    shape: CodeShape = attrs.field()

    @shape.default
    def _shape(self) -> CodeShape:
        self._check_fields()
        return _default_shape(self.agency, self.received, self.system)

    def __attrs_post_init__(self) -> None:
        self._check_fields()
        problem = _shape_problem(self.agency, self.received, self.system, self.shape)
        if problem is not None:
            raise InvalidArgument(problem)

    def _check_fields(self) -> None:
        for name, problem in (("agency", _agency_problem(self.agency)),
                              ("received", _received_problem(self.received)),
                              ("sequence", _sequence_problem(self.sequence)),
                              ("system", _system_problem(self.system))):
            if problem is not None:
                raise InvalidArgument(f"{name} {problem}")

    @property
    def centralised(self) -> bool:
        """Whether the code is a nationwide centralised service's (it carries ``system``)."""
        return self.system is not None

    def __str__(self) -> str:
        return f"{self.agency}-{self.received:%y%m%d}-{self.system or ''}{self.sequence:04d}"


def _sequence_problem(sequence: object) -> str | None:
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        return f"must be a whole number from 1, got {sequence!r:.80}"
    if sequence < 1:
        return f"is {sequence}; the day's sequence starts at 1"
    return None


def _system_problem(system: object) -> str | None:
    if system is not None and not (isinstance(system, str) and _SYSTEM.fullmatch(system)):
        return (f"must be None or exactly two digits (AA: from the electronic ID of the "
                f"agency that owns the centralised system, such as '01'), got {system!r:.80}")
    return None


def _written(digits: str) -> bool:
    """Whether ``digits`` is a sequence as it is written: from 1, with the fewest digits from
    four."""
    return len(digits) >= 4 and int(digits) > 0 and (len(digits) == 4 or digits[0] != "0")


def format_dossier_code(agency: str, received: dt.date, sequence: int, *,
                        system: str | None = None) -> str:
    """The code of the ``sequence``-th dossier ``agency`` (its electronic ID) received on
    ``received``; with ``system`` (two digits), the code of a nationwide centralised service
    (Circular 03/2025/TT-VPCP Art. 13(3), from 25/01/2026).

    ``format_dossier_code("H29.123.45", date(2026, 3, 10), 42)`` is
    ``"H29.123.45-260310-0042"``. :class:`InvalidArgument` names the argument that does not
    fit."""
    return str(DossierCode(agency, received, sequence, system))


def parse_dossier_code(text: str, *, centralised: bool | None = None) -> DossierCode:
    """The :class:`DossierCode` ``text`` writes, in any of the three shapes.

    ``centralised`` says how to read the last segment of a code whose ID begins with its
    level-1 group: ``True``, ``AA`` then the sequence (Circular 03/2025/TT-VPCP Art. 13(3));
    ``False``, the sequence alone (Art. 13(1)); ``None``, the first when the code was
    received from 25/01/2026, the segment has six digits or more and what follows ``AA`` is a
    sequence as it is written (``0042``, ``10000``; not ``00042``), else the second. Codes of
    the Circular 01/2018 shape have no ``AA``.

    :class:`InvalidArgument` quotes ``text`` and says what is wrong and how to write it."""
    if centralised is not None and not isinstance(centralised, bool):
        raise InvalidArgument(f"centralised must be True, False or None, got {centralised!r}")
    if not isinstance(text, str):
        raise InvalidArgument(f"a dossier code must be text, got {text!r:.80}")

    def bad(problem: str) -> InvalidArgument:
        return InvalidArgument(f"dossier code {text!r:.120}: {problem}")

    if text != text.strip():
        raise bad("has spaces around it; strip them")
    parts = text.split("-")
    if len(parts) != 3:
        raise bad(f"a code is three parts separated by '-' (electronic ID, receipt date "
                  f"YYMMDD, sequence), got {len(parts)}")
    agency, day, tail = parts
    problem = _agency_problem(agency)
    if problem is not None:
        raise bad(f"the agency's electronic ID {problem}")
    if not _DATE.fullmatch(day):
        raise bad(f"the receipt date {day!r} must be six digits, YYMMDD")
    try:
        received = dt.date(2000 + int(day[:2]), int(day[2:4]), int(day[4:]))
    except ValueError:
        raise bad(f"the receipt date {day} is not a date (YYMMDD: 20{day[:2]}-{day[2:4]}-"
                  f"{day[4:]} does not exist)") from None
    if not _SEQUENCE.fullmatch(tail):
        raise bad(f"the sequence {tail!r} must be digits")
    shape = _default_shape(agency, received, None)
    system = None
    if shape is CodeShape.CIRCULAR_01_2018:
        if centralised:
            raise bad(f"centralised=True, but {agency!r} ends with its level-1 group (the "
                      "Circular 01/2018/TT-VPCP shape); a centralised code's ID begins with "
                      "it (Circular 03/2025/TT-VPCP Art. 13(3))")
    elif centralised or (centralised is None and received >= _CENTRALISED and len(tail) >= 6
                         and _written(tail[2:])):
        if received < _CENTRALISED:
            raise bad(f"centralised=True, but centralised codes apply to dossiers received "
                      f"from 25/01/2026 (Circular 04/2025/TT-VPCP Art. 23(1)); {day} is earlier")
        if len(tail) < 6:
            raise bad(f"centralised=True, but the last segment {tail!r} has {len(tail)} "
                      "digits; a centralised code writes AA (two digits) then a sequence of "
                      "at least four (Circular 03/2025/TT-VPCP Art. 13(3))")
        system, tail = tail[:2], tail[2:]
        shape = CodeShape.CENTRALISED_2026
    if len(tail) < 4:
        raise bad(f"the sequence {tail!r} has {len(tail)} digit{'s' if len(tail) != 1 else ''}; "
                  f"it is written with at least four ({tail.zfill(4)})")
    sequence = int(tail)
    if sequence == 0:
        raise bad(f"the sequence {tail} is zero; the day's sequence starts at 1 (0001)")
    if len(tail) > 4 and tail[0] == "0":
        hint = ""
        if shape is CodeShape.CIRCULAR_03_2025 and received < _CENTRALISED:
            hint = ("; centralised codes (AA, then the sequence) apply from 25/01/2026 "
                    "(Circular 04/2025/TT-VPCP Art. 23(1))")
        elif shape is CodeShape.CIRCULAR_03_2025 and len(tail) >= 6 and _written(tail[2:]):
            hint = ("; if its first two digits are the owning system's AA, parse it with "
                    "centralised=True")
        raise bad(f"the sequence {tail} has a leading zero beyond four digits; it is written "
                  f"{sequence:04d}{hint}")
    return DossierCode(agency, received, sequence, system, shape)
