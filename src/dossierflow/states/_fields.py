"""Checks of the values commands and actors carry, run when they are built (a package-internal
module of :mod:`dossierflow.states`): nothing that could not be stored, or read back, ever
reaches an event.

Text is a ``str`` without NUL characters or lone surrogates (neither survives UTF-8 storage
on both backends) and no longer than its column allows: identifiers and codes 100 characters
(the ``df_*`` id columns), the parts of an actor 60 (so that an actor's text fits its
200-character column), free text 4,000, a document's name 500. Data values are JSON scalars:
text, whole numbers, finite floats, booleans.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs

from dossierflow._errors import InvalidArgument

NAME = 100
"""Identifiers and codes: dossier ids, procedure codes, step and agency names."""
PERSON = 60
"""Each part of an actor: a citizen's or officer's id, an agency or role, a system's name."""
TEXT = 4000
"""Free text: notes, reasons, legal bases, comments."""
ITEM = 500
"""A document or a missing item's name."""


def check_text(value: object, name: str, limit: int) -> str:
    """``value`` if it is storable text of at most ``limit`` characters; else the error that
    names ``name``."""
    if not isinstance(value, str):
        raise InvalidArgument(f"{name} must be text, got {value!r:.80}")
    if len(value) > limit:
        raise InvalidArgument(f"{name} is {len(value)} characters long; at most {limit} fit")
    if "\x00" in value:
        raise InvalidArgument(f"{name} contains a NUL character, which cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgument(f"{name} contains a lone surrogate ({value!r:.80}), which is not "
                              "text that can be stored; decode the input as UTF-8") from None
    return value


_Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _where(instance: object, attribute: attrs.Attribute[Any]) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def text(limit: int = TEXT, *, optional: bool = False) -> _Validator:
    """An attrs validator: storable text (or None, if ``optional``)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        check_text(value, _where(instance, attribute), limit)

    return check


def texts(limit: int = ITEM) -> _Validator:
    """An attrs validator: a tuple of storable texts."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        where = _where(instance, attribute)
        if not isinstance(value, tuple):
            raise InvalidArgument(f"{where} must be a list of texts, got {value!r:.80}")
        for k, item in enumerate(value):
            check_text(item, f"{where}[{k}]", limit)

    return check


def data(instance: object, attribute: attrs.Attribute[Any],
         value: tuple[tuple[str, Any], ...]) -> None:
    """An attrs validator: data fields named by storable text, with JSON scalar values."""
    where = _where(instance, attribute)
    for key, item in value:
        check_text(key, f"{where} key", NAME)
        if isinstance(item, str):
            check_text(item, f"{where}[{key!r}]", TEXT)
        elif isinstance(item, float) and not math.isfinite(item):
            raise InvalidArgument(f"{where}[{key!r}] is {item!r}; only finite numbers can be "
                                  "stored")
        elif not isinstance(item, bool | int | float):
            raise InvalidArgument(f"{where}[{key!r}] must be text, a number or a boolean, got "
                                  f"{item!r:.80}")
