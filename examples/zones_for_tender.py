r"""Zones for a tender: neighbourhood zones and provider lots, written to a GeoPackage.

Draws neighbourhood zones on the walking network (each zone one connected piece, at least
``--min-hours`` a week), checks the plan, groups the zones into provider lots of at least
``--min-provider-hours``, and writes what a tender needs. By default on the bundled
central-Helsinki extract with a generated population (no real person); a few seconds.

    python examples/zones_for_tender.py --out tender
    python examples/zones_for_tender.py --osm rutland --n-clients 400 --total-hours 4000 \\
        --min-hours 500 --n-providers 3 --min-provider-hours 1000 --out tender-rutland
    python examples/zones_for_tender.py --osm borough.osm.pbf --clients clients.csv ...

Writes to ``--out``:

- ``zones.gpkg``: layer ``zones`` (zone, lot, weekly hours, clients, area, walking minutes
  to the centre) and layer ``provider_lots``; no client's location is in it;
- ``zones.csv``: the same zone table without geometry, and ``check.json``, the plan's
  check (every rule broken, none for a good plan);
- ``assignments.csv``: each client's zone and lot, or the reason it has none (ids only);
- ``zones.png`` (report figure) and ``zones_map.html`` (opens offline; demand as counts
  per hexagon).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import carezones as cz
from carezones import datasets, maps


def _network_file(name: str | None) -> Path:
    if name is None:
        return datasets.default_osm_path()
    if name in datasets.UK_EXTRACTS:
        return datasets.shared_osm_path(name)
    return Path(name)


def _n_zones(text: str) -> int | str:
    return text if text == "auto" else int(text)


def main(argv: list[str] | None = None) -> None:
    """Draw, check, group and write the zones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("tender"), help="Output folder.")
    parser.add_argument(
        "--osm",
        help="OSM extract: a file, or a shared extract's name (rutland, camden, oxford, leeds); "
        "default the bundled central Helsinki.",
    )
    parser.add_argument(
        "--clients", type=Path, help="Clients file (CSV, GeoPackage, ...); default generated."
    )
    parser.add_argument("--n-clients", type=int, default=80, help="Clients to generate.")
    parser.add_argument("--total-hours", type=float, help="Rescale generated hours to this.")
    parser.add_argument("--min-hours", type=float, default=150, help="Zone floor, h/week.")
    parser.add_argument("--n-zones", type=_n_zones, default="auto", help="A number or 'auto'.")
    parser.add_argument("--n-providers", type=int, default=2, help="Provider lots.")
    parser.add_argument(
        "--min-provider-hours", type=float, default=300, help="Lot minimum, h/week."
    )
    parser.add_argument("--seed", type=int, default=0, help="Random seed.")
    args = parser.parse_args(argv)

    source = _network_file(args.osm)
    print(f"[1/4] Walking network of {source.name} (© OpenStreetMap contributors)", flush=True)
    net = cz.load_network(source, modes=("walk",))
    if args.clients is not None:
        clients = cz.read_clients(args.clients, network=net)
    else:
        clients, _, _ = datasets.synthetic_population(
            net,
            n_clients=args.n_clients,
            n_carers=0,
            n_providers=1,
            total_weekly_hours=args.total_hours,
            random_state=args.seed,
        )
    print(f"      {len(clients)} clients, {clients['weekly_hours'].sum():,.0f} h/week")

    print(f"[2/4] Zones of at least {args.min_hours:g} h/week", flush=True)
    zoner = cz.NeighbourhoodZoner(
        args.min_hours, n_zones=args.n_zones, n_init=1, random_state=args.seed
    ).fit(clients, network=net)
    print("      " + str(zoner.report_).replace("\n", "\n      "))

    print(f"[3/4] {args.n_providers} provider lots of at least {args.min_provider_hours:g} h/week")
    lots = cz.provider_lots(
        zoner.plan_,
        n_providers=args.n_providers,
        min_provider_hours=args.min_provider_hours,
        random_state=args.seed,
    )
    print("      " + str(lots).replace("\n", "\n      "))

    print(f"[4/4] Writing to {args.out}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    keep = ["zone_id", "lot_id", "weekly_hours", "n_clients", "area_km2", "minutes_to_centre"]
    zones = zoner.zones_.merge(lots.zones[["zone_id", "lot_id"]], on="zone_id")[[*keep, "geometry"]]
    gpkg = args.out / "zones.gpkg"
    gpkg.unlink(missing_ok=True)
    zones.to_file(gpkg, layer="zones")
    lots.lots.drop(columns="provider_id").to_file(gpkg, layer="provider_lots")
    zones.drop(columns="geometry").to_csv(args.out / "zones.csv", index=False)
    (args.out / "check.json").write_text(json.dumps(zoner.report_.to_dict(), indent=1))
    assignments = zoner.plan_.assignments()
    assignments["lot_id"] = assignments["zone_id"].map(lots.zones.set_index("zone_id")["lot_id"])
    why = dict(zip(zoner.unassigned_["client_id"], zoner.unassigned_["reason"], strict=True))
    assignments["reason"] = [why.get(c, "") for c in assignments["client_id"]]
    assignments.to_csv(args.out / "assignments.csv", index=False)
    fig = maps.zones_figure(zoner, lots=lots, network=net, title="Zones for the tender")
    fig.savefig(args.out / "zones.png", dpi=150)
    m = maps.plan_map(zoner, lots=lots, clients=clients, network=net, offline=True)
    maps.save_map(m, args.out / "zones_map.html", offline=True)
    for name in ("zones.gpkg", "zones.csv", "check.json", "assignments.csv", "zones.png",
                 "zones_map.html"):  # fmt: skip
        print(f"      {(args.out / name).resolve()}")


if __name__ == "__main__":
    main()
