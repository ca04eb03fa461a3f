"""In a real browser: headless Chromium opens saved offline maps with networking blocked.

Needs Debian's ``chromium`` package (``apt-get install -y chromium``); skipped when
``/usr/bin/chromium`` (or ``$CAREZONES_CHROMIUM``) is absent. Set
``$CAREZONES_SCREENSHOTS`` to a folder to keep the screenshots.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from browser_check import CHROMIUM, chromium, count, keep, maps, share_of_colour, visible_legends
from carezones.maps import layers as ml
from carezones.maps import plan_map, save_map, then_now_map
from carezones.network import TravelNetwork
from test_maps import build_plan, layer_with

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"headless Chromium absent ({CHROMIUM}): apt-get install -y chromium",
)


@pytest.fixture(scope="module")
def plan(helsinki: TravelNetwork) -> dict[str, Any]:
    return build_plan(helsinki)


def test_offline_plan_map_draws_zones_routes_and_legend(
    plan: dict[str, Any], tmp_path: Path
) -> None:
    """With no network, Chromium draws every zone, every route leg, labels and the legends."""
    from matplotlib.image import imread

    m = plan_map(
        plan["zones"],
        lots=plan["lots"],
        routes=plan["legs"],
        clients=plan["clients"],
        carers=plan["carers"],
        network=plan["network"],
        offline=True,
        title="carezones: Helsinki plan",
    )
    html = save_map(m, tmp_path / "plan.html", offline=True)
    legs = len(layer_with(html.read_text(), "leg"))
    dom = chromium(html, tmp_path / "profile", "--dump-dom").stdout
    assert len(maps(dom)) == 1 and not re.search(r"<img[^>]*leaflet-tile", dom)
    assert count(dom, "cz-zone") == len(plan["zones"])
    assert legs > 0 and count(dom, "cz-route") == legs
    assert dom.count('class="cz-network"') == 1  # drawn, not clickable
    assert dom.count('<div class="cz-zone-label">') == len(plan["zones"])
    assert count(dom, "cz-demand") == 0 and count(dom, "cz-carer") == 0  # layers start off
    shown = visible_legends(dom)
    assert "Zones and provider lots" in shown and "Routes by mode" in shown
    assert "Demand per hexagon" not in shown  # its layer is off

    picture = tmp_path / "plan.png"
    chromium(html, tmp_path / "profile2", f"--screenshot={picture}")
    keep(picture)
    image = imread(picture)
    assert image.shape[:2] == (900, 1200)
    for colour in set(ml.zone_colours(plan["zones"]).values()):  # each zone in its colour
        assert share_of_colour(image, colour, 0.45, "#f4f3ef") > 0.002, colour


def test_offline_then_now_map_draws_both_sides(plan: dict[str, Any], tmp_path: Path) -> None:
    """Both sides of a then-vs-now page are drawn offline, each with its own layers."""
    dm = then_now_map(
        {"clients": plan["clients"]},
        {"zones": plan["zones"], "lots": plan["lots"], "routes": plan["legs"]},
        titles=("Then: no zones", "Now: zones and routes"),
        network=plan["network"],
        offline=True,
    )
    html = save_map(dm, tmp_path / "then_now.html", offline=True)
    dom = chromium(html, tmp_path / "profile", "--dump-dom").stdout
    assert len(maps(dom)) == 2
    assert count(dom, "cz-demand") > 0 and count(dom, "cz-zone") == len(plan["zones"])
    assert count(dom, "cz-route") > 0 and dom.count('class="cz-network"') == 2
    picture = tmp_path / "then_now.png"
    chromium(html, tmp_path / "profile2", f"--screenshot={picture}")
    keep(picture)
    assert picture.stat().st_size > 10_000


HOSTILE = "<img src=x onerror=\"document.body.setAttribute('data-pwned', 'yes')\">"

# Opens every tooltip (as a hover would) and every popup once the page has loaded, so any
# markup in a property value gets its chance to run.
HOVER_ALL = """
<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    Object.keys(window).filter(function (k) { return k.indexOf("map_") === 0; })
      .forEach(function (k) {
        var map = window[k];
        if (!map || !map.eachLayer) { return; }
        map.eachLayer(function (layer) {
          var at = layer.getLatLng ? layer.getLatLng()
                 : (layer.getBounds ? layer.getBounds().getCenter() : null);
          if (!at) { return; }
          layer.fire("mouseover", {latlng: at}, true);
          layer.fire("click", {latlng: at}, true);
          if (layer.openTooltip) { try { layer.openTooltip(at); } catch (e) {} }
          if (layer.openPopup) { try { layer.openPopup(at); } catch (e) {} }
          document.body.setAttribute("data-hovered",
            String(Number(document.body.getAttribute("data-hovered") || 0) + 1));
        });
      });
  }, 500);
});
</script>
"""


def test_hostile_ids_do_nothing_in_a_saved_map(plan: dict[str, Any], tmp_path: Path) -> None:
    """Ids, a title and layer names holding <img onerror=...> show as text and run nothing."""
    from carezones.maps import carers_map, demand_map, routes_map, zones_map

    zones = plan["zones"].assign(zone_id=[f"{HOSTILE}{i}" for i in range(len(plan["zones"]))])
    legs = plan["legs"].assign(carer_id=HOSTILE + plan["legs"]["carer_id"].astype(str))
    carers = plan["carers"].assign(carer_id=HOSTILE + plan["carers"]["carer_id"].astype(str))
    clients = plan["clients"].assign(client_id=HOSTILE + plan["clients"]["client_id"])
    lots = {z: HOSTILE + "lot" for z in zones["zone_id"]}
    m = zones_map(zones, lots=lots, name=HOSTILE)
    routes_map(legs, m=m, name=HOSTILE)
    carers_map(carers, m=m, exact=True, name=HOSTILE)
    demand_map(clients, m=m, exact=True, name=HOSTILE)
    ml.add_title(m, HOSTILE)
    html = save_map(m, tmp_path / "hostile.html", offline=True)
    page = html.read_text()
    assert "<img src=x" not in page  # escaped wherever it is written
    html.write_text(page.replace("</body>", HOVER_ALL + "</body>"))
    dom = chromium(html, tmp_path / "profile", "--dump-dom").stdout
    hovered = re.search(r'data-hovered="(\d+)"', dom)
    assert hovered is not None and int(hovered.group(1)) > len(zones)  # the tooltips opened
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None and "data-pwned" not in body.group(0)  # no onerror ran
    assert not re.search(r"<img src=\"?x", dom)  # no such element was made
    assert "&lt;img src=x" in dom  # the ids are shown, as text
