"""Benchmark: offline geocoding of 5,000 Camden addresses.

Run from the repository root (needs ../shared/data/osm)::

    python benchmarks/bench_geocode.py              # 5,000 addresses
    python benchmarks/bench_geocode.py --n 20000    # more

The addresses are sampled from the Camden extract's own OSM addresses (buildings and
address points with a house number and a street) and written the way a case system would
hold them, with variants: abbreviated street types (Rd, St, Ave, ...), changed case and
punctuation, flat prefixes, a letter after the number, a typo in the street name, the
street left out (postcode only), a postcode unit in no file (placed by its sector), and a few
bad postcodes. A postcode file in ONSPD layout
is generated from the OSM postcodes (their OSM centroids, moved 30 m, stand in for the
ONS centroids).

It prints, measured in this one run: the time to build the geocoder (reading the extract's
addresses) and to geocode the rows, the counts per match quality, and how far each
address match lies from the OSM object the row was made from.

``--held-out`` measures the other case of issue 14, houses the extract lacks: 10% of the
numbered houses of Camden and of Rutland (one per street and number, on streets keeping
at least three other numbered houses) are taken out of the geocoder's index, their street
kept, and geocoded by number, street and postcode. It prints how each was placed and how
far from the truth: a row placed at address level more than 100 m away is another house
(the target is at most 1%); the others should be on their own street (quality
``street``) or at their postcode::

    python benchmarks/bench_geocode.py --held-out

Measured on the 2-core project machine (issue 14; seed 0): Camden 1,128 houses held out,
0 placed at address level more than 100 m away (the geocoder before issue 14: 27, 2.4%,
95th percentile 3.1 km, by similar street names and wrong-side ranges); 1,048 placed on
their street, median 2.3 m from the truth; Rutland 29 held out, 0 (before: 2, 9 km away,
a same-named street in another village).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from carezones import datasets
from carezones.exceptions import ValidationError
from carezones.geocode import Geocoder, normalise_postcode, read_osm_addresses, read_postcodes

ABBREVIATE = {
    "Street": "St", "Road": "Rd", "Avenue": "Ave", "Lane": "Ln", "Crescent": "Cres",
    "Gardens": "Gdns", "Place": "Pl", "Square": "Sq", "Terrace": "Terr", "Court": "Ct",
    "Drive": "Dr",
}  # fmt: skip
KINDS = (
    "clean", "abbreviated", "shouting", "flat", "letter", "typo", "postcode only",
    "new postcode", "bad",
)  # fmt: skip
WEIGHTS = (0.25, 0.2, 0.1, 0.1, 0.1, 0.1, 0.07, 0.03, 0.05)


def variant(kind: str, number: str, street: str, postcode: str | None, rng: np.random.Generator):
    """One address line and postcode written the way ``kind`` says."""
    if kind == "abbreviated":
        for long, short in ABBREVIATE.items():
            street = re.sub(rf"\b{long}\b", short + rng.choice(["", "."]), street)
    elif kind == "shouting":
        street = street.upper().replace("'", "")
        postcode = postcode.lower().replace(" ", "") if postcode else None
    elif kind == "letter" and number.isdigit():
        number += rng.choice(["a", "A", " b"])
    elif kind == "typo" and len(street) > 8:
        i = int(rng.integers(1, len(street) - 5))
        street = street[:i] + street[i + 1 :]
    if kind == "postcode only":
        return "", postcode
    if kind == "new postcode" and postcode:
        return "", postcode[:-2] + "ZZ"  # a unit in neither file: placed by its sector
    if kind == "bad" and postcode:
        postcode = postcode.replace(" ", "")[:-1] + "!"
    line = f"{number} {street}, London"
    if kind == "flat":
        line = f"Flat {int(rng.integers(1, 30))}, {line}"
    return line, postcode


def make_rows(addresses, n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    usable = addresses[addresses["housenumber"].notna() & addresses["street"].notna()]
    with_postcode = usable["postcode"].map(normalise_postcode).notna().to_numpy()
    kinds = rng.choice(KINDS, size=n, p=WEIGHTS)
    # Rows written by postcode alone, or with a spoilt postcode, are drawn from the OSM
    # addresses that have a postcode; the others from all.
    needs = np.isin(kinds, ["postcode only", "new postcode", "bad"])
    pick = np.where(
        needs,
        rng.choice(np.flatnonzero(with_postcode), size=n),
        rng.choice(len(usable), size=n),
    )
    sample = usable.iloc[pick]
    lines, postcodes = [], []
    for kind, number, street, pc in zip(
        kinds, sample["housenumber"], sample["street"], sample["postcode"], strict=True
    ):
        line, postcode = variant(kind, number, street, normalise_postcode(pc), rng)
        lines.append(line)
        postcodes.append(postcode or "")
    rows = pd.DataFrame(
        {
            "client_id": [f"c{i:05d}" for i in range(n)],
            "address": lines,
            "postcode": postcodes,
            "kind": kinds,
        }
    )
    return rows, pick_points(sample)


def pick_points(sample) -> np.ndarray:
    return shapely.centroid(sample.geometry.to_crs(27700).values)


def onspd_file(addresses, folder: Path, rng: np.random.Generator) -> Path:
    pcs = addresses["postcode"].map(normalise_postcode)
    points = pick_points(addresses)
    table = pd.DataFrame(
        {"pcds": pcs, "x": shapely.get_x(points), "y": shapely.get_y(points)}
    ).dropna()
    table = table.groupby("pcds", as_index=False).mean()
    table["oseast1m"] = (table["x"] + rng.uniform(-30, 30, len(table))).round()
    table["osnrth1m"] = (table["y"] + rng.uniform(-30, 30, len(table))).round()
    table["pcd"] = table["pcds"].str.replace(" ", "")
    path = folder / "ONSPD_sample.csv"
    table[["pcd", "pcds", "oseast1m", "osnrth1m"]].to_csv(path, index=False)
    return path


def held_out(name: str, share: float, rng: np.random.Generator) -> None:
    """Geocode houses taken out of the index (their street kept) and print where they went."""
    from carezones.geocode.text import house_number_keys, street_key

    path = datasets.shared_osm_path(name)
    addresses = read_osm_addresses(path)
    usable = addresses[addresses["housenumber"].notna() & addresses["street"].notna()].copy()
    usable["key"] = usable["street"].map(street_key)
    usable["number"] = usable["housenumber"].map(lambda t: house_number_keys(t)[0])
    usable = usable[usable["number"].str.fullmatch(r"\d+[A-Z]?")]
    pairs = usable.groupby(["key", "number"]).size()
    single = pairs[pairs == 1].index  # one object per street and number: its twin is not kept
    per_street = usable.groupby("key").size()
    candidates = usable[
        pd.MultiIndex.from_frame(usable[["key", "number"]]).isin(single)
        & usable["key"].map(per_street).ge(4).to_numpy()
    ]
    n = int(share * len(usable))
    out = candidates.iloc[rng.choice(len(candidates), size=min(n, len(candidates)), replace=False)]
    kept = addresses.drop(index=out.index)
    with tempfile.TemporaryDirectory() as folder:
        postcodes = onspd_file(addresses, Path(folder), rng)
        geocoder = Geocoder.from_addresses(kept, postcodes=read_postcodes(postcodes), crs=27700)
    rows = pd.DataFrame(
        {
            "client_id": [f"h{i:05d}" for i in range(len(out))],
            "address": [f"{h} {s}" for h, s in zip(out["housenumber"], out["street"], strict=True)],
            "postcode": out["postcode"].map(lambda p: normalise_postcode(p) or "").to_numpy(),
        }
    )
    t0 = time.perf_counter()
    result = geocoder.geocode(
        rows, id_column="client_id", address_column="address", postcode_column="postcode"
    )
    seconds = time.perf_counter() - t0
    frame = result.frame
    truth = pick_points(out)
    quality = frame["match_quality"].to_numpy()
    placed = quality != "unmatched"
    dist = np.full(len(frame), np.nan)
    dist[placed] = shapely.distance(frame.geometry.values[placed], truth[placed])
    print(f"{name}: {len(addresses):,} OSM addresses, {len(usable):,} numbered; "
          f"{len(out):,} held out (street kept), geocoded in {seconds:.2f} s")  # fmt: skip
    print(f"  {result}")
    for q in ("address", "street", "postcode", "sector"):
        d = dist[quality == q]
        if len(d):
            far = int((d > 100).sum())
            print(f"  {q:8s} {len(d):5d} rows: distance to the truth median {np.median(d):6.1f} m, "
                  f"95th percentile {np.percentile(d, 95):6.1f} m, over 100 m {far}")  # fmt: skip
    held_out.last = (out, frame, dist)  # for a closer look in a debugger
    wrong = int(((quality == "address") & (dist > 100)).sum())
    print(f"  placed at address level more than 100 m from the truth: {wrong} of {len(out)} "
          f"({wrong / max(len(out), 1):.2%}; target at most 1%)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="rows to geocode (default 5,000)")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--held-out", action="store_true", help="houses missing from the index")
    args = parser.parse_args(argv)
    if args.held_out:
        try:
            for name in ("camden", "rutland"):
                held_out(name, 0.10, np.random.default_rng(args.random_state))
        except ValidationError as exc:
            print(f"skipped: {exc}")
        return 0
    try:
        path = datasets.shared_osm_path("camden")
    except ValidationError as exc:  # the shared data folder is absent: say so and stop
        print(f"skipped: {exc}")
        return 0
    rng = np.random.default_rng(args.random_state)
    addresses = read_osm_addresses(path)
    rows, truth = make_rows(addresses, args.n, rng)
    with tempfile.TemporaryDirectory() as folder:
        postcodes = onspd_file(addresses, Path(folder), rng)
        t0 = time.perf_counter()
        geocoder = Geocoder.from_osm(path, postcodes=postcodes, crs=27700)
        t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = geocoder.geocode(
        rows, id_column="client_id", address_column="address", postcode_column="postcode"
    )
    t_geocode = time.perf_counter() - t0
    frame = result.frame
    print(f"Camden: {len(addresses):,} OSM addresses; {args.n:,} rows to geocode")
    print(f"build geocoder (read extract + postcode file): {t_build:6.2f} s")
    print(f"geocode {args.n:,} rows:                      {t_geocode:6.2f} s")
    print(f"total:                                       {t_build + t_geocode:6.2f} s "
          f"(target < 10 s)")  # fmt: skip
    print()
    print(result)
    print(result.summary().round(3).to_string())
    print()
    print("match quality by how the row was written:")
    print(pd.crosstab(rows["kind"], frame["match_quality"]).to_string())
    matched = (frame["match_quality"] == "address").to_numpy()
    dist = shapely.distance(frame.geometry.values[matched], truth[matched])
    print()
    print(
        f"address matches: distance to the source OSM object, median {np.median(dist):.1f} m, "
        f"95th percentile {np.percentile(dist, 95):.1f} m, over 50 m {int((dist > 50).sum())}"
    )
    print(f"bad postcodes reported: {sum(p.what == 'bad postcode' for p in result.problems)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
