"""The report pack: one self-contained HTML page of a run (prints on A4) and its workbook.

:func:`build_report` reads what ``carezones zones``, ``routes``, ``scenario run`` or
``scenario compare`` wrote (``zones.gpkg``, ``report.json``, ``comparison.csv``, each
scenario's folder, and the exact tables of their ``data/`` folders) and writes
``report.html``, section by section:

1. page one (:func:`front_page`): what was run, each run's totals (clients and hours in
   zones, clients in no zone and why), a flag on any estimate (fewer days routed than a
   week), the key figures side by side, and what the hourly rate covers;
2. the then-vs-now table with units, differences and percentage changes
   (:func:`comparison_html`);
3. each run (:func:`run_section`): its zone map, large, every zone labelled on it or by
   its id with the table of zones as the key; hours per zone and per provider against
   the floors; the open-book rate; unscheduled visits by reason;
4. the assumptions of every run side by side (:func:`assumptions_section`);

and ``report.xlsx`` with a sheet per table. Every table is shown as the readable CSV
files are (:func:`carezones.tables.for_people`).
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

from carezones import outcomes
from carezones._files import check_out_file
from carezones._version import __version__
from carezones.exceptions import ProblemCollector
from carezones.maps import (
    hide_overlapping_labels,
    rate_curve_figure,
    tornado_figure,
    whole_area,
    zone_colours,
    zones_figure,
)
from carezones.outcomes import OUTCOMES, CostInputs, rate_curve
from carezones.report.runs import extra_table, read_runs
from carezones.report.tables import write_workbook
from carezones.tables import MEASURED_OVER_DAYS, for_people, quote, reading_of_unit, unit_text
from carezones.zoning import totals_line

__all__ = ["RATE_NOTE", "build_report", "comparison_html", "front_page", "run_section"]

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
td.text{text-align:left;white-space:normal}tr.differs td{font-weight:bold}
span.swatch{display:inline-block;width:9px;height:9px;margin-right:3px;
border:1px solid #555;vertical-align:-1px}
p.estimate{border:2px solid #b30000;color:#b30000;padding:2mm 3mm;font-weight:bold}
p.totals{margin:1mm 0}p.rate{border-left:3px solid #777;padding-left:3mm;font-size:9.5pt}
figure.map{margin:2mm 0;break-inside:avoid}figure.map img{width:100%;max-height:235mm;
object-fit:contain}figure.map.small img{width:45%}figcaption{font-size:9pt;color:#444}
th.text{text-align:left}
@page{size:A4;margin:12mm}
@media print{body{margin:0;max-width:none}h2,h3{break-after:avoid}table,figure{break-inside:avoid}
.live{display:none}section.run{break-before:page}}
"""

_ZONE_COLUMNS = ["zone_id", "name", "weekly_hours", "n_clients", "lot_id", "pieces", "parts",
                 "holes", "polsby_popper"]  # fmt: skip
_MAX_COLUMNS = 9  # what fits across A4; every column is in report.xlsx
_MEANINGS = {o.name: o.meaning for o in OUTCOMES} | {
    "run_time_seconds": "time carezones took to plan it",
}
#: The figures page one sets side by side (those a run has).
KEY_FIGURES = (
    "weekly_hours", "scheduled_share", "unserved_hours_per_week", "travel_to_care_ratio",
    "walk_cycle_share", "car_km_per_week", "co2e_kg_per_week", "punctuality_share",
    "distinct_carers_per_client", "providers_below_floor", "hourly_rate_gbp",
    "cost_gbp_per_week",
)  # fmt: skip

#: What the hourly rate covers, and why it may sit below the Minimum Price for Homecare.
RATE_NOTE = (
    "The hourly rate is the open-book cost of one contact hour in this plan: careworkers' "
    "pay at the National Living Wage for care, travel and training time, holiday and sick "
    "pay, employer National Insurance and pension, mileage for the miles driven, the "
    "costs of running the business and a 3% surplus, in the structure of the Homecare "
    "Association's Minimum Price for Homecare (£{mph:.2f} an hour in 2025/26). That price "
    "assumes {travel:g} minutes of paid travel by car for every 30-minute visit; a plan "
    "whose carers travel less (a zone's short walks, cycling, no mileage) or make longer "
    "visits costs less an hour, so its rate may sit below it. It is the cost of this "
    "plan's care under these assumptions, an estimate to set beside providers' own "
    "open-book figures, not a price to pay."
)


def _html_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return html.escape(f"{value:,}")
    return html.escape(str(value))


def _table(
    frame: pd.DataFrame | None,
    *,
    below: pd.Series | None = None,
    limit: int = 60,
    swatches: dict[str, str] | None = None,
    readable: bool = False,
    days: int | None = None,
) -> str:
    """An HTML table of a frame for people (rows beyond ``limit`` left out, and said so).

    ``swatches``: a colour square before each first-column value found in it (the key of
    a map); ``readable``: the frame is already for people; ``days``: the days routed.
    """
    if frame is None or frame.empty:
        return "<p class='note'>none</p>"
    head_rows = frame.head(limit).iloc[:, :_MAX_COLUMNS]
    shown = head_rows if readable else for_people(head_rows, days_routed=days)
    head = "".join(  # long snake_case headers may break after each underscore
        f"<th>{html.escape(str(c)).replace('_', '_<wbr>')}</th>" for c in shown.columns
    )
    rows = []
    flags = below.head(limit).to_numpy() if below is not None else [False] * len(shown)
    for flag, record in zip(flags, shown.itertuples(index=False), strict=True):
        cells = []
        for i, v in enumerate(record):
            mark = ""
            if i == 0 and swatches and str(v) in swatches:
                mark = f"<span class='swatch' style='background:{swatches[str(v)]}'></span>"
            text = isinstance(v, str) and i > 0  # words read from the left, figures right
            cells.append(f"<td{' class=text' if text else ''}>{mark}{_html_cell(v)}</td>")
        rows.append(f"<tr{' class=below' if flag else ''}>{''.join(cells)}</tr>")
    left = [f"{len(frame) - limit} more rows"] if len(frame) > limit else []
    if frame.shape[1] > _MAX_COLUMNS:
        left.append(f"{frame.shape[1] - _MAX_COLUMNS} more columns")
    more = f"<p class='note'>{' and '.join(left)} in report.xlsx</p>" if left else ""
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>{more}"


def _figure_text(value: Any, unit: Any) -> tuple[str, str]:
    """A figure as the readable tables show it, and its unit as they name it."""
    reading = reading_of_unit("" if pd.isna(unit) else str(unit))
    shown = quote(value, reading.kind)
    if shown is None or (isinstance(shown, float) and pd.isna(shown)):
        return "", reading.unit
    return (f"{shown:,}" if isinstance(shown, int) else str(shown)), reading.unit


def comparison_html(comparison: pd.DataFrame, *, days: int | None = None) -> str:
    """The then-vs-now table for a page, each outcome said in words.

    Each row: what the outcome is, its unit, each scenario's value (the mean with its
    range over seeds: ``9.7 (9.5-9.9)``), and each scenario's difference and percentage
    change from the first. Figures are shown as the readable tables show them (shares as
    percentages, money in pounds: :func:`carezones.tables.quote`).

    ``comparison`` is :func:`carezones.scenario.compare`'s table (or its CSV read back,
    the first column ``outcome``); ``days``: the days routed, when fewer than seven (each
    unit then says so, as the readable tables do). Every value is escaped.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["travel_to_care_ratio"], "unit": ["ratio"],
    ...     "then": [0.21], "then min": [0.2], "then max": [0.22], "now": [0.1],
    ...     "now min": [0.09], "now max": [0.11], "now - then": [-0.11],
    ...     "now vs then %": [-52.4]})
    >>> page = comparison_html(t)
    >>> "travel time over contact time" in page, "(0.09-0.11)" in page, "(-52.4%)" in page
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
        unit = unit_text(_figure_text(0, row["unit"])[1], key, days)
        if days is not None and days < 7 and key in MEASURED_OVER_DAYS:
            label = label.replace(" in a week", "") + f" (in the {days} day(s) routed)"
        cells = [
            f"<td>{html.escape(label)}<br><span class='id'>{html.escape(key)}</span></td>",
            f"<td>{html.escape(unit)}</td>",
        ]
        for c in plain:
            text, extra = _figure_text(row[c], row["unit"])[0], ""
            if c in ranged and text:
                low = _figure_text(row[c + " min"], row["unit"])[0]
                high = _figure_text(row[c + " max"], row["unit"])[0]
                extra = f"({low}-{high})" if low != high else ""
            if c in pct and text and not pd.isna(row[pct[c]]):
                extra = f"({row[pct[c]]:+.1f}%)"
            small = f"<br><span class='id'>{html.escape(extra)}</span>" if extra else ""
            cells.append(f"<td>{html.escape(text)}{small}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f"<table class='compare'><tr>{header}</tr>{''.join(rows)}</table>"


# ------------------------------------------------------------------------ what a run holds


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _figure(value: Any) -> float | None:
    """A finite number from report.json, else None (a hand-edited file names no floor)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e15
    return float(value) if ok else None


def _floors(run: dict[str, Any]) -> tuple[float | None, float | None]:
    """The zone floor and the provider minimum a run was held to (None when unknown)."""
    rep = run["report"]
    zones = _dict(rep.get("zones"))
    floor = _dict(zones.get("summary")).get(
        "min_weekly_hours",
        _dict(rep.get("summary")).get("min_weekly_hours",
                                      _dict(rep.get("zone_plan")).get("min_weekly_hours")),
    )  # fmt: skip
    lots = _dict(rep.get("provider_lots"))
    minimum = _dict(lots.get("summary", lots)).get("min_provider_hours")
    return _figure(floor), _figure(minimum)


def _outcome(run: dict[str, Any], name: str) -> float | None:
    """One outcome's value in a run (None when it has no such row)."""
    table = run["outcomes"]
    if table is None or "outcome" not in table or "value" not in table:
        return None
    row = table.loc[table["outcome"].astype(str) == name, "value"]
    value = pd.to_numeric(row, errors="coerce")
    return float(value.iloc[0]) if len(value) and pd.notna(value.iloc[0]) else None


def _days(run: dict[str, Any]) -> int | None:
    days = _outcome(run, "days_routed")
    return int(days) if days is not None else None


def _totals(run: dict[str, Any]) -> str | None:
    """The run's totals as every command says them (None when the run has no zones)."""
    rep = run["report"]
    if "totals" in rep:  # carezones routes
        summary = dict(_dict(rep["totals"]))
        return totals_line(summary, str(summary.pop("why", "") or ""))
    if "zone_plan" in rep:  # a scenario
        summary = _dict(rep["zone_plan"])
        return totals_line(summary, str(summary.get("why_unassigned", "") or ""))
    summary = _dict(rep.get("summary"))
    if "n_clients" not in summary:
        clients, hours = _outcome(run, "n_clients"), _outcome(run, "weekly_hours")
        if clients is None or hours is None:
            return None
        return f"{clients:,.0f} clients, {hours:,.0f} h/week"
    reasons = [str(_dict(r).get("reason", "")) for r in rep.get("unassigned", []) or []]
    kinds = pd.Series([r.split(" (")[0] for r in reasons], dtype=object).value_counts()
    return totals_line(summary, "; ".join(f"{n} {k}" for k, n in kinds.items()))


def _headline(run: dict[str, Any]) -> str:
    """What a run is, in a few words: "18 zones in 8 provider lots", "30 providers, no zones"."""
    zones = run["zones"]
    if zones is None:
        return "outcomes"
    if run["report"].get("kind") == "then":
        return f"{len(zones)} providers across the whole area, no zones"
    lots = zones["lot_id"].dropna().nunique() if "lot_id" in zones.columns else 0
    return f"{len(zones)} zones" + (f" in {lots} provider lots" if lots else "")


# ------------------------------------------------------------------------------ sections


def front_page(
    heading: str, folder: Path, runs: list[dict[str, Any]], comparison: pd.DataFrame | None
) -> list[str]:
    """Page one: what was run, totals, estimates flagged, key figures, what the rate covers."""
    parts = [f"<h1>{html.escape(heading)}</h1>",
             f"<p class='note'>carezones {__version__}, {time.strftime('%Y-%m-%d')}, from "
             f"{html.escape(folder.resolve().name)}. Map data &copy; OpenStreetMap "
             "contributors (ODbL). No client's address or position is in this report."
             "</p>"]  # fmt: skip
    estimates: dict[int, list[str]] = {}
    for run in runs:
        if (days := _days(run)) is not None and days < 7:
            estimates.setdefault(days, []).append(run["name"])
    for days, names in estimates.items():
        which = f" ({', '.join(names)})" if len(runs) > 1 else ""
        parts.append(
            f"<p class='estimate'>ESTIMATE{html.escape(which)}: {days} day{'s' * (days != 1)} "
            f"routed; every weekly figure is {'that day' if days == 1 else 'those days'} x "
            f"{7 / days:g}, and figures of continuity are of the days routed, not a week.</p>"
        )
    parts.append("<h2>What was planned</h2>")
    for run in runs:
        totals = _totals(run)
        who = f"<b>{html.escape(run['name'])}</b>: {html.escape(_headline(run))}"
        parts.append(f"<p class='totals'>{who}" + (f". {html.escape(totals)}." if totals else ".")
                     + "</p>")  # fmt: skip
    key = _key_figures(runs, comparison)
    if key:
        parts += ["<h2>Key figures</h2>", key]
    if any(_outcome(r, "hourly_rate_gbp") is not None for r in runs) or (
        comparison is not None and "hourly_rate_gbp" in set(comparison["outcome"].astype(str))
    ):
        note = RATE_NOTE.format(
            mph=outcomes.costing.MPH_HOURLY_RATE_GBP,  # the stage's public costing module
            travel=outcomes.costing.MPH_TRAVEL_MINUTES_PER_VISIT,
        )
        parts.append(f"<p class='rate'>{html.escape(note)}</p>")
    return parts


def _key_figures(runs: list[dict[str, Any]], comparison: pd.DataFrame | None) -> str:
    """The key outcomes of every run side by side, as the comparison table shows them."""
    counts = {d for r in runs if (d := _days(r)) is not None}
    days = counts.pop() if len(counts) == 1 else None
    if comparison is not None:
        keep = comparison[comparison["outcome"].astype(str).isin(KEY_FIGURES)]
        keep = keep.set_index(keep["outcome"].astype(str)).reindex(
            [k for k in KEY_FIGURES if k in set(keep["outcome"].astype(str))]
        )
        return comparison_html(keep.reset_index(drop=True), days=days) if len(keep) else ""
    run = runs[0] if len(runs) == 1 else None
    if run is None or run["outcomes"] is None or "outcome" not in run["outcomes"]:
        return ""
    table = run["outcomes"]
    keep = table[table["outcome"].astype(str).isin(KEY_FIGURES)]
    if keep.empty or "unit" not in keep:
        return ""
    frame = pd.DataFrame({"outcome": keep["outcome"], "unit": keep["unit"],
                          run["name"]: keep["value"]})  # fmt: skip
    return comparison_html(frame, days=days)


def _map_image(zones: gpd.GeoDataFrame, lots: Any, title: str, *, small: bool = False) -> str:
    """The zones as a large PNG image, inline (base64), labels kept apart at that size.

    The page's width and most of its height (the lots' key below the map); ``small``: a
    third of the page (one area, nothing to label).
    """
    fig = zones_figure(zones, lots=lots, title=title, compact=True)
    fig.set_size_inches(*((4.5, 4.5) if small else (7.4, 8.6)))
    hide_overlapping_labels(fig)  # at the size it is saved
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode()
    return (f"<figure class='map{' small' if small else ''}'><img alt='{html.escape(title)}' "
            f"src='data:image/png;base64,{data}'></figure>")  # fmt: skip


def _zone_table(run: dict[str, Any]) -> str:
    """Hours per zone against the floor: the map's key (each zone's colour and id)."""
    zones = run["zones"]
    floor, _ = _floors(run)
    table = pd.DataFrame(zones.drop(columns="geometry"))
    table = table[[c for c in _ZONE_COLUMNS if c in table.columns]]
    below = table["weekly_hours"] < floor if floor is not None else None
    if run["report"].get("kind") == "then":
        out = ["<h3>No zones: each provider's clients across the whole area</h3>"]
    elif floor:
        out = [f"<h3>Hours per zone (floor {floor:,.0f} h/week): the map's key</h3>"]
    else:
        out = ["<h3>Zones: the map's key</h3>"]
    swatches = None if run["report"].get("kind") == "then" else zone_colours(zones)
    out.append(_table(table, below=below, swatches=swatches))
    shapes = [c for c in ("parts", "holes", "polsby_popper") if c in table.columns]
    if shapes:
        out.append(
            "<p class='note'>Shape: parts = polygons drawn, holes = other zones lying inside; "
            "Polsby-Popper = 4&pi;&middot;area/perimeter&sup2; (1 a circle, near 0 ragged). "
            f"Most parts {int(table['parts'].max())}, holes {int(table['holes'].sum())}, "
            f"mean Polsby-Popper {table['polsby_popper'].mean():.2f}.</p>"
        )
    return "".join(out)


def _providers_table(run: dict[str, Any]) -> str:
    providers = run["providers"]
    if providers is None or providers.empty:
        return ""
    _, minimum = _floors(run)
    hours = next((c for c in providers.columns if "hours" in c), None)
    title = "Hours per provider"
    if minimum:
        title += f" (minimum {minimum:,.0f} h/week)"
    flag = providers[hours] < minimum if (minimum and hours) else None
    return f"<h3>{title}</h3>" + _table(providers, below=flag, days=_days(run))


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


def run_section(
    run: dict[str, Any],
    *,
    prefix: str,
    target: Path,
    comparison: pd.DataFrame | None,
    sheets: dict[str, pd.DataFrame],
) -> list[str]:
    """One run: its map (large), the table of zones as its key, providers, rate, unscheduled."""
    name = html.escape(run["name"])
    parts = [f"<section class='run'><h2>{name}: {html.escape(_headline(run))}</h2>"]
    zones = run["zones"]
    if zones is not None:
        if run["report"].get("kind") == "then":
            parts.append(_map_image(whole_area(zones), None, f"{run['name']}: no zones",
                                    small=True))
        else:
            lots = zones[["zone_id", "lot_id"]] if "lot_id" in zones else None
            parts.append(_map_image(zones, lots, f"{run['name']}: {_headline(run)}"))
        if run["map"] is not None:
            rel = os.path.relpath(run["map"], target.parent)
            parts.append(f"<p class='live'><a href='{html.escape(rel)}'>Interactive map of "
                         f"{name}</a> (opens offline)</p>")  # fmt: skip
        parts.append(_zone_table(run))
        sheets[f"{prefix}zones"] = pd.DataFrame(zones.drop(columns="geometry"))
    parts.append(_providers_table(run))
    if run["providers"] is not None:
        sheets[f"{prefix}providers"] = run["providers"]
    if run["outcomes"] is not None and comparison is None:
        parts += ["<h3>Outcomes</h3>", _table(run["outcomes"], limit=80, days=_days(run))]
        sheets[f"{prefix}outcomes"] = run["outcomes"]
    rates = _rates(run)
    if rates is not None:
        parts += ["<h3>Open-book rate</h3>", _table(rates, days=_days(run))]
    unscheduled = _unscheduled(run)
    if unscheduled is not None:
        parts += ["<h3>Unscheduled visits by reason</h3>", _table(unscheduled)]
        sheets[f"{prefix}unscheduled"] = unscheduled
    if run["assumptions"] is not None:
        sheets[f"{prefix}assumptions"] = run["assumptions"]
    parts.append("</section>")
    return parts


def assumptions_section(runs: list[dict[str, Any]]) -> list[str]:
    """Every run's assumptions side by side (rows where they differ in bold)."""
    named = [(r["name"], r["assumptions"]) for r in runs if r["assumptions"] is not None]
    named = [(n, t) for n, t in named if {"assumption", "value"} <= set(t.columns)]
    if not named:
        return []
    order: list[str] = []
    values: dict[str, dict[str, str]] = {}
    shapes: dict[str, str] = {}
    for name, table in named:
        for row in table.itertuples(index=False):
            key = str(row.assumption)
            if key not in values:
                order.append(key)
                values[key] = {}
            values[key][name] = "" if pd.isna(row.value) else str(row.value)
            if "shapes" in table.columns and not pd.isna(row.shapes):
                shapes.setdefault(key, str(row.shapes))
    head = ["assumption", *(n for n, _ in named)] + (["shapes"] if shapes else [])
    rows = []
    for key in order:
        cells = [values[key].get(n, "(not set)") for n, _ in named]
        differs = len(named) > 1 and len(set(cells)) > 1
        texts = [key, *cells] + ([shapes.get(key, "")] if shapes else [])
        tds = "".join(f"<td class='text'>{html.escape(t)}</td>" for t in texts)
        rows.append(f"<tr{' class=differs' if differs else ''}>{tds}</tr>")
    header = "".join(f"<th class='text'>{html.escape(h)}</th>" for h in head)
    note = ("<p class='note'>Rows in bold differ between the runs.</p>"
            if len(named) > 1 else "")  # fmt: skip
    return ["<h2>Assumptions</h2>", f"<table>{'<tr>' + header + '</tr>'}{''.join(rows)}</table>",
            note]  # fmt: skip


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
        A folder written by ``carezones zones``, ``routes``, ``scenario run`` or
        ``scenario compare`` (``comparison.csv`` and a folder per scenario).
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
        raise ProblemCollector(str(folder)).error(
            "no run here", "zones.gpkg, outcomes.csv or comparison.csv", "none of them"
        )
    if comparison is not None:
        comparison = comparison.rename(columns={comparison.columns[0]: "outcome"})
    heading = title or f"carezones report: {folder.resolve().name}"
    sheets: dict[str, pd.DataFrame] = {}
    parts = front_page(heading, folder, runs, comparison)
    if comparison is not None:
        counts = {d for r in runs if (d := _days(r)) is not None}
        days = counts.pop() if len(counts) == 1 else None
        parts += ["<h2>Then and now, every outcome</h2>", comparison_html(comparison, days=days)]
        sheets["comparison"] = comparison
    parts += _providers_and_sensitivity(folder, comparison, sheets)
    for run in runs:
        prefix = f"{run['name']} " if len(runs) > 1 else ""
        parts += run_section(run, prefix=prefix, target=target, comparison=comparison,
                             sheets=sheets)  # fmt: skip
    parts += assumptions_section(runs)
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
        raise ProblemCollector(f"--out {target}").error(
            "not an HTML file",
            "a page name ending .html (the workbook goes beside it, ending .xlsx)",
            repr(target.suffix or "none"),
        )
    check_out_file(target)
    check_out_file(target.with_suffix(".xlsx"))
    return target
