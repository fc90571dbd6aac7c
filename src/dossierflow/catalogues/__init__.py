"""Catalogues of procedures as data: written in Python, kept as JSON or TOML.

One schema (``SCHEMA``, recorded as ``"schema"`` in every document) covers every field of a
:class:`~dossierflow.states.Procedure`, so a portal can keep its catalogue as configuration:

- :func:`to_dict` / :func:`from_dict`: a :class:`~dossierflow.states.Catalogue` and the plain
  document (dicts, lists, text, numbers, booleans; no nulls, so TOML can hold it);
- :func:`to_json` / :func:`from_json`, :func:`to_toml` / :func:`from_toml`: the same as text;
- :func:`dump` / :func:`load`: to and from a ``.json`` or ``.toml`` file.

Loading checks everything: a bad document raises :class:`~dossierflow.InvalidArgument` naming
the path of the bad key (``procedures[3].steps[1].allotment.unit: 'workdays' is not one of
...``), or :class:`~dossierflow.InvalidProcedure` listing the definition's problems under the
procedure's path. :mod:`dossierflow.catalogues.vietnam` is a ready catalogue. The schema is
described in ``docs/catalogue.md``.
"""

from dossierflow.catalogues._schema import (
    SCHEMA,
    dump,
    from_dict,
    from_json,
    from_toml,
    load,
    to_dict,
    to_json,
    to_toml,
)

__all__ = [
    "SCHEMA",
    "dump",
    "from_dict",
    "from_json",
    "from_toml",
    "load",
    "to_dict",
    "to_json",
    "to_toml",
]
