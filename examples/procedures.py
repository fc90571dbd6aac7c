"""Two sample procedures run through the engine: a certified copy, and Decree 63/2024 group A.

The definitions are in ``src/dossierflow/samples.py``, written as a portal developer would
write them from the published process. This example files, receives and handles one dossier of
each, prints their control slips (Form 06), and shows a refused command.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from dossierflow import TransitionNotAllowed, samples
from dossierflow.states import (
    Channel,
    Citizen,
    CompleteStep,
    Engine,
    File,
    Officer,
    Outcome,
    Receive,
    ReturnResult,
    to_json,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
engine = Engine(samples.catalogue())
applicant = Citizen("079123456789")
desk = Officer("desk-01", "ubnd_xa", "one_stop")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 2, hour, minute, tzinfo=TZ)


# A certified copy, filed and received at the desk at 09:00, certified and signed by 10:30.
copy, _ = engine.apply(None, File("H29-260302-0001", "2.000815", Channel.IN_PERSON,
                                  applicant=applicant.id), at=at(9), actor=desk)
copy, _ = engine.apply(copy, Receive("BN-0001", documents=["diploma", "copy"]), at=at(9, 5),
                       actor=desk)
copy, _ = engine.apply(copy, CompleteStep("certify", to_person="chair-01"), at=at(10),
                       actor=Officer("justice-01", "ubnd_xa", "justice_officer"))
copy, _ = engine.apply(copy, CompleteStep("sign", Outcome.APPROVE), at=at(10, 30),
                       actor=Officer("chair-01", "ubnd_xa", "chairman"))
copy, _ = engine.apply(copy, ReturnResult(), at=at(10, 40), actor=desk)
print(f"{copy.id} ({copy.procedure}): {copy.status.value}, {copy.version} events")

# Group A: birth registration, then residence (police) and health insurance in parallel.
group, _ = engine.apply(None, File("H29-260302-0002", "LT.A", Channel.ONLINE,
                                   {"child_name": "Nguyễn Văn An"}), at=at(9), actor=applicant)
steps = [
    (Receive("BN-0002"), desk),
    (CompleteStep("1.001193/check", data={"needs_verification": False}),
     Officer("cs-01", "ubnd_xa", "civil_status")),
    (CompleteStep("1.001193/register", Outcome.APPROVE),
     Officer("chair-01", "ubnd_xa", "chairman")),
    (CompleteStep("1.002364/issue_card", Outcome.APPROVE),
     Officer("bhxh-01", "bhxh", "card_officer")),
]
for minute, (command, actor) in enumerate(steps):
    group, events = engine.apply(group, command, at=at(10, minute * 10), actor=actor)
    print(f"  {type(command).__name__:<14} -> {', '.join(type(e).__name__ for e in events)}")
print(f"{group.id}: {group.status.value}; still with: {', '.join(group.active_steps)}")

try:
    engine.apply(group, ReturnResult(), at=at(11), actor=desk)
except TransitionNotAllowed as refused:
    print("refused:", refused)

print("control slip (Form 06):")
for row in group.control_slip():
    print(f"  {row.at:%H:%M} {row.step:<30} {row.from_unit}/{row.from_person} -> "
          f"{row.to_unit} ({row.result})")
print("stored as", len(to_json(group)), "bytes of JSON; replays equal:",
      engine.replay(group.history) == group)
print()
print(samples.certified_copy().to_mermaid())
