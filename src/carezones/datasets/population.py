"""A synthetic population on a real extract: clients, carers and providers where people live."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from carezones.demand import generate_carers, generate_population
from carezones.exceptions import ProblemCollector
from carezones.network import TravelNetwork

__all__ = ["synthetic_carers", "synthetic_population"]


def synthetic_population(
    network: TravelNetwork,
    *,
    n_clients: int,
    n_carers: int | str,
    n_providers: int,
    total_weekly_hours: float | None = None,
    random_state: int | np.random.Generator | None,
    access: Mapping[str, float] | None = None,
    mode_shares: Mapping[str, float] | None = None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A realistic synthetic population of clients, carers and providers on ``network``'s streets.

    For demos, tests and benchmarks: no real person is in it. The tables pass the
    readers' checks (:func:`carezones.read_clients` and friends) and are in the network's
    CRS.

    **Where people live.** Clients and carers live at real residential buildings of the
    OSM extract the network was read from (pyrosm ``get_buildings``: houses, terraces,
    flats, and ``building=yes`` without shop, office, amenity or craft tags; at least
    30 m²), weighted by an estimate of their dwellings (one for a house; floor area x
    levels / 70 m² for flats, or ``building:flats``), and only buildings within 250 m of
    the walking network (of the carer's own network for carers). When the extract has
    fewer than 20 such buildings (or the network has no source file) they live at the
    nodes of residential streets instead. Older populations are not spread evenly:
    clients are drawn from a mixture of 3-8 Gaussian density hotspots (Dirichlet
    weights, 150-1,500 m wide) over a background of 0.3 (carers: 0.6, so more evenly).
    Several clients can share a block of flats.

    **Care.** Weekly hours are log-normal with median 10 h (sigma 0.6, 1.5-40 h), so
    about three quarters of clients get 5-20 h, matching the 12.4 contact hours per
    household per week of NHS Digital's *Community Care Statistics: Home help and care
    services for adults, England 2008* (its last survey of hours per household). Hours
    become a pattern of 1-4 calls a day of 30-75 minutes (morning calls 1.4 times as
    long) in personal windows of one hour to the whole morning/lunch/tea/bed slot, or
    fewer days a week for small packages; no call is shorter than 30 minutes (NICE
    guideline NG21, 2015, and quality standard QS123). About 9% of clients are
    double-handed (two carers at every visit, 1.3 times the hours, skill ``hoist``),
    which is 10-15% of visits: an assumption in line with councils' single-handed-care
    reviews of double-handed packages (Whitehead et al., *Health and Social Care in the
    Community*, 2022, doi:10.1111/hsc.13980), as no national share is published.
    Skills: dementia 30% (around 60% of home-care users live with dementia, per the
    Alzheimer's Society and the Homecare Association; 30% is the share marked as
    needing a dementia-trained carer), medication 50%, end of life 3%. 15% of
    single-handed clients accept virtual calls (Wigan 2025 used them to save about
    7,500 travel hours a year). Each client has a current provider drawn by capacity,
    wherever they live (the 2015 "then" of DESIGN.md).

    **Carers.** What each can use, not a fixed mode (``modes``): everyone can walk; 30%
    have a bike and 60% a car they can use for work, independently (``access``). The car
    share is an assumption between what is published: 77% of households in England and
    Wales have a car or van (Census 2021, table TS045; from 35% in Islington to 77% in
    Havering, Centre for London), care work pays near the minimum wage, and 57% of home
    care providers name carers who cannot drive as their main recruitment barrier
    (CareLineLive, *State of Home Care* 2024, 108 providers). The bike share follows the
    Department for Transport's National Travel Survey (about four in ten people aged 5+
    have a bicycle, table NTS0608), less for the carers' age and work. The ``mode`` each
    day is planned from is the least sustainable of a carer's modes; the router then
    chooses each carer-day's mode (:class:`carezones.routing.ModeRule`). ``mode_shares``
    instead fixes each carer to one mode in those shares: a what-if assumption.
    Contracted 16-37.5 h/week (guaranteed hours as in Wigan's 2025 model, where Skills
    for Care reports about 43% of domiciliary staff on zero-hours contracts nationally);
    early (07:00-14:30), late (14:30-22:30) or split shifts (07:00-22:30 with a five-hour
    unpaid break in 10:30-17:00, 8 h of work: how home care covers the morning and
    evening peaks) on 4-6 consecutive days, each carer's days and shift chosen to cover
    the day-slots most short of carers (see :mod:`carezones.demand.workforce`); skills
    medication 85%, dementia 60%, hoist 50%, end of life 20%; an employer drawn by
    capacity.

    **A workforce sized to the demand.** With ``n_carers="auto"``, carers are added until
    every day's morning, lunch, tea and bed slot has the carer-hours its visits need plus
    a 25% travel allowance, at 70% utilisation
    (:func:`~carezones.demand.workforce.workforce_coverage` measures any workforce).

    **Providers.** Ids ``P01`` ..., invented names, offices at non-residential
    buildings, capacity 1.15 x their (Dirichlet) market share of the clients' hours.

    Parameters
    ----------
    network
        The networks (the walking network, and each carer mode's).
    n_clients, n_carers, n_providers
        How many of each (at least 1, 0 and 1); ``n_carers="auto"`` sizes the workforce
        to the demand.
    total_weekly_hours
        Rescale the clients' hours to this total (e.g. 21,000 for a metropolitan
        borough); the result is within about 20 minutes of it (visits are whole 5
        minutes). At most 40 h per client.
    random_state
        Seed or Generator; the same seed gives the same tables.
    access
        Shares of carers with a bike and a car, ``{"cycle": 0.3, "drive": 0.6}`` (the
        default); everyone can walk.
    mode_shares
        Fix each carer to one mode in these shares instead, e.g. ``{"walk": 0.5,
        "cycle": 0.2, "drive": 0.3}`` (a what-if); modes must be loaded in ``network``.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        ``(clients, carers, providers)`` in the layout of ``docs/conventions.md``
        (clients with an explicit ``pattern``; ids ``C001``, ``K001``, ``P01``).

    Examples
    --------
    >>> from carezones.datasets import load_default_network
    >>> net = load_default_network()
    >>> clients, carers, providers = synthetic_population(
    ...     net, n_clients=50, n_carers=12, n_providers=3, random_state=0)
    >>> len(clients), len(carers), len(providers)
    (50, 12, 3)
    >>> bool(clients["pattern"].str.len().gt(0).all())
    True
    >>> again, _, _ = synthetic_population(
    ...     net, n_clients=50, n_carers=12, n_providers=3, random_state=0)
    >>> again.equals(clients)
    True
    """
    return generate_population(
        network,
        n_clients=n_clients,
        n_carers=n_carers,
        n_providers=n_providers,
        total_weekly_hours=total_weekly_hours,
        random_state=random_state,
        mode_shares=mode_shares,
        access=access,
        area=None if area is None else _area_in(area, network),
    )


def synthetic_carers(
    network: TravelNetwork,
    clients: Any,
    *,
    n_carers: int | str = "auto",
    random_state: int | np.random.Generator | None,
    access: Mapping[str, float] | None = None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
) -> gpd.GeoDataFrame:
    """A synthetic workforce for your own clients: carers as :func:`synthetic_population` makes.

    For a plan of real clients before the carers' table is at hand (a scenario's ``[data]
    carers = "auto"``, a workshop's saved plan without carers): carers at real
    residential buildings, with the model's modes, shifts, days and skills, sized to these
    clients' visits (``"auto"``: every day's morning, lunch, tea and bed slot covered). No
    ``provider_id``.

    Parameters
    ----------
    network
        The networks (the walking network, and each carer mode's).
    clients
        The clients (``client_id``, ``weekly_hours`` or ``pattern``, ``carers_needed``).
    n_carers
        {int, "auto"} How many carers; "auto" sizes the workforce to the clients' visits.
    random_state
        Seed or Generator; the same seed gives the same table.
    access
        Shares of carers with a bike and a car (as for :func:`synthetic_population`).
    area
        The carers live inside these polygons (with a CRS); None: anywhere on the extract.

    Examples
    --------
    >>> from carezones.datasets import load_default_network
    >>> net = load_default_network()
    >>> clients, _, _ = synthetic_population(net, n_clients=30, n_carers=1, n_providers=1,
    ...                                      random_state=0)
    >>> carers = synthetic_carers(net, clients, random_state=0)
    >>> len(carers) > 5, carers["carer_id"].iloc[0]
    (True, 'K01')
    """
    return generate_carers(
        network,
        clients,
        n_carers=n_carers,
        random_state=random_state,
        access=access,
        area=None if area is None else _area_in(area, network),
    )


def _area_in(area: Any, network: TravelNetwork) -> shapely.Geometry:
    """One polygon in the network's CRS from polygons with a CRS."""
    shapes = area.geometry if isinstance(area, gpd.GeoDataFrame) else area
    if not isinstance(shapes, gpd.GeoSeries) or shapes.crs is None:
        raise ProblemCollector("synthetic_population").error(
            "bad area", "polygons with a CRS", type(area).__name__, column="area"
        )
    return shapely.union_all(shapely.make_valid(shapes.to_crs(network.crs).to_numpy()))
