"""Small hand-made OSM XML files whose right answer is known."""

from __future__ import annotations

from pathlib import Path

# A 3 x 3 grid of residential streets near King's Cross (lon/lat), nodes 1..9:
#   7 8 9
#   4 5 6
#   1 2 3
_GRID_WAYS = {
    100: [1, 2, 3], 101: [4, 5, 6], 102: [7, 8, 9],
    103: [1, 4, 7], 104: [2, 5, 8], 105: [3, 6, 9],
}  # fmt: skip

#: Special ways: id -> (node ids, tags). Each joins grid nodes, so it stays in the
#: largest connected part of every mode it belongs to.
SPECIAL_WAYS: dict[int, tuple[list[int], dict[str, str]]] = {
    200: ([1, 5], {"highway": "footway"}),
    201: ([3, 5], {"highway": "motorway", "oneway": "no"}),
    202: ([7, 5], {"highway": "residential", "foot": "no"}),
    203: ([9, 5], {"highway": "service", "access": "private"}),
    204: ([2, 4], {"highway": "cycleway"}),
    205: ([6, 8], {"highway": "footway", "bicycle": "designated"}),
    206: ([1, 2, 5, 4, 1], {"building": "yes"}),
    207: ([20, 21, 22, 23, 20], {"building": "house"}),
    208: ([4, 8], {"highway": "residential", "oneway": "yes"}),
}

#: Which modes each special way belongs to.
EXPECTED_MODES: dict[int, set[str]] = {
    200: {"walk"},
    201: {"drive"},
    202: {"cycle", "drive"},
    203: set(),
    204: {"cycle"},
    205: {"walk", "cycle"},
    206: set(),
    207: set(),
    208: {"walk", "cycle", "drive"},
}


def _node_xml(nid: int, lon: float, lat: float) -> str:
    stamp = 'version="1" timestamp="2024-01-01T00:00:00Z"'
    return f'  <node id="{nid}" {stamp} lat="{lat:.7f}" lon="{lon:.7f}"/>'


def _way_xml(wid: int, nodes: list[int], tags: dict[str, str]) -> str:
    body = [f'  <way id="{wid}" version="1" timestamp="2024-01-01T00:00:00Z">']
    body += [f'    <nd ref="{n}"/>' for n in nodes]
    body += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
    body.append("  </way>")
    return "\n".join(body)


def grid_osm_xml(*, with_highways: bool = True) -> str:
    """OSM XML text of the hand-made grid (or of its buildings only)."""
    lon0, lat0, step = -0.1250, 51.5300, 0.0015
    nodes = [_node_xml(i + 1, lon0 + (i % 3) * step, lat0 + (i // 3) * step) for i in range(9)]
    corners = [(0, 0), (1, 0), (1, 1), (0, 1)]  # a house north of the grid
    nodes += [
        _node_xml(20 + i, lon0 + 0.0002 + dx * 0.0003, lat0 + 0.004 + dy * 0.0003)
        for i, (dx, dy) in enumerate(corners)
    ]
    ways = []
    if with_highways:
        ways += [_way_xml(w, n, {"highway": "residential"}) for w, n in _GRID_WAYS.items()]
        ways += [_way_xml(w, n, t) for w, (n, t) in SPECIAL_WAYS.items()]
    else:
        ways += [_way_xml(w, n, t) for w, (n, t) in SPECIAL_WAYS.items() if "highway" not in t]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="carezones-tests">\n'
        + "\n".join(nodes + ways)
        + "\n</osm>\n"
    )


def write_grid_osm(folder: Path, name: str = "grid.osm", *, with_highways: bool = True) -> Path:
    """Write the hand-made grid as OSM XML (``.osm``, ``.osm.gz`` or ``.osm.bz2`` by name)."""
    text = grid_osm_xml(with_highways=with_highways).encode()
    path = folder / name
    if name.endswith(".gz"):
        import gzip

        path.write_bytes(gzip.compress(text))
    elif name.endswith(".bz2"):
        import bz2

        path.write_bytes(bz2.compress(text))
    else:
        path.write_bytes(text)
    return path
