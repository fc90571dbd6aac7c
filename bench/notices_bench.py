"""Notices, next to serialising the event they notify in the same run.

Builds dossiers on the Vietnamese catalogue as the form samples do (a land registration
received, asked to supplement, supplemented, late with an apology, resolved and returned; a
certified copy refused; a household business withdrawn), each at its own instant, and times
for every event that has a notice: :func:`dossierflow.notices.compose`, and the outbox
payload the store writes with the event (``with_notice``: the notice composed, then the
event's payload and the notice as one canonical JSON text). The anchor is what every saved
event pays whether it notifies or not: its payload serialised by ``json.dumps`` with the
store's arguments.

    python bench/notices_bench.py [--dossiers N]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import random
import sys
from typing import Any
from zoneinfo import ZoneInfo

from _timing import ratio, side_by_side
from dossierflow.calendar import vietnam
from dossierflow.catalogues import vietnam as vietnam_catalogue
from dossierflow.clock import Sla
from dossierflow.notices import compose, kind_of
from dossierflow.states import (
    SCHEMA_VERSION,
    Channel,
    Citizen,
    CompleteStep,
    Dossier,
    Engine,
    File,
    Officer,
    Outcome,
    PayFee,
    PaymentMethod,
    Receive,
    Refuse,
    RequestSupplement,
    ReturnResult,
    Supplement,
    Withdraw,
    event_to_dict,
)
from dossierflow.store._notices import with_notice

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DESK = Officer("Nguyễn Thị Hoa", "ubnd_xa", "one_stop")
LAND = Officer("Trần Văn Bình", "ubnd_xa", "land_officer")
REGISTRAR = Officer("Lê Minh Châu", "cn_vpdkdd", "registrar")
TAX = Officer("Phạm Quốc Dũng", "thue", "tax_officer")
CHAIRMAN = Officer("Hoàng Văn Em", "ubnd_xa", "chairman")


def dossiers(engine: Engine, sla: Sla, rng: random.Random, k: int) -> list[Dossier]:
    """Three dossiers as the form samples, numbered ``k``, up to 29 weeks later and some
    minutes apart."""
    later = dt.timedelta(weeks=k % 30, minutes=rng.randrange(20))

    def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
        return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ) + later

    def run(d: Dossier | None, command: Any, when: dt.datetime, actor: Any) -> Dossier:
        return engine.apply(d, command, at=when, actor=actor)[0]

    code = f"H29.123.45-{at(2, 9):%y%m%d}-{k:05d}"
    a = Citizen(f"0010850{k:05d}")
    d = run(None, File(code + "1", "1.012757", Channel.ONLINE, applicant=a.id), at(2, 9, 10), a)
    d = run(d, Receive(f"{k:04d}", documents=(
        "Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu số 04/ĐK)",
        "Giấy tờ về quyền sử dụng đất (bản sao)")), at(2, 9, 40), DESK)
    d = run(d, CompleteStep("verify", to_person=REGISTRAR.id), at(9, 15), LAND)
    d = run(d, RequestSupplement(("Bản vẽ sơ đồ tài sản gắn liền với đất",),
                                 "Hồ sơ thiếu sơ đồ nhà ở trên thửa đất"), at(10, 10), REGISTRAR)
    d = run(d, Supplement(("Bản vẽ sơ đồ tài sản gắn liền với đất",)), at(12, 14, 30), a)
    d = run(d, CompleteStep("register", to_person=TAX.id), at(19, 10, 15), REGISTRAR)
    late = at(3, 8, 0, month=4)
    apology = sla.apology(d, late, "Cơ quan thuế cần thêm thời gian xác định nghĩa vụ tài chính")
    d = run(d, apology, late, Officer(TAX.id, apology.agency, "tax_officer"))
    d = run(d, CompleteStep("assess_obligations", to_person=CHAIRMAN.id), at(6, 16, 0, 4), TAX)
    d = run(d, CompleteStep("sign", Outcome.APPROVE), at(8, 9, 30, month=4), CHAIRMAN)
    land = run(d, ReturnResult("in_person"), at(9, 14, 0, month=4), DESK)

    b = Citizen(f"0011900{k:05d}")
    d = run(None, File(code + "2", "2.000815", Channel.IN_PERSON, applicant=b.id),
            at(3, 10, 5), b)
    refused = run(d, Refuse("Bản chính xuất trình là bản đã bị tẩy xóa, sửa chữa nội dung"),
                  at(3, 10, 20), DESK)

    c = Citizen(f"0010780{k:05d}")
    d = run(None, File(code + "3", "2.000720", Channel.IN_PERSON, applicant=c.id),
            at(4, 8, 30), c)
    d = run(d, Receive(f"{k:04d}", documents=("Giấy đề nghị đăng ký hộ kinh doanh",)),
            at(4, 8, 45), DESK)
    d = run(d, PayFee(100_000, PaymentMethod.DESK), at(4, 8, 50), DESK)
    withdrawn = run(d, Withdraw("Người nộp hồ sơ đề nghị rút hồ sơ"), at(5, 9), c)
    return [land, refused, withdrawn]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=300,
                        help="dossiers of each of the three kinds")
    n = parser.parse_args().dossiers
    rng = random.Random(7)
    engine = Engine(vietnam_catalogue.catalogue(), calendar=vietnam())
    sla = Sla(engine)
    # (event, its stored payload, dossier, procedure, the clock's due right after it)
    cases: list[tuple[Any, dict[str, Any], Dossier, Any, dt.datetime | None]] = []
    for k in range(n):
        for d in dossiers(engine, sla, rng, k):
            procedure = engine.procedure_of(d)
            for seq, e in enumerate(d.history, 1):
                if kind_of(e) is not None:
                    due = sla.advance(None, d, d.history[:seq]).due
                    cases.append((e, {"schema": SCHEMA_VERSION, **event_to_dict(e)}, d,
                                  procedure, due))
    kinds = collections.Counter(type(e).__name__ for e, *_ in cases)
    timezone = sla.calendar.timezone

    def anchor() -> None:
        for _, data, *_ in cases:
            json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def composed() -> None:
        for e, _, d, procedure, due in cases:
            compose(e, dossier_id=d.id, procedure=procedure, due=due, timezone=timezone)

    def payloads() -> None:
        for e, data, d, _, due in cases:
            with_notice(e, data, dossier=d, sla=sla, due=lambda due=due: due)

    count = len(cases)
    times = side_by_side([anchor, composed, payloads], count)
    t_anchor, t_compose, t_payload = (min(t) for t in times)
    r_compose, r_payload = (ratio(t, times[0]) for t in times[1:])
    per_second = 1 / t_payload

    us = 1e6
    mix = ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
    print(f"{count:,} notices of {3 * n:,} dossiers ({mix}); Python {sys.version.split()[0]}; "
          "ratios are medians of turns")
    print(f"json.dumps of the event (anchor)      {t_anchor * us:8.2f} us/event")
    print(f"compose                               {t_compose * us:8.2f} us/notice "
          f"({r_compose:.1f}x json.dumps)")
    print(f"with_notice (outbox payload)          {t_payload * us:8.2f} us/notice "
          f"({r_payload:.1f}x json.dumps)")
    print(f"target with_notice_vs_json_dumps: {r_payload:.1f}x (goal <= 5x) "
          f"{'ok' if r_payload <= 5 else 'short'}")
    print(f"target notices_per_second: {per_second:,.0f}/s (goal >= 40,000/s) "
          f"{'ok' if per_second >= 40_000 else 'short'}")


if __name__ == "__main__":
    main()
