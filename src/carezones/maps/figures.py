"""Static figures for reports (matplotlib): zone map, hours per zone, travel-to-care.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot (no
global state, no display needed: it renders with the Agg backend), so
``fig.savefig("zones.png", dpi=200)`` works in scripts, CI and notebooks alike. Pass
``ax=`` to draw into an axes of your own figure instead. Colours match
:mod:`carezones.maps` (the same colour for the same lot).
"""

from __future__ import annotations

import textwrap
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patheffects import withStroke
from shapely.ops import polylabel

from carezones.exceptions import ProblemCollector
from carezones.maps import layers as ml
from carezones.network import TravelNetwork

__all__ = [
    "hours_figure",
    "rate_curve_figure",
    "tornado_figure",
    "travel_to_care_figure",
    "zones_figure",
]

_RATIO_ROWS = ("travel_to_care_ratio",)


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _zone_colour_list(frame: pd.DataFrame) -> list[str]:
    """Each row's zone colour (:func:`~carezones.maps.layers.zone_colours` with polygons)."""
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
        colour_of = ml.zone_colours(frame)
    else:
        order = sorted(frame["zone_id"].astype(str), key=ml.natural_key)
        colour_of = {z: ml.ZONE_COLOURS[i % len(ml.ZONE_COLOURS)] for i, z in enumerate(order)}
    return [colour_of[str(z)] for z in frame["zone_id"]]


def zones_figure(
    zones: Any,
    *,
    lots: Any = None,
    network: TravelNetwork | None = None,
    labels: bool = True,
    title: str | None = None,
    ax: Axes | None = None,
    compact: bool = False,
) -> Figure:
    """Zones each in its own colour (as on the maps), lots outlined, every zone labelled.

    Each zone takes the colour :func:`~carezones.maps.layers.zone_colours` gives it (the
    same as on the plan's web maps, never a neighbour's); a provider lot is a heavy
    outline. Each zone is labelled with its name, id, hours and clients; where that label
    would cover another (:func:`hide_overlapping_labels`) its id alone is written, so
    every zone can be found (a table of zones by id is the key).

    Parameters
    ----------
    zones
        Zones GeoDataFrame, :class:`~carezones.ZonePlan` or fitted zoner (as for
        :func:`carezones.maps.zones_map`).
    lots
        :class:`~carezones.ProviderLots`, a table with ``zone_id`` and ``lot_id``, or
        ``{zone_id: lot_id}``; None: no lot outlines.
    network
        Optional: its walking streets drawn in grey underneath.
    labels
        Write each zone's name, id, weekly hours and clients on it.
    title
        The figure's title.
    ax
        Draw into these axes instead of a new figure.
    compact
        Two-line labels (name and id; hours), for a page where a table gives the rest;
        the lots' key goes under the map, which then takes the figure's whole width.

    Examples
    --------
    >>> import io, geopandas as gpd, shapely
    >>> zones = gpd.GeoDataFrame({"zone_id": ["Z1", "Z2"], "weekly_hours": [1040.0, 980.0],
    ...     "n_clients": [70, 66]}, geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
    ...     crs=27700)
    >>> fig = zones_figure(zones, lots={"Z1": "L1", "Z2": "L2"}, title="Zones")
    >>> fig.savefig(io.BytesIO(), format="png")
    """
    frame = ml.zones_frame(zones, "zones_figure")
    frame = frame.to_crs(ml.metric_crs(frame))
    fig, ax = _axes(ax, (8, 8))
    colours = _zone_colour_list(frame)
    if network is not None:
        network.edges["walk"].to_crs(frame.crs).plot(ax=ax, color="#9a9a9a", linewidth=0.4)
    frame.plot(ax=ax, color=colours, alpha=0.75, edgecolor="#444444", linewidth=0.8)
    handles: list[Any] = []
    if lots is not None:
        handles = _lot_outlines(ax, frame, lots)
    if labels:
        _label_zones(ax, frame, compact=compact)
    if handles and compact:
        ax.legend(handles=handles, title="Provider lots", loc="upper left",
                  bbox_to_anchor=(0.0, -0.04), frameon=False, fontsize=8,
                  ncol=min(4, len(handles)))  # fmt: skip
    elif handles:
        ax.legend(handles=handles, title="Provider lots", loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)  # fmt: skip
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    hide_overlapping_labels(fig)
    return fig


def _lot_outlines(ax: Axes, frame: gpd.GeoDataFrame, lots: Any) -> list[Any]:
    """Each lot as a heavy outline; a legend handle per lot (with its hours)."""
    table = ml.lot_table(lots, "zones_figure")
    lot_of = dict(zip(table["zone_id"], table["lot_id"], strict=True))
    keyed = frame.assign(lot_id=frame["zone_id"].astype(str).map(lot_of)).dropna(
        subset=["lot_id"]
    )
    if keyed.empty:
        return []
    keyed["geometry"] = shapely.make_valid(keyed.geometry.to_numpy())
    has_hours = "weekly_hours" in keyed.columns
    columns = ["lot_id", "geometry", *(["weekly_hours"] if has_hours else [])]
    dissolved = keyed[columns].dissolve(by="lot_id", aggfunc="sum" if has_hours else "first")
    dissolved.boundary.plot(ax=ax, color="#111111", linewidth=2.2)
    provider_of = dict(zip(table["lot_id"], table["provider_id"], strict=True))
    handles = []
    for lot in sorted(dissolved.index, key=ml.natural_key):
        who = provider_of.get(lot)
        label = f"{lot}" + (f" ({who})" if who is not None and not pd.isna(who) else "")
        if has_hours:
            label += f": {dissolved.loc[lot, 'weekly_hours']:,.0f} h/week"
        handles.append(Line2D([0], [0], color="#111111", linewidth=2.2, label=label))
    return handles


def _label_zones(ax: Axes, frame: gpd.GeoDataFrame, *, compact: bool = False) -> None:
    """A full label and an id label per zone (the id shows where the full one cannot)."""
    halo = [withStroke(linewidth=2.5, foreground="white")]
    for row in frame.itertuples():
        geom = row.geometry
        if geom.geom_type == "MultiPolygon":
            geom = max(geom.geoms, key=lambda g: g.area)
        at = polylabel(geom, tolerance=1.0) if geom.area > 0 else geom.centroid
        lines = [str(row.zone_id)]
        name = getattr(row, "name", None) if "name" in frame.columns else None
        if isinstance(name, str) and name and name != str(row.zone_id):
            lines = [f"{name} ({row.zone_id})"] if compact else [name, f"({row.zone_id})"]
        if "weekly_hours" in frame.columns:
            lines.append(f"{row.weekly_hours:,.0f} h/wk")
        if "n_clients" in frame.columns and not compact:
            lines.append(f"{int(row.n_clients)} clients")
        area = float(row.geometry.area)
        label = ax.annotate("\n".join(lines), (at.x, at.y), ha="center", va="center",
                            fontsize=7.5, path_effects=halo)  # fmt: skip
        label.set_gid("cz-zone-label")
        label._cz_area = area  # type: ignore[attr-defined]
        short = ax.annotate(str(row.zone_id), (at.x, at.y), ha="center", va="center",
                            fontsize=8, fontweight="bold", path_effects=halo)  # fmt: skip
        short.set_gid("cz-zone-id")
        short._cz_area = area  # type: ignore[attr-defined]
        short.set_visible(False)


def hide_overlapping_labels(fig: Figure) -> int:
    """Keep zone labels apart at the figure's size, every zone with a label where it can.

    As on the web maps: each zone's id is placed first (small: ids hardly ever collide),
    then each zone's full label (name, hours; the larger zones first) replaces its own
    id wherever it clears every label already placed. A note under the map says how
    many zones show their id only (the table of zones, by id, is the key). Call again
    after resizing the figure.

    Returns
    -------
    int
        How many zones have no label at all (their ids would overlap others).
    """
    canvas = fig.canvas if hasattr(fig.canvas, "get_renderer") else FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    missing = 0
    for ax in fig.axes:
        full = sorted((t for t in ax.texts if t.get_gid() == "cz-zone-label"),
                      key=lambda t: -getattr(t, "_cz_area", 0.0))  # fmt: skip
        ids = {t.xy: t for t in ax.texts if t.get_gid() == "cz-zone-id"}
        placed: dict[Any, Any] = {}  # label -> its box
        for text in sorted(ids.values(), key=lambda t: -getattr(t, "_cz_area", 0.0)):
            text.set_visible(True)
            box = text.get_window_extent(renderer).expanded(1.1, 1.1)
            if any(box.overlaps(other) for other in placed.values()):
                text.set_visible(False)
                missing += 1
            else:
                placed[text] = box
        short = 0
        for text in full:
            own = ids.get(text.xy)
            text.set_visible(True)
            box = text.get_window_extent(renderer).expanded(1.04, 1.04)
            if any(box.overlaps(other) for t, other in placed.items() if t is not own):
                text.set_visible(False)
                short += own is not None and own in placed
                continue
            if own is not None and own in placed:
                own.set_visible(False)
                del placed[own]
            elif own is not None:
                missing -= 1  # its id collided, its full label did not
            placed[text] = box
        for note in [t for t in ax.texts if t.get_gid() == "cz-label-note"]:
            note.remove()
        if short or missing:
            ax.text(0.0, -0.01, f"{short} zones shown by their id (the table of zones gives each "
                    "one's name and hours)" + (f"; {missing} without a label" if missing else ""),
                    transform=ax.transAxes, fontsize=7, color="#555", va="top",
                    gid="cz-label-note")  # fmt: skip
    return missing


def hours_figure(
    zones: Any,
    *,
    floor: float | None = None,
    lots: Any = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Weekly hours of each zone as bars, with the sustainable floor as a line.

    Zones below the floor are outlined in red.

    Parameters
    ----------
    zones
        Zones with ``zone_id`` and ``weekly_hours`` (a table, ZonePlan or fitted zoner).
    floor
        The minimum weekly hours a zone should carry (e.g. the zoner's
        ``min_weekly_hours``); None: no line.
    lots
        Colour the bars by provider lot (as for :func:`zones_figure`).

    Examples
    --------
    >>> import io
    >>> zones = pd.DataFrame({"zone_id": ["Z1", "Z2", "Z3"], "weekly_hours": [1040, 980, 1210]})
    >>> fig = hours_figure(zones, floor=1000)
    >>> fig.savefig(io.BytesIO(), format="png")
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['Z1', 'Z2', 'Z3']
    """
    frame = zones.zones_ if hasattr(zones, "zones_") else getattr(zones, "zones", zones)
    if not isinstance(frame, pd.DataFrame) or not {"zone_id", "weekly_hours"} <= set(frame.columns):
        raise ProblemCollector("hours_figure").error(
            "bad zones", "a table with zone_id and weekly_hours", type(frame).__name__
        )
    colours = pd.Series(_zone_colour_list(frame), index=frame.index)
    frame = frame.assign(cz_colour=colours)
    lot_of = {}
    if lots is not None:
        table = ml.lot_table(lots, "hours_figure")
        lot_of = dict(zip(table["zone_id"], table["lot_id"], strict=True))
    frame = frame.assign(cz_lot=[lot_of.get(z, "") for z in frame["zone_id"].astype(str)])
    frame = frame.sort_values(
        ["cz_lot", "zone_id"], key=lambda s: s.map(ml.natural_key)
    ).reset_index(drop=True)
    fig, ax = _axes(ax, (max(5.0, 0.5 * len(frame) + 2), 4.8))
    hours = frame["weekly_hours"].to_numpy(float)
    below = np.zeros(len(frame), bool) if floor is None else hours < float(floor) - 1e-9
    ax.bar(
        _bar_names(frame),
        hours,
        color=frame["cz_colour"].to_numpy(),
        edgecolor=np.where(below, "#d62728", "#333333"),
        linewidth=np.where(below, 2.0, 0.6),
    )
    handles: list[Any] = []
    if floor is not None:
        handles.append(
            ax.axhline(
                float(floor),
                color="#d62728",
                linestyle="--",
                linewidth=1.2,
                label=f"floor: {float(floor):,.0f} h/week",
            )
        )
    if handles:
        ax.legend(
            handles=handles,
            fontsize=8,
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
        )
    ax.set_ylabel("weekly care hours")
    ax.set_xlabel("zone (provider lot)" if lot_of else "zone")
    named = "name" in frame.columns or bool(lot_of)
    ax.tick_params(axis="x", labelrotation=90 if len(frame) > 12 or named else 0)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title or "Weekly hours per zone")
    return fig


def _bar_names(frame: pd.DataFrame) -> list[str]:
    """Each bar's label: the zone's name and id (as on the maps), and its lot."""
    out = []
    for row in frame.itertuples():
        zone = str(row.zone_id)
        name = getattr(row, "name", None) if "name" in frame.columns else None
        text = f"{name} ({zone})" if isinstance(name, str) and name and name != zone else zone
        out.append(text + (f" {row.cz_lot}" if row.cz_lot else ""))
    return out


def travel_to_care_figure(
    comparison: pd.DataFrame,
    *,
    row: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Travel-to-care ratio of each scenario (e.g. then vs now) as bars.

    Parameters
    ----------
    comparison
        A comparison table: one row per measure (``travel_to_care_ratio`` among them),
        one column per scenario, in the order shown.
    row
        The row to draw; default ``travel_to_care_ratio``.

    Examples
    --------
    >>> import io
    >>> table = pd.DataFrame({"then": [1.10, 0.05], "now": [0.35, 0.45]},
    ...                      index=["travel_to_care_ratio", "active_visit_share"])
    >>> fig = travel_to_care_figure(table)
    >>> fig.savefig(io.BytesIO(), format="png")
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['then', 'now']
    """
    if not isinstance(comparison, pd.DataFrame):
        raise ProblemCollector("travel_to_care_figure").error(
            "bad table",
            "a DataFrame (rows: measures, columns: scenarios)",
            type(comparison).__name__,
        )
    wanted = [row] if row is not None else list(_RATIO_ROWS)
    found = [r for r in wanted if r in comparison.index]
    if not found:
        raise ProblemCollector("travel_to_care_figure").error(
            "missing row",
            " or ".join(wanted),
            ", ".join(map(str, comparison.index[:20])) or "no rows",
        )
    values = pd.to_numeric(comparison.loc[found[0]], errors="coerce")
    fig, ax = _axes(ax, (max(4.0, 1.3 * len(values) + 1.5), 4.2))
    names = [str(c) for c in values.index]
    heights = values.to_numpy(float)
    colours = [ml.LOT_COLOURS[i % len(ml.LOT_COLOURS)] for i in range(len(names))]
    bars = ax.bar(names, np.nan_to_num(heights), color=colours, edgecolor="#333333")
    for bar, v in zip(bars, heights, strict=True):
        text = "n/a" if np.isnan(v) else f"{v:.2f}\n({60 * v:.0f} min per care hour)"
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
            xytext=(0, 2),
            textcoords="offset points",
        )
    if np.isfinite(heights).any():
        ax.set_ylim(0, np.nanmax(heights) * 1.25 or 1.0)
    ax.set_ylabel("travel time / care time")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title or "Travel-to-care ratio")
    return fig


# ----------------------------------------------------------------- how sensitive (issue 26)

#: What each figure of a sensitivity is called on the tornado chart.
_FIGURE_LABELS = {
    "scheduled_share": "visits served (share)",
    "travel_to_care_ratio": "travel per hour of care",
    "walk_cycle_share": "visits walked or cycled (share)",
    "car_km_per_week": "car km a week",
    "paid_hours_per_week": "paid hours a week",
    "fte_needed": "FTE needed",
    "hourly_rate_gbp": "rate providers need, £/h",
    "cost_gbp_per_week": "cost for equal care, £/week (cover rate)",
    "own_rate_cost_gbp_per_week": "cost for equal care, £/week (own rate)",
}


def tornado_figure(
    table: pd.DataFrame,
    *,
    figures: list[str] | None = None,
    title: str | None = None,
) -> Figure:
    """How much each assumption moves the zones' saving: one tornado chart per headline figure.

    Each bar is the change in the saving (then minus now) with an assumption at the low
    (light) or high (dark) end of its range, from the base; assumptions are sorted by the
    larger of their two changes, the largest on top. The grey band is the saving's spread
    over seeds at the base (what the synthetic people and the solver alone move): a bar
    inside it is within the noise. Assumptions that only re-price the plan are marked
    "(re-priced)".

    Parameters
    ----------
    table
        :attr:`carezones.scenario.Sensitivity.table` (or its ``sensitivity.csv`` read
        back): ``assumption``, ``level``, ``value``, ``replanned``, ``figure``, ``saving``
        and ``change``.
    figures
        The figures to draw, in order; default every figure of the table.
    title
        The figure's title.

    Examples
    --------
    >>> import io
    >>> table = pd.DataFrame({
    ...     "assumption": ["base", "base", "car access", "car access"],
    ...     "level": ["base", "seed 1", "low", "high"], "value": ["", "", "40%", "80%"],
    ...     "replanned": True, "figure": "travel_to_care_ratio",
    ...     "saving": [0.10, 0.11, 0.05, 0.12], "change": [0.0, 0.01, -0.05, 0.02]})
    >>> fig = tornado_figure(table)
    >>> fig.savefig(io.BytesIO(), format="png")
    >>> [t.get_text().splitlines() for t in fig.axes[0].get_yticklabels()]
    [['car access', '40% / 80%']]
    """
    needed = {"assumption", "level", "value", "figure", "saving", "change"}
    if not isinstance(table, pd.DataFrame) or not needed <= set(table.columns):
        found = ", ".join(map(str, table.columns)) if isinstance(table, pd.DataFrame) else (
            type(table).__name__)  # fmt: skip
        raise ProblemCollector("tornado_figure").error("bad table", "the sensitivity table ("
                                       + ", ".join(sorted(needed)) + ")", found)
    shown = figures or list(dict.fromkeys(table["figure"].astype(str)))
    shown = [f for f in shown if f in set(table["figure"])]
    if not shown:
        raise ProblemCollector("tornado_figure").error(
            "no figure", "a figure of the table", repr(figures)
        )
    ncols = 2 if len(shown) > 1 else 1
    nrows = int(np.ceil(len(shown) / ncols))
    varied = table[table["level"].isin(["low", "high"])]
    n_assumptions = max(1, varied["assumption"].nunique())
    height = (0.55 * n_assumptions + 1.3) * nrows + 0.4
    fig = Figure(figsize=(11 if ncols == 2 else 6.5, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, figure in zip(axes, shown, strict=False):
        _tornado_panel(ax, table[table["figure"] == figure], figure)
    for ax in axes[len(shown):]:
        ax.set_visible(False)
    fig.suptitle(title or "How sensitive the zones' saving (then minus now) is", fontsize=11)
    return fig


def _tornado_panel(ax: Axes, rows: pd.DataFrame, figure: str) -> None:
    base = rows[rows["level"] == "base"]
    seeds = rows[rows["level"].astype(str).str.startswith(("base", "seed"))]
    saving = float(base["saving"].iloc[0]) if len(base) else float("nan")
    if len(seeds) > 1:
        spread = seeds["saving"].astype(float)
        ax.axvspan(spread.min() - saving, spread.max() - saving, color="#dddddd", zorder=0,
                   label="seed band")  # fmt: skip
    varied = rows[rows["level"].isin(["low", "high"])]
    order = (varied.assign(size=varied["change"].astype(float).abs())
             .groupby("assumption", sort=False)["size"].max().sort_values())  # fmt: skip
    labels = []
    for y, name in enumerate(order.index):
        mine = varied[varied["assumption"] == name].set_index("level")
        for level, colour, dy in (("low", "#9ecae1", 0.17), ("high", "#2171b5", -0.17)):
            if level in mine.index:
                change = float(mine.loc[level, "change"])
                ax.barh(y + dy, 0.0 if np.isnan(change) else change, color=colour, height=0.34,
                        edgecolor="#333333", linewidth=0.4,
                        label=f"{level} end" if y == 0 else None)  # fmt: skip
        values = " / ".join(str(mine.loc[lv, "value"]) for lv in ("low", "high")
                            if lv in mine.index)  # fmt: skip
        priced = "replanned" in mine.columns and not bool(
            str(mine["replanned"].iloc[0]).lower() in ("true", "1")
        )
        base_value = ""
        if "base_value" in mine.columns and not pd.isna(mine["base_value"].iloc[0]):
            base_value = str(mine["base_value"].iloc[0])
        values += f" (base {base_value})" if base_value else ""
        missing = [lv for lv in ("low", "high") if lv in mine.index
                   and np.isnan(float(mine.loc[lv, "change"]))]  # fmt: skip
        values += "".join(f"; {lv}: not run" for lv in missing)
        head = f"{name}{' (re-priced)' if priced else ''}"
        labels.append(head + "\n" + textwrap.fill(values, 34))
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.axvline(0.0, color="#333333", linewidth=0.8)
    unit = str(rows["unit"].iloc[0]) if "unit" in rows.columns and len(rows) else ""
    ax.set_xlabel(f"change in the saving ({unit})" if unit else "change in the saving",
                  fontsize=8)  # fmt: skip
    if np.isnan(saving):
        base_text = "n/a"
    else:
        base_text = f"{saving:,.0f}" if abs(saving) >= 100 else f"{saving:.3g}"
    ax.set_title(f"{_FIGURE_LABELS.get(figure, figure)}\nbase saving {base_text}", fontsize=9)
    ax.legend(fontsize=6, frameon=False, loc="best")
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)


def rate_curve_figure(
    curves: dict[str, pd.DataFrame],
    *,
    floor: float | None = None,
    break_even: dict[str, float] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The rate a provider needs to cover its costs against its size, per scenario, and the offer.

    A provider's costs per contact hour fall as its fixed costs spread over more hours;
    where its curve crosses the offered rate is its break-even size (marked). No
    surplus is included: above the offered rate a provider of that size loses money.

    Parameters
    ----------
    curves
        Scenario name to a :func:`carezones.outcomes.rate_curve` table
        (``provider_weekly_hours``, ``cost_gbp_per_hour``,
        ``offered_rate_gbp_per_hour``).
    floor
        The provider floor (h/week) to mark; None: none.
    break_even
        Scenario name to its break-even weekly hours (marked on its curve).
    title, ax
        The title; draw into these axes instead of a new figure.

    Examples
    --------
    >>> import io
    >>> from carezones.outcomes import rate_curve
    >>> fig = rate_curve_figure({"then": rate_curve(30.5), "now": rate_curve(28.0)},
    ...                         floor=1000, break_even={"now": 649.0})
    >>> fig.savefig(io.BytesIO(), format="png")
    >>> [line.get_label() for line in fig.axes[0].get_lines()][:2]
    ['then', 'now']
    """
    if not isinstance(curves, dict) or not curves:
        raise ProblemCollector("rate_curve_figure").error("bad value", "scenario name to a "
                                       "rate_curve table", type(curves).__name__)
    fig, ax = _axes(ax, (6.5, 4.2))
    offered = None
    top = 0.0
    for i, (name, curve) in enumerate(curves.items()):
        x = curve["provider_weekly_hours"].to_numpy(float)
        y = curve["cost_gbp_per_hour"].to_numpy(float)
        colour = ml.LOT_COLOURS[i % len(ml.LOT_COLOURS)]
        ax.plot(x, y, color=colour, label=str(name), linewidth=1.8)
        top = max(top, float(np.nanmax(y[np.isfinite(y)])) if np.isfinite(y).any() else 0.0)
        offered = float(curve["offered_rate_gbp_per_hour"].iloc[0])
        hours = (break_even or {}).get(name)
        if hours is not None and np.isfinite(hours) and x.min() <= hours <= x.max():
            ax.plot([hours], [offered], marker="o", color=colour, markersize=6)
            ax.annotate(f"{hours:,.0f} h", (hours, offered), xytext=(4, -12),
                        textcoords="offset points", fontsize=7, color=colour)  # fmt: skip
    if offered is not None:
        ax.axhline(offered, color="#333333", linestyle="--", linewidth=1,
                   label=f"offered £{offered:.2f}/h")  # fmt: skip
    if floor is not None and np.isfinite(floor):
        ax.axvline(floor, color="#b30000", linestyle=":", linewidth=1.2,
                   label=f"floor {floor:,.0f} h/week")  # fmt: skip
    ax.set_xscale("log")
    ticks = [t for t in (100, 200, 300, 500, 1000, 2000, 3000, 5000, 10000)
             if any(c["provider_weekly_hours"].min() <= t <= c["provider_weekly_hours"].max()
                    for c in curves.values())]  # fmt: skip
    ax.set_xticks(ticks, [f"{t:,}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("provider's contact hours a week")
    ax.set_ylabel("costs, £ per contact hour (no surplus)")
    low = min(float(c["cost_gbp_per_hour"].min()) for c in curves.values())
    ax.set_ylim(max(0.0, 0.9 * min(low, offered or low)), min(top, 3 * (offered or top)) * 1.02)
    ax.legend(fontsize=7, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title or "The rate a provider needs to cover its costs, by its size",
                 fontsize=10)  # fmt: skip
    return fig
