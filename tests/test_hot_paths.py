"""The store's hot-path copies are their definitions: each fast path on the save path is held
to the plain code it replaces, on generated data.

- :func:`dossierflow.store._chain.canonical` is ``json.dumps`` with its options, on any JSON
  tree (non-ASCII text, floats and nesting included).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossierflow.store import _chain
from dossierflow.store._chain import canonical

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
