"""Routes coloured by mode, and the legend's counts equal to the layer control's (issue 15)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from carezones import ValidationError
from carezones.maps import plan_map, routes_map
from carezones.maps.zones import MODE_COLOURS
from carezones.network import TravelNetwork
from test_maps import build_plan, layer_with


@pytest.fixture(scope="module")
def plan(helsinki: TravelNetwork) -> dict[str, Any]:
    return build_plan(helsinki)


def test_plan_map_colours_routes_by_mode_and_counts_agree(plan: dict[str, Any]) -> None:
    """In plan_map each leg has its mode's colour, a layer per zone; the counts agree."""
    page = plan_map(plan["zones"], lots=plan["lots"], routes=plan["legs"]).get_root().render()
    legs = layer_with(page, "leg")
    assert legs and all(f["properties"]["colour"] == MODE_COLOURS[f["properties"]["mode"]]
                        for f in legs)  # fmt: skip
    per_layer = dict(re.findall(r"Routes in (Z\d+)[^(]* \((\d+) carers?\)", page))
    assert set(per_layer) == set(plan["legs"]["zone_id"].astype(str))  # a layer per zone
    drawn = len({f["properties"]["carer_id"] for f in legs})
    legend = re.search(r"(\d+) carers, [\d,]+ legs, a layer per zone", page)
    assert legend and int(legend.group(1)) == drawn == sum(map(int, per_layer.values()))


def test_routes_map_refuses_an_unknown_colouring(plan: dict[str, Any]) -> None:
    """colour_by other than carer or mode is a clear error."""
    with pytest.raises(ValidationError, match="colour_by"):
        routes_map(plan["legs"], colour_by="zone")
