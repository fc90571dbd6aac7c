"""JSON for events and dossiers: stable names, a schema version, exact round trips.

Events are stored by their class name under ``"type"``, actors by ``"kind"``; instants as ISO
8601 with their offset and, for IANA zones, the zone name in brackets (RFC 9557), so a loaded
instant compares equal and keeps its zone. Amounts are decimal strings. Anything that cannot be
read (corrupted, unknown type, newer schema) raises :class:`SchemaError` naming the dossier
and the event's sequence number.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import cattrs
from cattrs.strategies import configure_tagged_union

from dossierflow._errors import InvalidArgument, SchemaError
from dossierflow.states._dossier import Dossier, fold
from dossierflow.states._events import (
    EVENT_TYPES,
    Actor,
    Citizen,
    Event,
    Filed,
    Officer,
    System,
)

SCHEMA_VERSION = 2
"""The version of the stored format this library writes and the newest it reads.

- 1 (dossierflow 0.1.0.dev0): the first.
- 2: ``Received`` and ``StepCompleted`` record where the flow went (``activated``,
  ``waiting``; ``Received.to_units``); ``Apologize`` commands carry the original appointment.
  Events of schema 1 read with those fields None, and the engine fills them in from the
  procedure's graph when it folds them."""

_Data = tuple[tuple[str, Any], ...]


def _dump_instant(value: dt.datetime) -> str:
    text = value.isoformat()
    if isinstance(value.tzinfo, ZoneInfo):
        text += f"[{value.tzinfo.key}]"
    return text


def _load_instant(value: Any, _: type) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError(f"an instant is an ISO 8601 string, got {value!r}")
    zone = None
    if value.endswith("]") and "[" in value:
        value, _sep, key = value[:-1].partition("[")
        try:
            zone = ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {key!r}") from exc
    instant = dt.datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise ValueError(f"instant {value!r} has no offset")
    if zone is None:
        return instant
    local = instant.astimezone(zone)
    if local.utcoffset() != instant.utcoffset():
        raise ValueError(f"instant {value!r} has offset {instant.utcoffset()}, but zone "
                         f"{zone.key} is at {local.utcoffset()} then; one of them is wrong")
    return local


def _load_time(value: Any, _: type) -> dt.time:
    if not isinstance(value, str):
        raise ValueError(f"a time is 'HH:MM', got {value!r}")
    return dt.time.fromisoformat(value)


def _load_decimal(value: Any, _: type) -> Decimal:
    if not isinstance(value, str):
        raise ValueError(f"an amount is a decimal string, got {value!r}")
    return Decimal(value)


def _load_data(value: Any, _: type) -> _Data:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ValueError(f"data is an object of field names to values, got {value!r}")
    for v in value.values():
        if not isinstance(v, str | int | float | bool):
            raise ValueError(f"data values are JSON scalars, got {v!r}")
    return tuple(sorted(value.items()))


def _strict(kind: type) -> Any:
    """Scalars are taken as they are, never coerced: a number where text belongs is damage."""

    def hook(value: Any, _: type) -> Any:
        if type(value) is kind or (kind is float and type(value) is int):
            return value
        raise ValueError(f"expected {kind.__name__}, got {value!r:.40}")

    return hook


_ACTOR_TYPES = (Citizen, Officer, System)


def _make_converter(*, direct: bool = True) -> cattrs.Converter:
    """The converter of the stored format: cattrs' tagged unions for actors and events, with
    (``direct``) the actor union looked up in one call; ``direct=False`` gives the tagged
    unions alone, which the tests hold it to."""
    conv = cattrs.Converter(forbid_extra_keys=True)
    for kind in (str, int, float, bool):
        conv.register_structure_hook(kind, _strict(kind))
    conv.register_unstructure_hook(dt.datetime, _dump_instant)
    conv.register_structure_hook(dt.datetime, _load_instant)
    conv.register_unstructure_hook(dt.time, lambda t: t.isoformat(timespec="minutes"))
    conv.register_structure_hook(dt.time, _load_time)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _load_decimal)
    conv.register_unstructure_hook_func(lambda t: t == _Data, lambda v: dict(v))
    conv.register_structure_hook_func(lambda t: t == _Data, _load_data)
    configure_tagged_union(
        Actor, conv, tag_name="kind", tag_generator=lambda cls: cls.__name__.lower())
    if direct:
        # The actor union as the tagged union above writes it, one call shorter (every event
        # has an actor): each actor type's own hook, then its tag.
        actors = {cls: (conv.get_unstructure_hook(cls), cls.__name__.lower())
                  for cls in _ACTOR_TYPES}

        def dump_actor(actor: Actor) -> dict[str, Any]:
            dump, kind = actors[actor.__class__]
            data: dict[str, Any] = dump(actor)
            data["kind"] = kind
            return data

        conv.register_unstructure_hook(Actor, dump_actor)
    configure_tagged_union(Event, conv, tag_name="type", tag_generator=lambda cls: cls.__name__)
    return conv


_CONVERTER = _make_converter()
# Each event type's own unstructure hook and tag: what the converter's tagged union (``Event``)
# dispatches to, looked up directly (the store serialises every event it saves). The property
# test ``test_event_to_dict_is_the_tagged_union`` (tests/test_hot_paths.py) holds the two equal.
_DUMPS: dict[type, tuple[Any, str]] = {
    cls: (_CONVERTER.get_unstructure_hook(cls), name) for name, cls in EVENT_TYPES.items()}


def event_to_dict(event: Event) -> dict[str, Any]:
    """``event`` as JSON-ready data: ``{"type": "Received", ...}``."""
    found = _DUMPS.get(type(event))
    if found is None:
        raise InvalidArgument(f"{event!r} is not a dossierflow event")
    dump, name = found
    data: dict[str, Any] = dump(event)
    data["type"] = name
    return data


def event_from_dict(
    data: Any, *, dossier_id: str | None = None, seq: int | None = None
) -> Event:
    """The event stored as ``data``; :class:`SchemaError` names ``dossier_id`` and ``seq``."""
    if not isinstance(data, dict):
        raise SchemaError(f"an event is a JSON object, got {data!r:.80}", dossier_id=dossier_id,
                          seq=seq)
    kind = data.get("type")
    if kind not in EVENT_TYPES:
        raise SchemaError(f"unknown event type {kind!r}; this library knows "
                          f"{', '.join(EVENT_TYPES)}", dossier_id=dossier_id, seq=seq)
    try:
        event: Event = _CONVERTER.structure(data, Event)  # type: ignore[arg-type]  # a union
    except Exception as exc:  # cattrs and the value types raise many kinds
        raise SchemaError(f"cannot read {kind} event: {_why(exc)}", dossier_id=dossier_id,
                          seq=seq) from exc
    return event


def dossier_to_dict(dossier: Dossier) -> dict[str, Any]:
    """``dossier`` as JSON-ready data, with ``"schema"`` and its whole history."""
    if not isinstance(dossier, Dossier):
        raise InvalidArgument(f"{dossier!r} is not a Dossier")
    body: dict[str, Any] = _CONVERTER.unstructure(dossier)
    body["history"] = [event_to_dict(e) for e in dossier.history]
    return {"schema": SCHEMA_VERSION, **body}


def dossier_from_dict(data: Any) -> Dossier:
    """The dossier stored as ``data``."""
    if not isinstance(data, dict):
        raise SchemaError(f"a dossier is a JSON object, got {data!r:.80}")
    dossier_id = data.get("id") if isinstance(data.get("id"), str) else None
    check_schema(data.get("schema"), dossier_id=dossier_id)
    history = data.get("history")
    if not isinstance(history, list):
        raise SchemaError("history must be a list of events", dossier_id=dossier_id)
    events = tuple(event_from_dict(e, dossier_id=dossier_id, seq=i)
                   for i, e in enumerate(history, 1))
    body = {k: v for k, v in data.items() if k not in ("schema", "history")}
    try:
        dossier = _CONVERTER.structure({**body, "history": []}, Dossier)
    except Exception as exc:
        raise SchemaError(f"cannot read dossier: {_why(exc)}", dossier_id=dossier_id) from exc
    dossier = attrs.evolve(dossier, history=events)
    _check_against_history(dossier)
    return dossier


def _check_against_history(dossier: Dossier) -> None:
    """Refuse a dossier whose fields contradict its history: every field follows from it.
    A history of schema 1 (which needs the procedure's flow to be folded) is checked for what
    its filing says."""
    events = dossier.history
    if not events or not isinstance(events[0], Filed):
        raise SchemaError("a dossier's history starts with its Filed event",
                          dossier_id=dossier.id)
    try:
        rebuilt = fold(events)
    except SchemaError as exc:
        if "schema 1" not in exc.problem:
            raise SchemaError(f"the history does not fold: {exc.problem}",
                              dossier_id=dossier.id) from exc
        filed = events[0]
        rebuilt = attrs.evolve(dossier, id=filed.dossier, procedure=filed.procedure,
                               procedure_version=filed.version, channel=filed.channel,
                               applicant=filed.applicant)
    if rebuilt != dossier:
        wrong = [f.name for f in attrs.fields(Dossier)
                 if getattr(rebuilt, f.name) != getattr(dossier, f.name)]
        raise SchemaError(f"fields {wrong} contradict the dossier's history (rebuild the dossier "
                          "from its events: Engine.replay)", dossier_id=dossier.id)


def check_schema(version: Any, *, dossier_id: str | None = None, seq: int | None = None) -> None:
    """Refuse data written by a newer (or unknown) schema."""
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SchemaError(f"missing or invalid schema version {version!r}",
                          dossier_id=dossier_id, seq=seq)
    if version > SCHEMA_VERSION:
        raise SchemaError(f"schema version {version} is newer than this library's "
                          f"({SCHEMA_VERSION}); upgrade dossierflow to read it",
                          dossier_id=dossier_id, seq=seq)


def to_json(value: Dossier | Event) -> str:
    """A dossier or an event as a JSON string (events carry ``"schema"`` too)."""
    if isinstance(value, Dossier):
        return json.dumps(dossier_to_dict(value), ensure_ascii=False, sort_keys=True)
    return json.dumps({"schema": SCHEMA_VERSION, **event_to_dict(value)}, ensure_ascii=False,
                      sort_keys=True)


def dossier_from_json(text: str | bytes) -> Dossier:
    """The dossier written by :func:`to_json`."""
    return dossier_from_dict(_parse(text))


def event_from_json(
    text: str | bytes, *, dossier_id: str | None = None, seq: int | None = None
) -> Event:
    """The event written by :func:`to_json`."""
    data = _parse(text, dossier_id=dossier_id, seq=seq)
    if not isinstance(data, dict):
        raise SchemaError("an event is a JSON object", dossier_id=dossier_id, seq=seq)
    check_schema(data.pop("schema", None), dossier_id=dossier_id, seq=seq)
    return event_from_dict(data, dossier_id=dossier_id, seq=seq)


def _parse(text: str | bytes, *, dossier_id: str | None = None, seq: int | None = None) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError) as exc:
        raise SchemaError(f"not JSON: {exc}", dossier_id=dossier_id, seq=seq) from exc


def _why(exc: BaseException) -> str:
    if isinstance(exc, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(exc, format_exception=_explain))
    return f"{type(exc).__name__}: {exc}"


def _explain(exc: BaseException, kind: Any) -> str:
    """Our hooks' own words for what is wrong with a value; cattrs' for the rest."""
    if type(exc) is ValueError and exc.args:
        return str(exc)
    return cattrs.v.format_exception(exc, kind)
