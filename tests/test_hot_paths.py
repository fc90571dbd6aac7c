"""The store's hot-path copies are their definitions: each fast path on the save path is held
to the plain code it replaces, on generated data.

- :func:`dossierflow.store._chain.canonical` is ``json.dumps`` with its options, on any JSON
  tree (non-ASCII text, floats and nesting included).
- :func:`dossierflow.states.event_to_dict` is cattrs' tagged union of events (and of actors),
  on events of every type built from their fields' types, and on generated lives.
- :func:`dossierflow.store._projection.project` kept event by event (the row before the new
  events, with them read in; what the store does on every save) is the row read off the
  whole history, on generated lives cut anywhere.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import types
import typing
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossierflow import InvalidArgument, samples, testing
from dossierflow.calendar import vietnam
from dossierflow.clock import Sla
from dossierflow.rules import TimeLimit
from dossierflow.states import EVENT_TYPES, Engine, Event, _serial, event_to_dict
from dossierflow.store import _chain
from dossierflow.store._chain import canonical
from dossierflow.store._projection import project

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), _JSON, max_size=6))
def test_canonical_is_json_dumps(data: dict[str, Any]) -> None:
    assert canonical(data) == json.dumps(data, ensure_ascii=False, sort_keys=True,
                                         separators=(",", ":"))


def test_canonical_refuses_what_json_dumps_refuses() -> None:
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        canonical({"a": {1}})
    assert canonical({"đ": "Hồ Chí Minh", "a": [1.5, None, True]}) == \
        '{"a":[1.5,null,true],"đ":"Hồ Chí Minh"}'


@given(st.dictionaries(st.text(), _JSON, max_size=6))
def test_canonical_without_the_c_encoder_is_json_dumps(data: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(json.encoder, "c_make_encoder", None)
        encode = _chain._encoder()
    assert "".join(encode(data, 0)) == json.dumps(data, ensure_ascii=False, sort_keys=True,
                                                 separators=(",", ":"))


# ------------------------------------------------------------------------------ event_to_dict

_TAGGED = _serial._make_converter(direct=False)
_VN = vietnam()
_ENGINE = Engine(samples.catalogue(), calendar=_VN)
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=1, max_size=8)


def _values(kind: Any) -> st.SearchStrategy[Any]:
    """Valid values of a field of type ``kind`` (text as the fields' validators take it)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return st.integers() | st.booleans() | _TEXT
    if origin in (typing.Union, types.UnionType):
        return st.one_of([_values(a) for a in args])
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_values(args[0]), max_size=3).map(tuple)
        return st.tuples(*[_values(a) for a in args])
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: _TEXT, int: st.integers(0, 10**6), bool: st.booleans(),
        type(None): st.none(), dt.datetime: testing.instants(_VN),
        TimeLimit: testing.time_limits(), Decimal: st.decimals(places=2, allow_nan=False,
                                                               allow_infinity=False),
        dt.time: st.times().map(lambda t: t.replace(second=0, microsecond=0))}
    if kind in simple:
        return simple[kind]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return st.sampled_from(kind)
    assert attrs.has(kind), kind
    attrs.resolve_types(kind)
    return st.builds(kind, **{f.name: _values(f.type) for f in attrs.fields(kind)})


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
@given(data=st.data())
def test_event_to_dict_is_the_tagged_union(name: str, data: st.DataObject) -> None:
    event = data.draw(_values(EVENT_TYPES[name]))
    expected = _TAGGED.unstructure(event, Event)
    got = event_to_dict(event)
    assert got == expected
    assert json.dumps(got) == json.dumps(expected)  # the same keys in the same order


@given(data=st.data())
def test_event_to_dict_is_the_tagged_union_on_lives(data: st.DataObject) -> None:
    proc = data.draw(st.sampled_from(samples.catalogue().procedures))
    dossier = data.draw(testing.dossiers(_ENGINE, proc))
    for event in dossier.history:
        assert json.dumps(event_to_dict(event)) == json.dumps(_TAGGED.unstructure(event, Event))


def test_event_to_dict_refuses_what_is_not_an_event() -> None:
    with pytest.raises(InvalidArgument, match="is not a dossierflow event"):
        event_to_dict(_ENGINE)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ project

_SLA = Sla(_ENGINE)


@given(data=st.data())
def test_project_kept_event_by_event_is_project_of_the_history(data: st.DataObject) -> None:
    proc = data.draw(st.sampled_from(samples.catalogue().procedures))
    history = data.draw(testing.dossiers(_ENGINE, proc)).history
    cuts = sorted(data.draw(st.sets(st.integers(1, len(history) - 1), max_size=len(history)))
                  ) if len(history) > 1 else []
    row = tl = None
    for start, end in zip([0, *cuts], [*cuts, len(history)], strict=True):
        d = _ENGINE.replay(history[:end])
        events = history[start:end]
        tl = _SLA.advance(tl, d, events)
        row = project(d, tl, sla=_SLA, prev=row, events=events if row is not None else None)
        assert row == project(d, _SLA.timeline(d), sla=_SLA), (start, end)
