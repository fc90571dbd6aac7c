"""The kinds of notice an applicant receives."""

from __future__ import annotations

import enum


class NoticeKind(enum.Enum):
    """What a notice tells the applicant."""

    RECEIVED = "received"
    """Received, with the appointment (Form 01)."""
    SUPPLEMENT_REQUESTED = "supplement_requested"
    """Asked to supplement the dossier (Form 02)."""
    APPOINTMENT_MOVED = "appointment_moved"
    """The appointment moved: the supplement arrived, a pause ended, or an extension."""
    APOLOGY = "apology"
    """The agency apologises for a delay and asks for more time (Form 04)."""
    RESULT_READY = "result_ready"
    """Resolved and approved: the result waits for the applicant."""
    REJECTED = "rejected"
    """Resolved and not approved, with reasons."""
    RESULT_RETURNED = "result_returned"
    """The result reached the applicant."""
    REFUSED = "refused"
    """Not received for handling (Form 03)."""
    STOPPED = "stopped"
    """Handling stopped by the agency (Form 05)."""
    WITHDRAWN = "withdrawn"
    """Handling stopped because the applicant withdrew the dossier (Form 05)."""
