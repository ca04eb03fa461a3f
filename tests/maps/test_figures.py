"""Tests for carezones.figures: zone map, hours per zone and travel-to-care render to PNG."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from carezones import NeighbourhoodZoner, ValidationError, datasets, provider_lots
from carezones.maps import layers as ml
from carezones.maps.figures import hours_figure, travel_to_care_figure, zones_figure
from carezones.network import TravelNetwork

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def plan(helsinki: TravelNetwork) -> dict[str, Any]:
    clients, _, _ = datasets.synthetic_population(
        helsinki, n_clients=120, n_carers=5, n_providers=2, random_state=0
    )
    zoner = NeighbourhoodZoner(250, n_zones="auto", n_init=1, random_state=0).fit(
        clients, network=helsinki
    )
    lots = provider_lots(zoner.plan_, min_provider_hours=500, n_init=3, random_state=0)
    return {"network": helsinki, "zones": zoner.zones_, "lots": lots}


def png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=60)
    return out.getvalue()


def test_zones_figure_colours_each_zone_as_the_maps_do_and_labels_every_zone(
    plan: dict[str, Any],
) -> None:
    """Each zone in its map colour (neighbours differ), lots outlined, every zone labelled."""
    zones, lots = plan["zones"], plan["lots"]
    fig = zones_figure(zones, lots=lots, network=plan["network"], title="Zones")
    assert png(fig).startswith(PNG)
    ax = fig.axes[0]
    full = [t for t in ax.texts if t.get_gid() == "cz-zone-label"]
    ids = [t for t in ax.texts if t.get_gid() == "cz-zone-id"]
    assert sorted(t.get_text().split("\n")[0] for t in full) == sorted(zones["zone_id"])
    assert all("h/wk" in t.get_text() and "clients" in t.get_text() for t in full)
    assert sorted(t.get_text() for t in ids) == sorted(zones["zone_id"])
    for zone in zones["zone_id"]:  # each zone shows its full label or, where it collides, its id
        shown = [t for t in full + ids if t.get_text().split("\n")[0] == zone and t.get_visible()]
        assert len(shown) == 1, zone
    faces = {to_hex(c) for coll in ax.collections for c in np.atleast_2d(coll.get_facecolor())}
    colours = ml.zone_colours(zones)
    assert {c.lower() for c in colours.values()} <= faces
    touching = zones.geometry.buffer(1).intersects  # neighbours never share a colour
    for a in zones.itertuples():
        for b in zones[touching(a.geometry)].itertuples():
            assert a.zone_id == b.zone_id or colours[a.zone_id] != colours[b.zone_id]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [t.split(":")[0] for t in legend] == sorted(lots.lots["lot_id"])


def test_zones_figure_draws_into_given_axes(plan: dict[str, Any]) -> None:
    """With ax=..., the zones go into that axes and its figure is returned."""
    fig = Figure()
    ax = fig.add_subplot()
    assert zones_figure(plan["zones"], labels=False, ax=ax) is fig
    assert len(ax.texts) == 0 and len(ax.collections) >= 1
    assert png(fig).startswith(PNG)


def test_hours_figure_shows_each_zone_and_the_floor(plan: dict[str, Any]) -> None:
    """One bar per zone (grouped by lot) at its hours, the floor, zones below it in red."""
    zones = plan["zones"]
    floor = float(zones["weekly_hours"].median())
    fig = hours_figure(zones, floor=floor, lots=plan["lots"])
    assert png(fig).startswith(PNG)
    ax = fig.axes[0]
    lot_of = dict(zip(plan["lots"].zones["zone_id"], plan["lots"].zones["lot_id"], strict=True))
    ordered = zones.assign(lot=zones["zone_id"].map(lot_of)).sort_values(["lot", "zone_id"])
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx(ordered["weekly_hours"].tolist())
    names = [t.get_text() for t in ax.get_xticklabels()]  # each zone as the maps name it
    assert names == [f"{z} {lot}" for z, lot in zip(ordered["zone_id"], ordered["lot"],
                                                      strict=True)]  # fmt: skip
    (line,) = ax.get_lines()
    assert line.get_ydata()[0] == pytest.approx(floor)
    red = [to_hex(p.get_edgecolor()) == "#d62728" for p in ax.patches]
    assert red == (ordered["weekly_hours"] < floor).tolist()
    assert any("floor" in t.get_text() for t in ax.get_legend().get_texts())


def test_hours_figure_refuses_tables_without_hours() -> None:
    """A table without weekly_hours is refused, naming what was expected."""
    with pytest.raises(ValidationError, match="weekly_hours"):
        hours_figure(pd.DataFrame({"zone_id": ["Z1"]}))


def test_travel_to_care_figure_has_one_bar_per_scenario() -> None:
    """Bars follow the table's columns with the ratio and minutes per care hour written on."""
    table = pd.DataFrame(
        {"2015": [1.2, 0.05], "2025": [0.3, 0.45], "more cycling": [0.25, 0.6]},
        index=["travel_to_care_ratio", "active_visit_share"],
    )
    fig = travel_to_care_figure(table, title="Then vs now")
    assert png(fig).startswith(PNG)
    ax = fig.axes[0]
    assert [p.get_height() for p in ax.patches] == pytest.approx([1.2, 0.3, 0.25])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2015", "2025", "more cycling"]
    assert "(72 min per care hour)" in ax.texts[0].get_text()
    other = travel_to_care_figure(table, row="active_visit_share")
    assert [p.get_height() for p in other.axes[0].patches] == pytest.approx([0.05, 0.45, 0.6])


def test_travel_to_care_figure_names_missing_rows() -> None:
    """A table without travel_to_care_ratio is refused, listing the rows it has."""
    fig = travel_to_care_figure(pd.DataFrame({"a": [0.5]}, index=["travel_to_care_ratio"]))
    assert fig.axes[0].patches[0].get_height() == pytest.approx(0.5)
    with pytest.raises(ValidationError, match=r"travel_to_care_ratio.*cost"):
        travel_to_care_figure(pd.DataFrame({"a": [1.0]}, index=["cost"]))
    with pytest.raises(ValidationError, match="DataFrame"):
        travel_to_care_figure([1.0])  # type: ignore[arg-type]
