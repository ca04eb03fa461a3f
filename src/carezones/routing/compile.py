"""Checking what a :class:`~carezones.routing.RoutingModel` holds, and compiling it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from carezones.exceptions import Problem, ValidationError
from carezones.routing.problem import (
    BIG_TIME,
    Link,
    RoutingParams,
    RoutingProblem,
    parse_half_skills,
)

__all__ = ["ModelData", "compile_model"]


@dataclass
class ModelData:
    """What a :class:`~carezones.routing.RoutingModel` has been given, as plain records.

    Parameters
    ----------
    locations, profiles, carers, visits
        One dict per ``add_*`` call, in order.
    known
        ``(client, carer index)`` pairs of :meth:`~carezones.routing.RoutingModel.add_known_carer`.
    links
        One dict per :meth:`~carezones.routing.RoutingModel.add_link` call.
    """

    locations: list[dict[str, Any]]
    profiles: list[dict[str, Any]]
    carers: list[dict[str, Any]]
    visits: list[dict[str, Any]]
    known: set[tuple[str, int]]
    links: list[dict[str, Any]] = field(default_factory=list)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _matrix(
    value: Any, n: int, where: str, problems: list[Problem], what: str
) -> np.ndarray | None:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        problems.append(
            Problem(
                where,
                "not a matrix",
                "a square array of numbers",
                type(value).__name__,
                column=what,
            )
        )
        return None
    if arr.shape != (n, n):
        problems.append(
            Problem(
                where,
                "wrong shape",
                f"({n}, {n}): one row and column per location",
                str(arr.shape),
                column=what,
            )
        )
        return None
    finite = np.isfinite(arr)
    if (arr[finite] < 0).any():
        i, j = np.argwhere(finite & (arr < 0))[0]
        problems.append(
            Problem(
                where, "negative time", "values >= 0", f"{arr[i, j]} at [{i}, {j}]", column=what
            )
        )
        return None
    out = np.where(finite & (arr < BIG_TIME), np.rint(np.where(finite, arr, 0)), BIG_TIME).astype(
        np.int64
    )
    np.fill_diagonal(out, 0)
    return out


def _check_profiles(
    model: ModelData, n: int, problems: list[Problem]
) -> tuple[list[np.ndarray | None], list[np.ndarray | None]]:
    """Each profile's durations and (optional) distances, checked as square n x n matrices."""
    if not model.profiles:
        problems.append(Problem("RoutingModel", "no profile", "at least one profile", "none"))
    durations, distances = [], []
    for p in model.profiles:
        d = _matrix(p["durations"], n, f"profile {p['name']!r}", problems, "durations")
        durations.append(d)
        dist = None
        if p["distances"] is not None:
            got = _matrix(p["distances"], n, f"profile {p['name']!r}", problems, "distances")
            dist = None if got is None else got
        distances.append(dist)
    _duplicates([p["name"] for p in model.profiles], "profile", problems)
    return durations, distances


def _check_carer(c: dict[str, Any], problems: list[Problem]) -> None:
    """A carer's times are whole seconds, the shift ends after it starts, the break fits."""
    where = f"carer {c['name']!r}"
    keys = ("shift_start", "shift_end", "max_working", "break_duration", "break_start", "break_end")
    _ints(c, keys, where, problems)
    if _is_int(c["shift_start"]) and _is_int(c["shift_end"]) and c["shift_end"] < c["shift_start"]:
        problems.append(
            Problem(
                where,
                "shift ends before it starts",
                "shift_end >= shift_start",
                f"{c['shift_start']} to {c['shift_end']}",
            )
        )
    if (
        _is_int(c["break_duration"])
        and c["break_duration"] > 0
        and _is_int(c["break_start"])
        and _is_int(c["break_end"])
        and c["break_end"] - c["break_start"] < c["break_duration"]
    ):
        problems.append(
            Problem(
                where,
                "break window too short",
                "break_end - break_start >= break_duration",
                f"{c['break_end'] - c['break_start']} < {c['break_duration']}",
            )
        )


def _check_visit(v: dict[str, Any], problems: list[Problem]) -> None:
    """A visit's times are whole seconds, it fits its window, 1 or 2 carers."""
    where = f"visit {v['name']!r}"
    _ints(v, ("window_start", "window_end", "duration"), where, problems)
    ints = all(_is_int(v[k]) for k in ("window_start", "window_end", "duration"))
    if ints and v["window_end"] < v["window_start"]:
        problems.append(
            Problem(
                where,
                "window ends before it starts",
                "window_end >= window_start",
                f"{v['window_start']} to {v['window_end']}",
            )
        )
    elif ints and v["window_end"] - v["window_start"] < v["duration"]:
        problems.append(
            Problem(
                where,
                "longer than its window",
                f"a window of at least its duration ({v['duration']} s)",
                f"{v['window_start']} to {v['window_end']}",
                column="duration",
            )
        )
    if v["carers_needed"] not in (1, 2):
        problems.append(
            Problem(
                where,
                "bad carers_needed",
                "1 or 2",
                repr(v["carers_needed"]),
                column="carers_needed",
            )
        )


def _check_links(model: ModelData, problems: list[Problem]) -> tuple[Link, ...]:
    """Each link's gaps are whole seconds, ``0 <= min_gap <= max_gap``, two visits."""
    out = []
    names = [v["name"] for v in model.visits]
    for k, link in enumerate(model.links):
        a, b = link["first"], link["second"]
        where = f"link {k} ({names[a]!r} then {names[b]!r})"
        before = len(problems)
        _ints(link, ("min_gap", "max_gap"), where, problems)
        if len(problems) == before and link["max_gap"] < link["min_gap"]:
            problems.append(
                Problem(
                    where,
                    "bad gap",
                    "min_gap <= max_gap",
                    f"{link['min_gap']} > {link['max_gap']}",
                    column="max_gap",
                )
            )
        if a == b:
            problems.append(
                Problem(
                    where,
                    "visit linked to itself",
                    "two different visits",
                    repr(names[a]),
                    column="second",
                )
            )
        if len(problems) == before:
            gaps = int(link["min_gap"]), int(link["max_gap"])
            out.append(Link(a, b, *gaps, bool(link["different_carers"])))
    return tuple(out)


def _half_skills(visits: list[dict[str, Any]], problems: list[Problem]) -> tuple:
    """Each visit's skills per carer; empty when no double-up names skills per carer."""
    if not any(isinstance(v.get("raw_skills"), str) and "|" in v["raw_skills"] for v in visits):
        return ()
    out = []
    for v in visits:
        n = v["carers_needed"] if v["carers_needed"] in (1, 2) else 1
        try:
            out.append(parse_half_skills(v.get("raw_skills"), n))
        except ValidationError as exc:
            problems.extend(
                Problem(f"visit {v['name']!r}", p.what, p.expected, p.found, column="skills")
                for p in exc.problems
            )
            out.append((v["skills"],) * n)
    return tuple(out)


def compile_model(model: ModelData, params: RoutingParams, context: Any) -> RoutingProblem:
    """Check the model's data once, listing every problem, and freeze it."""
    problems: list[Problem] = []
    locs = model.locations
    names = [loc["name"] for loc in locs]
    _duplicates(names, "location", problems)
    durations, distances = _check_profiles(model, len(locs), problems)
    carers = model.carers
    visits = model.visits
    _duplicates([c["name"] for c in carers], "carer", problems)
    _duplicates([v["name"] for v in visits], "visit", problems)
    for c in carers:
        _check_carer(c, problems)
    for v in visits:
        _check_visit(v, problems)
    links = _check_links(model, problems)
    half_skills = _half_skills(visits, problems)
    if problems:
        raise ValidationError(problems)
    xy = None
    if locs and all(loc["x"] is not None and loc["y"] is not None for loc in locs):
        xy = _frozen(np.array([[loc["x"], loc["y"]] for loc in locs], dtype=float))

    def col(rows: list[dict[str, Any]], key: str) -> np.ndarray:
        return _frozen(np.array([r[key] for r in rows], dtype=np.int64))

    carer_names = [c["name"] for c in carers]
    known = frozenset((client, carer_names[i]) for client, i in model.known)
    return RoutingProblem(
        location_names=tuple(names),
        location_xy=xy,
        profile_names=tuple(p["name"] for p in model.profiles),
        durations=tuple(_frozen(d) for d in durations if d is not None),
        distances=tuple(None if d is None else _frozen(d) for d in distances),
        visit_ids=tuple(v["name"] for v in visits),
        visit_clients=tuple(v["client"] for v in visits),
        visit_location=col(visits, "location"),
        window_start=col(visits, "window_start"),
        window_end=col(visits, "window_end"),
        duration=col(visits, "duration"),
        carers_needed=col(visits, "carers_needed"),
        visit_skills=tuple(v["skills"] for v in visits),
        carer_ids=tuple(carer_names),
        carer_home=col(carers, "home"),
        carer_profile=col(carers, "profile"),
        shift_start=col(carers, "shift_start"),
        shift_end=col(carers, "shift_end"),
        max_working=col(carers, "max_working"),
        break_duration=col(carers, "break_duration"),
        break_start=col(carers, "break_start"),
        break_end=col(carers, "break_end"),
        carer_skills=tuple(c["skills"] for c in carers),
        known=known,
        params=params,
        context=context,
        links=links,
        half_skills=half_skills,
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _ints(row: dict[str, Any], keys: tuple[str, ...], where: str, problems: list[Problem]) -> None:
    for key in keys:
        value = row[key]
        if not _is_int(value) or value < 0:
            problems.append(
                Problem(
                    where, "not whole seconds", "an integer >= 0 (seconds)", repr(value), column=key
                )
            )


def _duplicates(names: list[str], what: str, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            problems.append(
                Problem("RoutingModel", f"duplicate {what} name", "unique names", repr(name))
            )
        seen.add(name)
