"""The workshop's request bodies: read, bounded and checked against a schema at the door.

Every POST body is read as UTF-8 JSON of at most :data:`MAX_BODY_BYTES`, nested at most
:data:`MAX_DEPTH` deep, without ``NaN`` or ``Infinity``, and validated by a pydantic model
per route (strict types: ``"false"`` is not a boolean and ``true`` is not a unit number;
unknown keys refused; numbers and texts bounded). Whatever is wrong is one
:class:`~carezones.exceptions.ValidationError` naming the route, the key, what was expected
and what was found, which the server answers with a 4xx: a body never reaches the session
unchecked.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from carezones.exceptions import Problem, ProblemCollector, ValidationError

__all__ = [
    "BODIES",
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_UNITS",
    "Empty",
    "FolderBody",
    "LockBody",
    "MergeBody",
    "MoveBody",
    "SaveBody",
    "ZoneBody",
    "parse_body",
]

#: The largest request body read (a lasso over a whole borough's street units fits).
MAX_BODY_BYTES = 4_000_000
#: The deepest nesting of arrays and objects a body may have.
MAX_DEPTH = 4
#: The most street units one move may name.
MAX_UNITS = 500_000
_MAX_UNIT = 2**31 - 1

ZoneName = Annotated[str, Field(min_length=1, max_length=200)]
FolderName = Annotated[str, Field(max_length=1000)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Empty(_Body):
    """``undo``, ``redo``, ``redraw``, ``view``: no keys."""


class ZoneBody(_Body):
    """``split``, ``routed``: the zone."""

    zone: ZoneName


class MoveBody(_Body):
    """``move``: street units (numbers from 0) and the zone they go to."""

    units: list[Annotated[int, Field(ge=0, le=_MAX_UNIT)]] = Field(max_length=MAX_UNITS)
    zone: ZoneName


class LockBody(_Body):
    """``lock``: the zone, and ``true`` to lock or ``false`` to unlock."""

    zone: ZoneName
    locked: bool = True


class MergeBody(_Body):
    """``merge``: the zone merged and the zone it joins."""

    zone: ZoneName
    into: ZoneName


class FolderBody(_Body):
    """``load``: a folder inside the workshop's folder (None: that folder itself)."""

    folder: FolderName | None = None


class SaveBody(FolderBody):
    """``save``: the folder, and ``true`` to write over a plan already saved there."""

    overwrite: bool = False


#: The body each route takes.
BODIES: dict[str, type[_Body]] = {
    "view": Empty,
    "move": MoveBody,
    "lock": LockBody,
    "redraw": Empty,
    "undo": Empty,
    "redo": Empty,
    "split": ZoneBody,
    "merge": MergeBody,
    "save": SaveBody,
    "load": FolderBody,
    "routed": ZoneBody,
}


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} (not a JSON number)")


def _depth(value: Any) -> int:
    """How deep arrays and objects nest in ``value`` (0: a scalar), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level + 1)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((v, level + 1) for v in children)
    return deepest


_WHAT = {"missing": "missing key", "extra_forbidden": "unknown key"}
_EXPECTED = {
    "bool_type": "true or false (a JSON boolean, not text)",
    "int_type": "a whole number (not true/false, text or a decimal)",
    "string_type": "text",
    "list_type": "a list",
    "missing": "this key",
}


def _expected(err: Any, model: type[_Body]) -> str:
    if err["type"] == "extra_forbidden":
        return "one of " + ", ".join(model.model_fields) if model.model_fields else "no keys"
    if err["type"] in _EXPECTED:
        return _EXPECTED[err["type"]]
    return str(err["msg"]).removeprefix("Input should be ").removeprefix("Input should ")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_body(route: str, raw: bytes) -> _Body:
    """The body of a request to ``/api/ROUTE``, checked; a ValidationError otherwise.

    Parameters
    ----------
    route
        The route's name (a key of :data:`BODIES`).
    raw
        The request's bytes (empty: ``{}``).

    Returns
    -------
    pydantic.BaseModel
        The route's model, every value checked.

    Examples
    --------
    >>> parse_body("lock", b'{"zone": "Z01", "locked": false}').locked
    False
    >>> parse_body("lock", b'{"zone": "Z01", "locked": "false"}')
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - request /api/lock, column 'locked': bad value: expected true or false (a JSON \
boolean, not text), found 'false'
    """
    where = f"request /api/{route}"
    if len(raw) > MAX_BODY_BYTES:
        raise ProblemCollector(where).error(
            "too large", f"a body of at most {MAX_BODY_BYTES:,} bytes", f"{len(raw):,} bytes"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemCollector(where).error(
            "not UTF-8",
            "JSON text in UTF-8",
            f"byte 0x{raw[exc.start]:02x} at position {exc.start}",
        ) from None
    try:
        value = json.loads(text, parse_constant=_no_constant) if text.strip() else {}
    except RecursionError:
        value = None
        problem = f"arrays or objects nested deeper than {MAX_DEPTH}"
    except ValueError as exc:  # JSONDecodeError, NaN, an integer of over 4,300 digits
        raise ProblemCollector(where).error("not JSON", "a JSON object", _shown(str(exc))) from None
    else:
        problem = f"nesting {_depth(value)} deep" if _depth(value) > MAX_DEPTH else ""
    if problem:
        raise ProblemCollector(where).error(
            "nested too deep", f"at most {MAX_DEPTH} levels", problem
        )
    if not isinstance(value, dict):
        raise ProblemCollector(where).error(
            "not a JSON object", "an object of keys and values", type(value).__name__
        )
    model = BODIES[route]
    try:
        return model.model_validate(value)
    except pydantic.ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"]) or None
            kind = err["type"]
            what = _WHAT.get(kind, "bad value")
            expected = _expected(err, model)
            found = "nothing" if kind == "missing" else _shown(err.get("input"))
            problems.append(Problem(where, what, expected, found, column=key))
        raise ValidationError(problems) from None
