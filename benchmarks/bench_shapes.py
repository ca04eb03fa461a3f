"""Zone shapes before and after cleaning: parts, holes, empty holes, Polsby-Popper, area.

Run: ``python benchmarks/bench_shapes.py [--only demo|camden|rutland|oxford] [--raw]
[--boundary]``.
``--raw`` also draws each plan with the fragment cleaning switched off (the polygons as
they were before issue 15), on the same clients and seed. Synthetic clients from
:func:`carezones.datasets.synthetic_population`; the UK extracts from the shared folder.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from carezones import datasets
from carezones.network import admin_boundary, load_network
from carezones.zoning import NeighbourhoodZoner
from carezones.zoning import plan as plan_module

CASES = {
    # name: (extract or None for the bundled Helsinki demo, clients, total hours, floor, zones)
    "demo": (None, 300, None, 300.0, "auto"),
    "camden": ("camden", 2000, 21000.0, 1000.0, 18),
    "rutland": ("rutland", 800, None, 1000.0, "auto"),
    "oxford": ("oxford", 800, 8000.0, 1000.0, "auto"),
}


def figures(zones: Any) -> str:
    """One line of shape figures of a zone table."""
    return (
        f"zones {len(zones)}, parts max {zones['parts'].max()} (total {zones['parts'].sum()}), "
        f"holes {zones['holes'].sum()} (empty {zones['empty_holes'].sum()}), "
        f"Polsby-Popper mean {zones['polsby_popper'].mean():.3f} "
        f"(min {zones['polsby_popper'].min():.3f}), area {zones['area_km2'].sum():.1f} km², "
        f"hours {zones['weekly_hours'].min():.0f}-{zones['weekly_hours'].max():.0f}, "
        f"pieces max {zones['pieces'].max()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument("--raw", action="store_true", help="also without the cleaning")
    parser.add_argument(
        "--boundary", action="store_true", help="clip to the extract's administrative boundary"
    )
    args = parser.parse_args()
    for name, (extract, n_clients, total, floor, n_zones) in CASES.items():
        if args.only not in (None, name):
            continue
        net = (
            datasets.load_default_network(modes="walk")
            if extract is None
            else load_network(datasets.shared_osm_path(extract), modes=("walk",))
        )
        clients, _, _ = datasets.synthetic_population(
            net, n_clients=n_clients, n_carers=max(n_clients // 3, 10), n_providers=4,
            total_weekly_hours=total, random_state=0,
        )  # fmt: skip
        border = None
        if args.boundary and extract is not None:
            source = datasets.shared_osm_path(extract)
            border = admin_boundary(source, points=net.nodes["walk"].geometry.iloc[::50])
        where = "" if border is None else f", clipped to {border['name'].iloc[0]}"
        if border is not None:
            where += f" ({border.to_crs(net.crs).area.iloc[0] / 1e6:.1f} km²)"
        print(
            f"== {name}: {len(clients)} clients, {clients['weekly_hours'].sum():,.0f} h/week{where}"
        )
        runs = [("raw", False), ("clean", True)] if args.raw else [("clean", True)]
        for label, clean in runs:
            original = plan_module.clean_labels
            if not clean:
                plan_module.clean_labels = lambda xy, graph, labels, w, **kw: np.asarray(labels)
            try:
                t0 = time.perf_counter()
                zoner = NeighbourhoodZoner(floor, n_zones=n_zones, boundary=border, random_state=0)
                zoner.fit(clients, network=net)
                seconds = time.perf_counter() - t0
            finally:
                plan_module.clean_labels = original
            empty = zoner.zones_["empty_parts"].sum()
            print(f"   {label:<5} {figures(zoner.zones_)}, empty parts {empty}; {seconds:.1f} s")


if __name__ == "__main__":
    main()
