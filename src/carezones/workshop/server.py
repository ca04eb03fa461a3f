"""The workshop's web app: one page, Leaflet from the bundled package, JSON endpoints.

Starlette (the small ASGI toolkit under FastAPI) serves the page and about a dozen JSON
routes; uvicorn runs it, on 127.0.0.1 by default. Every edit goes through one
:class:`~carezones.workshop.Session` behind a lock, so two people clicking at once take
turns. The page is static: the data reaches it as JSON and is written into the page with
``textContent`` only, so no value is ever read as HTML.
"""

from __future__ import annotations

import html
import json
import logging
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from carezones.demand import read_carers, read_clients
from carezones.exceptions import CarezonesError, Problem, ValidationError
from carezones.maps import leaflet_assets
from carezones.network import TravelNetwork, load_network
from carezones.workshop.session import Session
from carezones.workshop.store import save_plan
from carezones.zoning import MIN_PROVIDER_HOURS, MIN_WEEKLY_HOURS

__all__ = ["SHARING_NOTE", "Workshop", "create_app", "workshop"]

logger = logging.getLogger(__name__)

#: What the command prints about showing the workshop to others.
SHARING_NOTE = (
    "The workshop listens on this computer only. To show it to providers, share your screen "
    "(or put this computer's screen on the wall); it needs no internet. Listening on another "
    "address (--host) lets anyone on that network edit the plan: do that only on a network "
    "you trust."
)


def _static(name: str) -> str:
    return resources.files("carezones.workshop").joinpath("static", name).read_text("utf-8")


def create_app(
    session: Session,
    *,
    out: str | Path = "carezones-workshop",
    title: str = "carezones workshop",
    sources: dict[str, Any] | None = None,
) -> Starlette:
    """The Starlette app of a workshop session.

    Parameters
    ----------
    session
        The plan being edited.
    out
        The folder "Save" writes to when the page names none.
    title
        The page title (escaped).
    sources
        The files the workshop started from (``network_source``, ``clients_source``,
        ``carers_source``), named in the saved scenario.
    """
    lock = threading.Lock()
    sources = dict(sources or {})
    js, css = leaflet_assets()
    page = _static("index.html").replace("{{title}}", html.escape(title))
    units_json = json.dumps({"units": session.street_units(), "demand": session.demand_hexagons()})

    def locked(fn: Callable[[dict[str, Any]], dict[str, Any]], body: dict[str, Any]) -> dict:
        with lock:
            t0 = time.perf_counter()
            data = fn(body)
            data["seconds"] = time.perf_counter() - t0
            return data

    def guarded(fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
        async def endpoint(request: Request) -> Response:
            body: dict[str, Any] = {}
            if request.method == "POST":
                raw = await request.body()
                try:
                    body = json.loads(raw) if raw else {}
                except json.JSONDecodeError:
                    return JSONResponse({"error": "the request is not JSON"}, status_code=400)
                if not isinstance(body, dict):
                    return JSONResponse({"error": "the request is not a JSON object"}, 400)
            try:  # in a worker thread, so a redraw does not hold up the page's other requests
                data = await run_in_threadpool(locked, fn, body)
            except CarezonesError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            return JSONResponse(data)

        return endpoint

    def view(_: dict[str, Any]) -> dict[str, Any]:
        return session.view()

    def move(body: dict[str, Any]) -> dict[str, Any]:
        units = body.get("units", [])
        if not isinstance(units, list) or not all(isinstance(u, int) for u in units):
            raise ValidationError([Problem("move", "bad units", "a list of unit numbers", "other")])
        changed = session.move(units, str(body.get("zone", "")))
        return {
            "labels": session.plan.labels.tolist(),
            "changed": [session.plan.zone_ids[z] for z in changed],
            **session.scores(),
            "outlines": session.outlines(changed),
        }

    def lock_zone(body: dict[str, Any]) -> dict[str, Any]:
        session.lock(str(body.get("zone", "")), bool(body.get("locked", True)))
        return session.scores()

    def redraw(_: dict[str, Any]) -> dict[str, Any]:
        session.redraw()
        return session.view()

    def undo(_: dict[str, Any]) -> dict[str, Any]:
        session.undo()
        return session.view()

    def redo(_: dict[str, Any]) -> dict[str, Any]:
        session.redo()
        return session.view()

    def split(body: dict[str, Any]) -> dict[str, Any]:
        new = session.split(str(body.get("zone", "")))
        return {"new_zone": new, **session.view()}

    def merge(body: dict[str, Any]) -> dict[str, Any]:
        session.merge(str(body.get("zone", "")), str(body.get("into", "")))
        return session.view()

    def save(body: dict[str, Any]) -> dict[str, Any]:
        folder = Path(str(body.get("folder") or out)).expanduser()
        files = save_plan(session, folder, **sources)
        return {"folder": str(folder.resolve()), "files": sorted(p.name for p in files.values())}

    def load(body: dict[str, Any]) -> dict[str, Any]:
        folder = Path(str(body.get("folder") or out)).expanduser()
        session.load(folder)
        return {"folder": str(folder.resolve()), **session.view()}

    def routed(body: dict[str, Any]) -> dict[str, Any]:
        return {"routed": session.routed(str(body.get("zone", "")))}

    async def index(_: Request) -> Response:
        return HTMLResponse(page)

    def asset(text: str, media: str) -> Callable[[Request], Any]:
        async def serve(_: Request) -> Response:
            return Response(text, media_type=media)

        return serve

    routes = [
        Route("/", index),
        Route("/assets/leaflet.js", asset(js, "text/javascript")),
        Route("/assets/leaflet.css", asset(css, "text/css")),
        Route("/assets/workshop.js", asset(_static("workshop.js"), "text/javascript")),
        Route("/assets/workshop.css", asset(_static("workshop.css"), "text/css")),
        Route("/api/units", asset(units_json, "application/json")),
        Route("/api/view", guarded(view)),
        Route("/favicon.ico", asset("", "image/x-icon")),
    ]
    for name, fn in (("move", move), ("lock", lock_zone), ("redraw", redraw), ("undo", undo),
                     ("redo", redo), ("split", split), ("merge", merge), ("save", save),
                     ("load", load), ("routed", routed)):  # fmt: skip
        routes.append(Route(f"/api/{name}", guarded(fn), methods=["POST"]))
    return Starlette(routes=routes)


def _modes(carers: Any) -> tuple[str, ...]:
    """Walking, and every mode open to a carer."""
    if carers is None:
        return ("walk",)
    open_to = {"walk"} | set(carers["mode"].astype(str)) if "mode" in carers else {"walk"}
    if "modes" in carers:
        open_to |= {m for ms in carers["modes"] for m in str(ms).split(";")}
    return tuple(m for m in ("walk", "cycle", "drive") if m in open_to)


class Workshop:
    """A running workshop: its session, its address, and a way to stop it.

    Made by :func:`workshop`; in Jupyter it shows inline (an ``<iframe>`` of the page).

    Attributes
    ----------
    session : Session
        The plan being edited.
    url : str
        The page's address.
    """

    def __init__(self, session: Session, app: Starlette, host: str, port: int) -> None:
        self.session = session
        self.app = app
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.host, self.port = host, port

    @property
    def url(self) -> str:
        """The page's address."""
        return f"http://{self.host}:{self.port}/"

    def start(self, *, timeout: float = 30.0) -> Workshop:
        """Serve in a background thread (returns once it listens)."""
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise CarezonesError(f"the workshop could not listen on {self.host}:{self.port}")
            time.sleep(0.05)
        if self.port == 0:
            self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def serve(self) -> None:
        """Serve in this thread until interrupted (Ctrl+C)."""
        self._server.run()

    def stop(self) -> None:
        """Stop serving."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __repr__(self) -> str:
        return f"Workshop({self.url!r}, {len(self.session.plan.zone_ids)} zones)"

    def _repr_html_(self) -> str:
        url = html.escape(self.url, quote=True)
        return f'<iframe src="{url}" width="100%" height="720" style="border:0"></iframe>'


def workshop(
    network: TravelNetwork | str | Path,
    clients: Any,
    *,
    zones: str | Path | None = None,
    carers: Any = None,
    min_weekly_hours: float | None = None,
    max_weekly_hours: float | None = None,
    n_zones: int | str = "auto",
    min_provider_hours: float | None = None,
    n_providers: int | str = "auto",
    out: str | Path = "carezones-workshop",
    host: str = "127.0.0.1",
    port: int = 0,
    random_state: int | None = 0,
    start: bool = True,
) -> Workshop:
    """Start the co-production workshop: a local web app to redraw zones with providers.

    Parameters
    ----------
    network
        The travel networks, or an OSM extract to load (walking only).
    clients
        The clients (``client_id``, ``weekly_hours``, points): a table or a file.
    zones
        A folder written by ``carezones zones`` or the workshop (its ``zones.gpkg``) to
        continue from; None: the zoner draws the zones.
    carers
        Optional carers (``provider_id``, homes): lots are matched to providers.
    min_weekly_hours, max_weekly_hours
        The zone floor (None: the zoner's default) and the optional cap.
    n_zones
        {int, "auto"} Zones drawn when ``zones`` is None.
    min_provider_hours
        The lots' minimum (None: the default).
    n_providers
        {int, "auto"} Lots when they are grouped here.
    out
        The folder "Save" writes to.
    host, port
        Where to listen: loopback by default, and a free port when ``port`` is 0.
    random_state
        Seed of the zoner and the lots.
    start
        Serve in a background thread at once (False: call :meth:`Workshop.serve`).

    Returns
    -------
    Workshop
        The running workshop (``.url``, ``.session``, ``.stop()``); shows inline in Jupyter.
    """
    net_source = None if isinstance(network, TravelNetwork) else Path(network)
    clients_source = Path(clients) if isinstance(clients, str | Path) else None
    table = read_clients(clients) if clients_source is not None else clients
    carers_source = Path(carers) if isinstance(carers, str | Path) else None
    carer_table = read_carers(carers) if carers_source is not None else carers
    if isinstance(network, TravelNetwork):
        net = network
    else:  # walking for the zones; the carers' modes too, for the routed figures
        net = load_network(network, modes=_modes(carer_table))
    session = Session(
        net,
        table,
        min_weekly_hours=MIN_WEEKLY_HOURS if min_weekly_hours is None else min_weekly_hours,
        max_weekly_hours=max_weekly_hours,
        n_zones=n_zones,
        min_provider_hours=MIN_PROVIDER_HOURS if min_provider_hours is None else min_provider_hours,
        n_providers=n_providers,
        carers=carer_table,
        random_state=random_state,
        plan=zones,
    )
    app = create_app(session, out=out, sources={
        "network_source": net_source, "clients_source": clients_source,
        "carers_source": carers_source})  # fmt: skip
    ws = Workshop(session, app, host, port)
    return ws.start() if start else ws
