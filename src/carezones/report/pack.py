"""The report pack: one self-contained HTML page of a run (prints on A4) and its workbook.

:func:`build_report` reads what ``carezones zones``, ``scenario run`` or ``scenario
compare`` wrote (``zones.gpkg``, ``outcomes.csv``, ``zone_outcomes.csv``,
``provider_outcomes.csv``, ``unscheduled.csv``, ``assumptions.csv``, ``report.json``,
``comparison.csv`` and each scenario's folder) and writes ``report.html``: the zone maps
as images (the interactive ``plan.html`` linked when present), the then-vs-now table with
units, differences and percentage changes, hours per zone and per provider against the
floors, the zones' shape figures, the unscheduled visits by reason and the assumptions;
and ``report.xlsx`` with a sheet per table.
"""

from __future__ import annotations

import base64
import html
import io
import os
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from carezones._files import check_out_file
from carezones._version import __version__
from carezones.exceptions import Problem, ValidationError
from carezones.maps import (
    hide_overlapping_labels,
    rate_curve_figure,
    tornado_figure,
    whole_area,
    zones_figure,
)
from carezones.outcomes import OUTCOMES, CostInputs, rate_curve
from carezones.report.runs import extra_table, read_runs
from carezones.report.tables import for_people, write_workbook

__all__ = ["build_report"]

_CSS = """
body{font-family:Helvetica,Arial,sans-serif;font-size:10.5pt;color:#222;max-width:190mm;
margin:12mm auto;line-height:1.35}
h1{font-size:17pt;margin:0 0 2mm}h2{font-size:13pt;margin:7mm 0 2mm;border-bottom:1px solid #999}
h3{font-size:11pt;margin:4mm 0 1mm}p.note{color:#555;font-size:9pt}
table{border-collapse:collapse;width:100%;font-size:8.5pt;margin:1mm 0 3mm}
th,td{border:1px solid #bbb;padding:1px 4px;text-align:right}
th{background:#eee;overflow-wrap:break-word}
span.id{color:#777;font-size:7pt}table.compare td{white-space:nowrap}
table.compare td:first-child{white-space:normal;min-width:40mm}
td:first-child,th:first-child{text-align:left}tr.below td{background:#fde0dc}
.maps{display:flex;gap:3mm;flex-wrap:wrap}
.maps figure{flex:1 1 85mm;max-width:calc(50% - 2mm);margin:0}
.maps img{width:100%}figcaption{font-size:9pt;color:#444}
@page{size:A4;margin:12mm}
@media print{body{margin:0;max-width:none}h2,h3{break-after:avoid}table,figure{break-inside:avoid}
a.live{display:none}}
"""

_ZONE_COLUMNS = ["zone_id", "name", "weekly_hours", "n_clients", "lot_id", "pieces", "parts",
                 "holes", "polsby_popper"]  # fmt: skip
_MAX_COLUMNS = 9  # what fits across A4; every column is in report.xlsx
_MEANINGS = {o.name: o.meaning for o in OUTCOMES} | {
    "run_time_seconds": "time carezones took to plan it",
}


def _table(frame: pd.DataFrame | None, *, below: pd.Series | None = None, limit: int = 60) -> str:
    """An HTML table of a frame for people (rows beyond ``limit`` left out, and said so)."""
    if frame is None or frame.empty:
        return "<p class='note'>none</p>"
    shown = for_people(frame.head(limit).iloc[:, :_MAX_COLUMNS])
    head = "".join(  # long snake_case headers may break after each underscore
        f"<th>{html.escape(str(c)).replace('_', '_<wbr>')}</th>" for c in shown.columns
    )
    rows = []
    flags = below.head(limit).to_numpy() if below is not None else [False] * len(shown)
    for flag, record in zip(flags, shown.itertuples(index=False), strict=True):
        cells = "".join(
            f"<td>{'' if pd.isna(v) else html.escape(f'{v:,}' if isinstance(v, int) else str(v))}"
            "</td>"
            for v in record
        )
        rows.append(f"<tr{' class=below' if flag else ''}>{cells}</tr>")
    left = [f"{len(frame) - limit} more rows"] if len(frame) > limit else []
    if frame.shape[1] > _MAX_COLUMNS:
        left.append(f"{frame.shape[1] - _MAX_COLUMNS} more columns")
    more = f"<p class='note'>{' and '.join(left)} in report.xlsx</p>" if left else ""
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>{more}"


def _number(value: float) -> str:
    """A figure as people read it: 21,000 / 0.097 / 45.2; blank for NaN."""
    if pd.isna(value):
        return ""
    size = abs(float(value))
    if size >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.1f}" if size >= 10 else (f"{value:.2f}" if size >= 1 else f"{value:.3f}")


def comparison_html(comparison: pd.DataFrame) -> str:
    """The then-vs-now table for a page, each outcome said in words.

    Each row: what the outcome is, its unit, each scenario's value (the mean with its
    range over seeds: ``0.097 (0.095-0.099)``), and each scenario's difference and
    percentage change from the first.

    ``comparison`` is :func:`carezones.scenario.compare`'s table (or its CSV read back,
    the first column ``outcome``). Every value is escaped.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["travel_to_care_ratio"], "unit": ["ratio"],
    ...     "then": [0.21], "then min": [0.2], "then max": [0.22], "now": [0.1],
    ...     "now min": [0.09], "now max": [0.11], "now - then": [-0.11],
    ...     "now vs then %": [-52.4]})
    >>> page = comparison_html(t)
    >>> "travel time over contact time" in page, "(0.090-0.110)" in page, "(-52.4%)" in page
    (True, True, True)
    """
    frame = comparison.rename(columns={comparison.columns[0]: "outcome"})
    cols = [str(c) for c in frame.columns]
    ranged = {c[: -len(" min")] for c in cols if c.endswith(" min")}
    pct = {c[: -len(" %")].replace(" vs ", " - ", 1): c for c in cols if c.endswith(" %")}
    plain = [
        c for c in cols
        if c not in ("outcome", "unit") and not c.endswith((" min", " max", " %"))
    ]  # fmt: skip
    head = ["outcome", "unit"] + [
        f"{c} (mean, range over seeds)" if c in ranged else (f"{c} (% change)" if c in pct else c)
        for c in plain
    ]
    rows = []
    for _, row in frame.iterrows():
        key = str(row["outcome"])
        label = _MEANINGS.get(key, key.replace("_", " "))
        unit = "" if pd.isna(row["unit"]) else str(row["unit"])
        cells = [
            f"<td>{html.escape(label)}<br><span class='id'>{html.escape(key)}</span></td>",
            f"<td>{html.escape(unit)}</td>",
        ]
        for c in plain:
            text, extra = _number(row[c]), ""
            if c in ranged and text:
                low, high = _number(row[c + " min"]), _number(row[c + " max"])
                extra = f"({low}-{high})" if low != high else ""
            if c in pct and text and not pd.isna(row[pct[c]]):
                extra = f"({row[pct[c]]:+.1f}%)"
            small = f"<br><span class='id'>{html.escape(extra)}</span>" if extra else ""
            cells.append(f"<td>{html.escape(text)}{small}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f"<table class='compare'><tr>{header}</tr>{''.join(rows)}</table>"


def _map_image(zones: gpd.GeoDataFrame, lots: Any, title: str) -> str:
    """The zones as a PNG image, inline (base64)."""
    fig = zones_figure(zones, lots=lots, title=title)
    fig.set_size_inches(7, 6)
    hide_overlapping_labels(fig)  # at the size it is saved
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode()
    return f"<figure><img alt='{html.escape(title)}' src='data:image/png;base64,{data}'></figure>"


def _floors(run: dict[str, Any]) -> tuple[float | None, float | None]:
    """The zone floor and the provider minimum a run was held to (None when unknown)."""
    rep = run["report"]
    zones = _dict(rep.get("zones"))
    floor = _dict(zones.get("summary")).get(
        "min_weekly_hours", _dict(rep.get("summary")).get("min_weekly_hours")
    )
    lots = _dict(rep.get("provider_lots"))
    minimum = _dict(lots.get("summary", lots)).get("min_provider_hours")
    return _figure(floor), _figure(minimum)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _figure(value: Any) -> float | None:
    """A finite number from report.json, else None (a hand-edited file names no floor)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e15
    return float(value) if ok else None


def _zones_section(run: dict[str, Any]) -> str:
    zones = run["zones"]
    if zones is None:
        return "<p class='note'>no zones.gpkg in this run</p>"
    floor, minimum = _floors(run)
    table = pd.DataFrame(zones.drop(columns="geometry"))
    table = table[[c for c in _ZONE_COLUMNS if c in table.columns]]
    below = table["weekly_hours"] < floor if floor is not None else None
    if run["report"].get("kind") == "then":
        out = ["<h3>No zones: each provider's clients across the whole area</h3>"]
    elif floor:
        out = [f"<h3>Hours per zone (floor {floor:,.0f} h/week)</h3>"]
    else:
        out = ["<h3>Zones</h3>"]
    out.append(_table(table, below=below))
    shapes = [c for c in ("parts", "holes", "polsby_popper") if c in table.columns]
    if shapes:
        out.append(
            "<p class='note'>Shape: parts = polygons drawn, holes = other zones lying inside; "
            "Polsby-Popper = 4&pi;&middot;area/perimeter&sup2; (1 a circle, near 0 ragged). "
            f"Most parts {int(table['parts'].max())}, holes {int(table['holes'].sum())}, "
            f"mean Polsby-Popper {table['polsby_popper'].mean():.2f}.</p>"
        )
    providers = run["providers"]
    if providers is not None and not providers.empty:
        hours = next((c for c in providers.columns if "hours" in c), None)
        title = "Hours per provider"
        if minimum:
            title += f" (minimum {minimum:,.0f} h/week)"
        flag = providers[hours] < minimum if (minimum and hours) else None
        out += [f"<h3>{title}</h3>", _table(providers, below=flag)]
    return "".join(out)


def _unscheduled(run: dict[str, Any]) -> pd.DataFrame | None:
    visits = run["unscheduled"]
    if visits is None or "reason" not in visits:
        return None
    counts = visits["reason"].fillna("(none given)").value_counts()
    return counts.rename_axis("reason").rename("visits").reset_index()


def _rates(run: dict[str, Any]) -> pd.DataFrame | None:
    """The open-book rate lines among the outcomes (names with gbp or rate)."""
    outcomes = run["outcomes"]
    if outcomes is None or "outcome" not in outcomes:
        return None
    pick = outcomes["outcome"].astype(str).str.contains("gbp|rate|cost", case=False)
    return outcomes[pick] if pick.any() else None


def build_report(
    run_dir: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    title: str | None = None,
) -> tuple[Path, Path]:
    """Write the report pack of a run: ``report.html`` (A4, self-contained) and ``report.xlsx``.

    Parameters
    ----------
    run_dir
        A folder written by ``carezones zones``, ``scenario run`` or ``scenario compare``
        (``comparison.csv`` and a folder per scenario).
    out
        The HTML file (default ``RUN_DIR/report.html``); the workbook goes beside it.
    title
        The page's heading (default: the folder's name).

    Returns
    -------
    tuple of Path
        The HTML page and the workbook.

    Raises
    ------
    ValidationError
        When the folder holds no run (no zones.gpkg, outcomes.csv or comparison.csv), a
        file of it cannot be used (a link, truncated, not UTF-8, ragged, of the wrong
        kind, without the columns the report reads: every problem listed, see
        :func:`~carezones.report.runs.read_runs`), or ``out`` is a folder or not ``.html``.
        Nothing is written then.
    """
    t0 = time.perf_counter()
    folder = Path(run_dir)
    target = _target(folder, out)
    comparison, runs = read_runs(folder)
    if not runs and comparison is None:
        raise ValidationError(
            [Problem(str(folder), "no run here", "zones.gpkg, outcomes.csv or comparison.csv",
                     "none of them")]
        )  # fmt: skip
    heading = title or f"carezones report: {folder.resolve().name}"
    parts = [f"<h1>{html.escape(heading)}</h1>",
             f"<p class='note'>carezones {__version__}, {time.strftime('%Y-%m-%d')}. "
             "Map data &copy; OpenStreetMap contributors (ODbL). No client's address or "
             "position is in this report.</p>"]  # fmt: skip
    sheets: dict[str, pd.DataFrame] = {}
    maps = []
    for run in runs:
        if run["zones"] is not None and run["report"].get("kind") == "then":
            shown = whole_area(run["zones"])  # every provider across the whole area
            maps.append(_map_image(shown, None, f"{run['name']}: no zones"))
        elif run["zones"] is not None:
            lots = run["zones"][["zone_id", "lot_id"]] if "lot_id" in run["zones"] else None
            maps.append(_map_image(run["zones"], lots, f"{run['name']}: zones"))
    if maps:
        parts += ["<h2>Zones</h2><div class='maps'>", *maps, "</div>"]
        for run in runs:
            if run["map"] is not None:
                rel = os.path.relpath(run["map"], target.parent)
                parts.append(
                    f"<p><a class='live' href='{html.escape(rel)}'>Interactive map of "
                    f"{html.escape(run['name'])}</a> (opens offline)</p>"
                )
    if comparison is not None:
        comparison = comparison.rename(columns={comparison.columns[0]: "outcome"})
        parts += ["<h2>Then and now</h2>", comparison_html(comparison)]
        sheets["comparison"] = comparison
    parts += _providers_and_sensitivity(folder, comparison, sheets)
    for run in runs:
        prefix = f"{run['name']} " if len(runs) > 1 else ""
        parts.append(
            f"<h2>{html.escape(prefix or '')}{'h' if prefix else 'H'}ours against the floors</h2>"
        )
        parts.append(_zones_section(run))
        if run["outcomes"] is not None and comparison is None:
            parts += ["<h2>Outcomes</h2>", _table(run["outcomes"], limit=80)]
            sheets[f"{prefix}outcomes"] = run["outcomes"]
        rates = _rates(run)
        if rates is not None:
            parts += [f"<h3>{html.escape(prefix)}open-book rate</h3>", _table(rates)]
        unscheduled = _unscheduled(run)
        if unscheduled is not None:
            parts += [f"<h3>{html.escape(prefix)}unscheduled visits by reason</h3>",
                      _table(unscheduled)]  # fmt: skip
            sheets[f"{prefix}unscheduled"] = unscheduled
        if run["zones"] is not None:
            sheets[f"{prefix}zones"] = pd.DataFrame(run["zones"].drop(columns="geometry"))
        if run["providers"] is not None:
            sheets[f"{prefix}providers"] = run["providers"]
        if run["assumptions"] is not None:
            sheets[f"{prefix}assumptions"] = run["assumptions"]
    assumed = next((r["assumptions"] for r in runs if r["assumptions"] is not None), None)
    if assumed is not None:
        parts += ["<h2>Assumptions</h2>", _table(assumed, limit=80)]
    parts.append(
        f"<p class='note'>Built in {time.perf_counter() - t0:.1f} s from "
        f"{html.escape(str(folder))}. Tables with every row: report.xlsx.</p>"
    )
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(heading)}</title><style>{_CSS}</style></head><body>"
        + "".join(parts)
        + "</body></html>"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    book = write_workbook(sheets or {"empty": pd.DataFrame()}, target.with_suffix(".xlsx"))
    return target, book


def _figure_html(fig: Any, alt: str) -> str:
    """A matplotlib figure as an inline PNG."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode()
    return f"<figure><img alt='{html.escape(alt)}' src='data:image/png;base64,{data}' " \
        "style='width:100%'></figure>"


def _providers_and_sensitivity(
    folder: Path, comparison: pd.DataFrame | None, sheets: dict[str, pd.DataFrame]
) -> list[str]:
    """Issue 26's sections: what differs, each scenario's cost by size, the tornado chart.

    What differs from ``differences.csv`` (``scenario compare``); the cost by provider size
    from the comparison's cost rows (variable cost, fixed costs, offered rate, break-even
    hours, floor); the tornado chart from ``sensitivity.csv`` (``scenario sensitivity``).
    """
    out: list[str] = []
    changed = extra_table(folder, "differences.csv", ("parameter",))
    if changed is not None and len(changed):
        out += ["<h3>What differs between the scenarios</h3>",
                "<p class='note'>Every parameter whose value is not the same in all the "
                "scenarios, read from their files; nothing else differs.</p>",
                _table(changed, limit=80)]  # fmt: skip
        sheets["differences"] = changed
    rows = ("variable_cost_gbp_per_hour", "fixed_cost_gbp_per_provider_week", "offered_rate_gbp")
    if comparison is not None and set(rows) <= set(comparison["outcome"]):
        table = comparison.set_index("outcome")
        names = [c for c in table.columns if c != "unit" and not c.endswith((" min", " max", " %"))
                 and " - " not in c]  # fmt: skip
        curves, marks = {}, {}
        for name in names:
            v, fixed, offered = (float(table.at[r, name]) for r in rows)
            if not all(map(np.isfinite, (v, fixed, offered))):
                continue
            inputs = CostInputs(fixed_costs_gbp_per_week={"fixed": fixed})
            curves[name] = rate_curve(v, inputs=inputs, offered_rate=offered)
            if "break_even_weekly_hours" in table.index:
                marks[name] = float(table.at["break_even_weekly_hours", name])
        floor = (float(table.at["provider_floor_hours", names[0]])
                 if "provider_floor_hours" in table.index and names else None)  # fmt: skip
        if curves:
            fig = rate_curve_figure(curves, floor=floor, break_even=marks)
            out += ["<h2>What providers need, by their size</h2>",
                    "<p class='note'>Each scenario's costs per contact hour (pay for the hours "
                    "its terms pay, on-costs, mileage, overheads) with one provider's fixed "
                    "costs spread over its hours; where a curve crosses the offered rate is the "
                    "break-even size, beside the floor the commissioner chose.</p>",
                    _figure_html(fig, "the rate a provider needs by its size")]  # fmt: skip
            plt.close(fig)
    table = extra_table(folder, "sensitivity.csv",
                        ("assumption", "level", "value", "figure", "saving", "change"),
                        ("saving", "change"))  # fmt: skip
    if table is not None:
        fig = tornado_figure(table)
        band = table[table["level"].astype(str).str.startswith("seed")]
        seeds = band["level"].nunique() + 1
        budget = ""
        if "max_iterations" in table.columns and table["max_iterations"].notna().any():
            budget = f" at {int(table['max_iterations'].iloc[0])} iterations per zone-day"
        out += ["<h2>How sensitive the zones' saving is</h2>",
                "<p class='note'>The change in each headline saving (then minus now) with each "
                "assumption at the low and high end of its range; re-planned assumptions were "
                f"planned again for the whole week{budget} (the base too), re-priced ones "
                f"priced on the base plans. Grey: the saving's spread over {seeds} seeds at "
                "the base.</p>",
                _figure_html(fig, "tornado chart of the zones' saving")]  # fmt: skip
        plt.close(fig)
        sheets["sensitivity"] = table
    return out


def _target(folder: Path, out: str | os.PathLike[str] | None) -> Path:
    """The page to write (``--out``, default ``RUN_DIR/report.html``), checked first."""
    if out is None:
        return folder / "report.html"
    target = Path(out)
    if target.suffix.lower() not in (".html", ".htm") and not target.is_dir():
        raise ValidationError(
            [Problem(f"--out {target}", "not an HTML file", "a page name ending .html (the "
                     "workbook goes beside it, ending .xlsx)", repr(target.suffix or "none"))]
        )  # fmt: skip
    check_out_file(target)
    check_out_file(target.with_suffix(".xlsx"))
    return target
