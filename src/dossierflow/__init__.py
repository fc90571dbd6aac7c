"""dossierflow: administrative procedures as state machines with statutory deadlines.

The public surface is re-exported here; internals live in underscore modules.
"""

from dossierflow._errors import (
    ClockSkew,
    ConcurrencyConflict,
    DossierExists,
    DossierflowError,
    DossierNotFound,
    InvalidArgument,
    InvalidCalendar,
    InvalidProcedure,
    LayerFileError,
    NaiveDatetimeError,
    NotAuthorized,
    OutOfCalendarRange,
    SchemaError,
    StoreError,
    StoreFull,
    StoreReadOnly,
    StoreUnavailable,
    TamperedRecord,
    TransactionOpen,
    TransitionNotAllowed,
    UnknownProcedure,
)
from dossierflow.calendar import WorkCalendar, vietnam

__version__ = "0.1.0.dev0"

__all__ = [
    "ClockSkew",
    "ConcurrencyConflict",
    "DossierExists",
    "DossierNotFound",
    "DossierflowError",
    "InvalidArgument",
    "InvalidCalendar",
    "InvalidProcedure",
    "LayerFileError",
    "NaiveDatetimeError",
    "NotAuthorized",
    "OutOfCalendarRange",
    "SchemaError",
    "StoreError",
    "StoreFull",
    "StoreReadOnly",
    "StoreUnavailable",
    "TamperedRecord",
    "TransactionOpen",
    "TransitionNotAllowed",
    "UnknownProcedure",
    "WorkCalendar",
    "__version__",
    "vietnam",
]
