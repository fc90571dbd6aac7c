"""How a dossier is judged early, on time or late: the rules of Decision 766/QĐ-TTg (the
service-quality index the National Public Service Portal computes), each a switch with its
basis and the alternative it gives when switched off.

:class:`VerdictPolicy` is data; :meth:`dossierflow.clock.Sla.judge` applies it to a dossier's
:class:`~dossierflow.clock.Timeline`.
"""

from __future__ import annotations

import attrs

from dossierflow._errors import InvalidArgument

DECISION_766 = "Decision 766/QĐ-TTg (23/06/2022), the progress criterion"


def _flag(_: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidArgument(f"VerdictPolicy.{attribute.name} must be True or False, got "
                              f"{value!r}")


@attrs.frozen
class VerdictPolicy:
    """The rules a dossier's verdict follows. The defaults are Decision 766/QĐ-TTg's: on time
    when the end of handling is at or before the appointment, the end being, in priority,
    the resolution, the return of the result, the stop or refusal, or the withdrawal after
    receipt; time waiting for a supplement does not count.

    - ``judge_withdrawn``: a dossier withdrawn after receipt (Decree 118/2025/NĐ-CP,
      Art. 21) is judged at its withdrawal. Off: withdrawn dossiers get no verdict, as
      refused ones never do.
    - ``late_if_asked_twice``: a dossier asked to supplement more than once, by any agencies
      together, is late whatever its time (Decree 118/2025/NĐ-CP allows one request).
      Off: it is judged by its time only.
    - ``end_at_unreturned_supplement``: a supplement never returned ends the dossier at the
      request: a dossier still waiting for its supplement, or stopped (or withdrawn) while
      waiting, is judged at the request, by the time it had used until then. Off: it is
      judged at its stop or withdrawal, and an open one at the end of the period, like any
      paused dossier (the verdict is the same; the end and the margin differ).
    - ``judge_open_at_period_end``: an open dossier is judged at the end of the reporting
      period (the ``at`` given): on time while within its appointment. Off: open dossiers
      get no verdict.
    - ``judge_without_appointment``: a dossier whose receipt recorded no appointment (a
      history imported from another system) is judged by the time it used: end − start −
      supplement time against the limit (on time when what it used is at most its budget).
      Off: such dossiers get no verdict.
    """

    judge_withdrawn: bool = attrs.field(default=True, validator=_flag)
    late_if_asked_twice: bool = attrs.field(default=True, validator=_flag)
    end_at_unreturned_supplement: bool = attrs.field(default=True, validator=_flag)
    judge_open_at_period_end: bool = attrs.field(default=True, validator=_flag)
    judge_without_appointment: bool = attrs.field(default=True, validator=_flag)
    legal_basis: str = DECISION_766
