"""The workshop's web app: one page, Leaflet from the bundled package, JSON endpoints.

Starlette (the small ASGI toolkit under FastAPI) serves the page and about a dozen JSON
routes; uvicorn runs it, on 127.0.0.1 and a free port by default. The app is as careful as
Jupyter's: :class:`~carezones.workshop.guard.Guard` answers only its own page at its own
address (``Host``, ``Origin``, a per-session token, JSON bodies only), every body is checked
against its route's schema (:mod:`~carezones.workshop.bodies`), Save and Load stay inside
the folder named on the command line (:func:`carezones._files.inside_folder`) and Save
never writes over a plan unless the request says ``"overwrite": true``.

Every edit goes through one :class:`~carezones.workshop.Session` behind a lock, so two
people clicking at once take turns; an edit that fails leaves the session as it was. Every
reply is strict JSON (no ``NaN``). The page is static: the data reaches it as JSON and is
written into the page with ``textContent`` only, so no value is ever read as HTML.
"""

from __future__ import annotations

import html
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from carezones import datasets
from carezones._files import inside_folder
from carezones.demand import read_carers, read_clients
from carezones.exceptions import CarezonesError, Problem, ProblemCollector, ValidationError
from carezones.maps import leaflet_assets
from carezones.network import TravelNetwork, extract_boundary, load_network, read_boundary
from carezones.workshop.bodies import MAX_BODY_BYTES, parse_body
from carezones.workshop.guard import Door, Guard, host_form
from carezones.workshop.session import Session
from carezones.workshop.store import EXISTS, save_plan, saved_boundary, zones_file
from carezones.zoning import MIN_PROVIDER_HOURS, MIN_WEEKLY_HOURS, read_zones

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


def _finite(value: Any) -> Any:
    """``value`` as plain JSON types: NaN and infinities become None, numpy becomes Python."""
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_finite(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def to_json(data: Any) -> str:
    """Strict JSON text of a reply (RFC 8259: no NaN or Infinity; None where they were)."""
    try:
        return json.dumps(data, allow_nan=False, separators=(",", ":"))
    except (ValueError, TypeError):  # a NaN, or a numpy value: the slow, careful way
        return json.dumps(_finite(data), allow_nan=False, separators=(",", ":"))


def _reply(data: Any, status: int = 200) -> Response:
    return Response(to_json(data), status_code=status, media_type="application/json")


async def _http_error(_: Request, exc: Exception) -> Response:
    """Starlette's own refusals (404, 405) as JSON with a message, like every other reply."""
    assert isinstance(exc, HTTPException)
    return _reply({"error": exc.detail}, exc.status_code)


def _status(exc: CarezonesError) -> int:
    """409 for a save over a saved plan, 413 for a body too large, else 400."""
    whats = {p.what for p in getattr(exc, "problems", ())}
    if whats == {EXISTS}:
        return 409
    return 413 if "too large" in whats else 400


async def _body(request: Request) -> bytes:
    """The request's bytes, read no further than :data:`MAX_BODY_BYTES`."""
    declared = request.headers.get("content-length", "0")
    too_large = ValidationError(
        [Problem(f"request {request.url.path}", "too large",
                 f"a body of at most {MAX_BODY_BYTES:,} bytes", f"{declared[:20]} bytes")]
    )  # fmt: skip
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(
    session: Session,
    *,
    out: str | Path = "carezones-workshop",
    title: str = "carezones workshop",
    sources: dict[str, Any] | None = None,
    token: str | None = None,
) -> Starlette:
    """The Starlette app of a workshop session.

    The app answers nothing until a :class:`Workshop` has bound its socket and told the
    app its address (``app.state.door.listen(host, port)``).

    Parameters
    ----------
    session
        The plan being edited.
    out
        The folder Save and Load work in: the page names a folder inside it (or nothing:
        this folder itself); absolute paths, ``..`` and links out of it are refused.
    title
        The page title (escaped).
    sources
        The files the workshop started from (``network_source``, ``clients_source``,
        ``carers_source``), named in the saved scenario.
    token
        The session's token (None: a new random one); the page carries it in every call.
    """
    lock = threading.Lock()
    door = Door(token)
    root = Path(out)
    sources = dict(sources or {})
    js, css = leaflet_assets()
    page = (
        _static("index.html")
        .replace("{{title}}", html.escape(title))
        .replace("{{token}}", html.escape(door.token, quote=True))
    )
    units_json = to_json({"units": session.street_units(), "demand": session.demand_hexagons()})

    def locked(fn: Callable[[Any], dict[str, Any]], body: Any) -> str:
        """Run an action; any failure puts the session back as it was."""
        with lock:
            state = session.snapshot()
            t0 = time.perf_counter()
            try:
                data = fn(body)
                data["seconds"] = time.perf_counter() - t0
                return to_json(data)
            except BaseException:
                session.restore(state)
                raise

    def guarded(route: str, fn: Callable[[Any], dict[str, Any]]) -> Callable[..., Any]:
        async def endpoint(request: Request) -> Response:
            try:
                raw = await _body(request) if request.method == "POST" else b""
                body = parse_body(route, raw)
                # in a worker thread, so a redraw does not hold up the page's other requests
                text = await run_in_threadpool(locked, fn, body)
            except CarezonesError as exc:
                return _reply({"error": str(exc)}, _status(exc))
            except Exception:  # a bug: said, logged, and the plan kept as it was
                logger.exception("the workshop's /api/%s failed", route)
                return _reply(
                    {"error": f"{route} failed (a bug in carezones; the plan is as it was)"}, 500
                )
            return Response(text, media_type="application/json")

        return endpoint

    def view(_: Any) -> dict[str, Any]:
        return session.view()

    def move(body: Any) -> dict[str, Any]:
        changed = session.move(body.units, body.zone)
        return {
            "labels": session.plan.labels.tolist(),
            "changed": [session.plan.zone_ids[z] for z in changed],
            **session.scores(),
            "outlines": session.outlines(changed),
        }

    def lock_zone(body: Any) -> dict[str, Any]:
        session.lock(body.zone, body.locked)
        return session.scores()

    def redraw(_: Any) -> dict[str, Any]:
        session.redraw()
        return session.view()

    def undo(_: Any) -> dict[str, Any]:
        session.undo()
        return session.view()

    def redo(_: Any) -> dict[str, Any]:
        session.redo()
        return session.view()

    def split(body: Any) -> dict[str, Any]:
        new = session.split(body.zone)
        return {"new_zone": new, **session.view()}

    def merge(body: Any) -> dict[str, Any]:
        session.merge(body.zone, body.into)
        return session.view()

    def save(body: Any) -> dict[str, Any]:
        folder = inside_folder(root, body.folder, where="save: folder")
        files = save_plan(session, folder, overwrite=body.overwrite, **sources)
        broken = session.scores()["violations"]
        return {"folder": str(folder), "files": sorted(p.name for p in files.values()),
                "broken_rules": len(broken)}  # fmt: skip

    def load(body: Any) -> dict[str, Any]:
        folder = inside_folder(root, body.folder, where="load: folder")
        if folder.is_dir():  # its zones.gpkg, itself no link out of the folder
            name = str(Path(body.folder or "") / "zones.gpkg")
            folder = inside_folder(root, name, where="load: folder")
        session.load(folder)
        return {"folder": str(folder), **session.view()}

    def routed(body: Any) -> dict[str, Any]:
        return {"routed": session.routed(body.zone)}

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
        Route("/api/view", guarded("view", view), methods=["GET", "POST"]),
        Route("/favicon.ico", asset("", "image/x-icon")),
    ]
    for name, fn in (("move", move), ("lock", lock_zone), ("redraw", redraw), ("undo", undo),
                     ("redo", redo), ("split", split), ("merge", merge), ("save", save),
                     ("load", load), ("routed", routed)):  # fmt: skip
        routes.append(Route(f"/api/{name}", guarded(name, fn), methods=["POST"]))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard, door=door)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.door = door
    app.state.out = root
    return app


def _boundary(option: Any, net: TravelNetwork, zones: str | Path | None) -> tuple[Any, str | None]:
    """The area served and how a scenario names it: a saved plan's, the extract's, a file's.

    The name is ``"extract"`` (the extract's own boundary; a saved plan's too, which
    ``carezones zones`` draws from it by default), a file's absolute path, or None.
    """
    if option is None or (isinstance(option, str) and option.lower() == "none"):
        return None, None
    if not (isinstance(option, str) and option.lower() == "extract"):
        if isinstance(option, str | Path):
            return read_boundary(Path(option)), str(Path(option).resolve())
        return option, None
    saved = saved_boundary(zones) if zones is not None else None
    if saved is not None:
        return saved, "extract"
    source = getattr(net, "source", None)
    if source is None or not Path(source).is_file():
        return None, None
    found = extract_boundary(Path(source), net.nodes["walk"].geometry)
    return found, "extract" if found is not None else None


def _modes(carers: Any) -> tuple[str, ...]:
    """Walking, and every mode open to a carer."""
    if carers is None:
        return ("walk",)
    open_to = {"walk"} | set(carers["mode"].astype(str)) if "mode" in carers else {"walk"}
    if "modes" in carers:
        open_to |= {m for ms in carers["modes"] for m in str(ms).split(";")}
    return tuple(m for m in ("walk", "cycle", "drive") if m in open_to)


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (0: a free port), or a ValidationError saying why not."""
    if not (isinstance(port, int) and not isinstance(port, bool) and 0 <= port <= 65535):
        raise ProblemCollector("--port").error(
            "bad value", "a port number from 0 (any free port) to 65535", repr(port)
        )
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError):
        raise ProblemCollector("--host").error(
            "unknown address", "an address of this computer, e.g. 127.0.0.1", repr(host)
        ) from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)  # connections wait in the queue until the server serves
    except OSError as exc:
        sock.close()
        raise ProblemCollector("--host/--port").error(
            "cannot listen",
            "a free port on an address of this computer (--port 0: any free port)",
            f"{host}:{port} ({exc.strerror})",
        ) from None
    return sock


class Workshop:
    """A running workshop: its session, its address, and a way to stop it.

    Made by :func:`workshop`; in Jupyter it shows inline (an ``<iframe>`` of the page).
    The socket is bound when the workshop is made, so :attr:`url` is the real address
    (with the free port chosen when ``port`` is 0) before it serves.

    Parameters
    ----------
    session
        The plan being edited.
    app
        Its app (:func:`create_app`); told the address it serves.
    host, port
        Where to listen (port 0: any free port).
    sock
        A socket already bound to ``host`` (then ``port`` is not used).

    Attributes
    ----------
    session : Session
        The plan being edited.
    url : str
        The page's address.
    token : str
        The session's token: every ``/api/`` call carries it in the
        ``X-Carezones-Token`` header (the page does so itself).
    """

    def __init__(
        self,
        session: Session,
        app: Starlette,
        host: str,
        port: int,
        *,
        sock: socket.socket | None = None,
    ) -> None:
        self.session = session
        self.app = app
        self._socket = _listen(host, port) if sock is None else sock
        self.host, self.port = host, int(self._socket.getsockname()[1])
        app.state.door.listen(host, self.port)
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The page's address."""
        shown = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host
        return f"http://{host_form(shown)}:{self.port}/"

    @property
    def token(self) -> str:
        """The session's token (the ``X-Carezones-Token`` header of every ``/api/`` call)."""
        return str(self.app.state.door.token)

    @property
    def out(self) -> Path:
        """The folder Save and Load work in."""
        return Path(self.app.state.out)

    def start(self, *, timeout: float = 30.0) -> Workshop:
        """Serve in a background thread (returns once it listens)."""
        self._thread = threading.Thread(target=self.serve, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise CarezonesError(f"the workshop could not listen on {self.host}:{self.port}")
            time.sleep(0.05)
        return self

    def serve(self) -> None:
        """Serve in this thread until interrupted (Ctrl+C)."""
        self._server.run(sockets=[self._socket])

    def stop(self) -> None:
        """Stop serving."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

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
    boundary: Any = "extract",
) -> Workshop:
    """Start the co-production workshop: a local web app to redraw zones with providers.

    Parameters
    ----------
    network
        The travel networks, or an OSM extract to load (a file, a shared extract's name
        such as ``"camden"``, or ``"default"``: :func:`carezones.datasets.osm_source`).
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
        The folder Save and Load work in (the page names folders inside it).
    host, port
        Where to listen: loopback by default, and a free port when ``port`` is 0 (the
        default); the socket is bound before the (slow) start, so a port in use is said
        at once.
    random_state
        Seed of the zoner and the lots.
    start
        Serve in a background thread at once (False: call :meth:`Workshop.serve`).
    boundary
        The area served, as for ``carezones zones``: ``"extract"`` (the default) is the
        boundary saved with ``zones`` when there is one, else the extract's own
        administrative area (none: not clipped); a polygons file or GeoDataFrame; None:
        no boundary. Clients outside it are in no zone, so the hours and the clients in
        no zone are those ``carezones zones`` counts on the same inputs.

    Returns
    -------
    Workshop
        The running workshop (``.url``, ``.session``, ``.stop()``); shows inline in Jupyter.
    """
    if zones is not None:  # a corrupt or wrong zones file is said before the network loads
        read_zones(zones_file(zones))
    sock = _listen(host, port)  # a port in use is said before the network loads, too
    try:
        ws = _workshop(network, clients, sock, zones=zones, carers=carers,
                       min_weekly_hours=min_weekly_hours, max_weekly_hours=max_weekly_hours,
                       n_zones=n_zones, min_provider_hours=min_provider_hours,
                       n_providers=n_providers, out=out, host=host,
                       random_state=random_state, boundary=boundary)  # fmt: skip
    except BaseException:
        sock.close()
        raise
    return ws.start() if start else ws


def _workshop(
    network: TravelNetwork | str | Path,
    clients: Any,
    sock: socket.socket,
    *,
    zones: str | Path | None,
    carers: Any,
    min_weekly_hours: float | None,
    max_weekly_hours: float | None,
    n_zones: int | str,
    min_provider_hours: float | None,
    n_providers: int | str,
    out: str | Path,
    host: str,
    random_state: int | None,
    boundary: Any,
) -> Workshop:
    """The session, its app and its workshop on the bound socket ``sock``."""
    net_source = None if isinstance(network, TravelNetwork) else datasets.osm_source(network)
    clients_source = Path(clients) if isinstance(clients, str | Path) else None
    table = read_clients(clients) if clients_source is not None else clients
    carers_source = Path(carers) if isinstance(carers, str | Path) else None
    carer_table = read_carers(carers) if carers_source is not None else carers
    if isinstance(network, TravelNetwork):
        net = network
    else:  # walking for the zones; the carers' modes too, for the routed figures
        net = load_network(net_source, modes=_modes(carer_table))
    area, area_source = _boundary(boundary, net, zones)
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
        boundary=area,
    )
    session.boundary_source = area_source
    app = create_app(session, out=out, sources={
        "network_source": net_source, "clients_source": clients_source,
        "carers_source": carers_source})  # fmt: skip
    return Workshop(session, app, host, 0, sock=sock)
