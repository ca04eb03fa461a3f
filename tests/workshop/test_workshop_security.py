"""The workshop holds against any web page and any request body (issue 27).

A page on another origin (another local port) replays each attack in headless Chromium: a
``no-cors`` ``text/plain`` fetch, an auto-submitted form and a foreign ``Host`` (DNS
rebinding); the workshop's state and the disk must stay as they were. The HTTP-level tests
send what a browser cannot (any ``Host``, any body) with :mod:`http.client`; hypothesis sends
random JSON to every route: never a 5xx, and a 4xx leaves the session as it was.
"""

from __future__ import annotations

import hashlib
import http.client
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carezones import datasets
from carezones.exceptions import ValidationError
from carezones.network import TravelNetwork
from carezones.workshop import Session, Workshop, create_app, store
from carezones.workshop.bodies import BODIES, MAX_BODY_BYTES

CHROMIUM = Path(os.environ.get("CAREZONES_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


# ---------------------------------------------------------------------------- helpers


def helsinki_clients(net: TravelNetwork, ids: list[str] | None = None) -> gpd.GeoDataFrame:
    """160 clients of 10 h/week on street nodes of the bundled Helsinki extract."""
    nodes = net.nodes["walk"].sample(160, random_state=4)
    return gpd.GeoDataFrame(
        {"client_id": ids or [f"c{i}" for i in range(160)], "weekly_hours": 10.0},
        geometry=nodes.geometry.values, crs=net.crs,
    )  # fmt: skip


def new_session(net: TravelNetwork, ids: list[str] | None = None) -> Session:
    return Session(net, helsinki_clients(net, ids), min_weekly_hours=300, n_zones=4,
                   min_provider_hours=500, n_providers=2, random_state=0)  # fmt: skip


def serve(session: Session, out: Path) -> Workshop:
    return Workshop(session, create_app(session, out=out), "127.0.0.1", 0).start()


@pytest.fixture()
def ws(helsinki: TravelNetwork, tmp_path: Path) -> Iterator[Workshop]:
    """A workshop on Helsinki saving into ``tmp_path / "out"``."""
    (tmp_path / "out").mkdir()
    w = serve(new_session(helsinki), tmp_path / "out")
    yield w
    w.stop()


def strict_json(text: str) -> Any:
    """JSON as RFC 8259 has it: NaN or Infinity in a reply fails the test."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in a reply: {text[:200]}")

    return json.loads(text, parse_constant=refuse)


def call(
    w: Workshop,
    path: str,
    body: Any = None,
    *,
    raw: bytes | None = None,
    host: str | None = None,
    token: str | None = None,
    content_type: str | None = "application/json",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One request to the workshop: (status, the reply's JSON or text)."""
    conn = http.client.HTTPConnection("127.0.0.1", w.port, timeout=120)
    sent = {"Host": f"127.0.0.1:{w.port}" if host is None else host,
            "X-Carezones-Token": token or w.token}  # fmt: skip
    if token == "":
        del sent["X-Carezones-Token"]
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    if data is not None:
        sent["Content-Length"] = str(len(data))
        if content_type is not None:
            sent["Content-Type"] = content_type
    sent.update(headers or {})
    conn.putrequest("POST" if data is not None else "GET", path, skip_host=True)
    for key, value in sent.items():
        conn.putheader(key, value)
    conn.endheaders(data)
    reply = conn.getresponse()
    text = reply.read().decode()
    conn.close()
    kind = reply.getheader("content-type") or ""
    return reply.status, strict_json(text) if "json" in kind else text


def state(session: Session) -> tuple[Any, ...]:
    """What must not change after a refused request: the plan and its history, by identity."""
    plan, history, future = session.snapshot()
    return (id(plan), *map(id, history), "|", *map(id, future))


def disk(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` with a digest of its bytes."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# ---------------------------------------------------------------------------- the door


def test_host_other_than_served_is_refused(ws: Workshop) -> None:
    """A Host that is not 127.0.0.1/localhost with the served port gets 403 on every path."""
    port = ws.port
    for host in (f"evil.test:{port}", f"127.0.0.1:{port + 1}", "127.0.0.1", "localhost",
                 f"127.0.0.1.evil.test:{port}", f"[::1]:{port}", ""):  # fmt: skip
        for path in ("/", "/api/units", "/api/view", "/assets/workshop.js"):
            status, reply = call(ws, path, host=host)
            assert status == 403, (host, path, status)
            assert "is not this workshop's address" in reply["error"]
        status, _ = call(ws, "/api/lock", {"zone": "Z01"}, host=host)
        assert status == 403
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert call(ws, "/", host=host)[0] == 200
    assert not ws.session.plan.locked[0]


def test_requests_from_another_origin_are_refused(ws: Workshop) -> None:
    """An Origin (or Sec-Fetch-Site) other than the workshop's own is refused, token or not."""
    before = state(ws.session)
    zone = ws.session.plan.zone_ids[0]
    for headers in ({"Origin": f"http://127.0.0.1:{ws.port + 1}"}, {"Origin": "null"},
                    {"Origin": f"http://evil.test:{ws.port}"},
                    {"Sec-Fetch-Site": "same-site"}, {"Sec-Fetch-Site": "cross-site"}):  # fmt: skip
        status, reply = call(ws, "/api/lock", {"zone": zone}, headers=headers)
        assert status == 403 and "another page" in reply["error"], headers
        assert call(ws, "/api/view", headers=headers)[0] == 403
    assert state(ws.session) == before
    own = {"Origin": f"http://localhost:{ws.port}", "Sec-Fetch-Site": "same-origin"}
    status, reply = call(ws, "/api/lock", {"zone": zone}, headers=own)
    assert status == 200, reply
    assert ws.session.plan.locked[0]


def test_only_json_bodies_are_read(ws: Workshop) -> None:
    """text/plain, form and multipart bodies (which need no preflight) are refused: 415."""
    before = state(ws.session)
    zone = ws.session.plan.zone_ids[0]
    body = json.dumps({"zone": zone}).encode()
    for kind in ("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
                 "multipart/form-data; boundary=x", "application/jsonp", None):  # fmt: skip
        status, reply = call(ws, "/api/lock", raw=body, content_type=kind)
        assert status == 415 and "application/json" in reply["error"], kind
    assert state(ws.session) == before
    assert call(ws, "/api/lock", raw=body, content_type="application/json; charset=utf-8")[0] == 200


def test_every_api_call_needs_the_session_token(ws: Workshop, helsinki: TravelNetwork) -> None:
    """No token or a wrong one: 403 on every route, reads included; the page carries it."""
    before = state(ws.session)
    for token in ("", "x" * 43, ws.token[:-1] + ("A" if ws.token[-1] != "A" else "B")):
        for path in ("/api/view", "/api/units"):
            status, reply = call(ws, path, token=token)
            assert status == 403 and "token" in reply["error"]
        for route in BODIES:
            assert call(ws, f"/api/{route}", {}, token=token)[0] == 403
    assert state(ws.session) == before
    status, page = call(ws, "/")
    assert status == 200 and f'<meta name="carezones-token" content="{ws.token}">' in page
    assert call(ws, "/api/units")[0] == 200
    assert create_app(ws.session).state.door.token != ws.token  # one token per app


def test_bad_bodies_are_refused_and_change_nothing(ws: Workshop) -> None:
    """Not UTF-8, deep, huge, NaN, 2**70, 'false' as a boolean, true as a unit: all 4xx."""
    s = ws.session
    zone = s.plan.zone_ids[0]
    target = s.plan.zone_ids[1]
    cases: list[tuple[str, bytes, str]] = [
        ("move", b'{"units": [1], "zone": "\xff"}', "not UTF-8"),
        ("move", b"[" * 100_000 + b"]" * 100_000, "nested too deep"),
        ("move", b'{"units": [[[[[1]]]]], "zone": "Z01"}', "nested too deep"),
        ("move", json.dumps({"units": [2**70], "zone": target}).encode(), "less than or equal"),
        ("move", b'{"units": [1' + b"0" * 5000 + b'], "zone": "Z01"}', "not JSON"),
        ("move", json.dumps({"units": [True], "zone": target}).encode(), "whole number"),
        ("move", json.dumps({"units": [1.0], "zone": target}).encode(), "whole number"),
        ("move", json.dumps({"units": [-1], "zone": target}).encode(), "greater than"),
        ("move", json.dumps({"units": [10**6], "zone": target}).encode(), "unknown street unit"),
        ("move", b'{"units": [NaN], "zone": "Z01"}', "not JSON"),
        ("move", b'{"units": [1], "zone": "Z01", "units2": Infinity}', "not JSON"),
        ("lock", json.dumps({"zone": zone, "locked": "false"}).encode(), "true or false"),
        ("lock", json.dumps({"zone": zone, "locked": 0}).encode(), "true or false"),
        ("lock", json.dumps({"zone": 5}).encode(), "text"),
        ("lock", json.dumps({"zone": "nowhere"}).encode(), "unknown zone"),
        ("lock", json.dumps({"zone": zone, "extra": 1}).encode(), "unknown key"),
        ("merge", json.dumps({"zone": zone}).encode(), "missing key"),
        ("split", b"[1, 2]", "not a JSON object"),
        ("undo", b'"x"', "not a JSON object"),
        ("save", json.dumps({"folder": 5}).encode(), "text"),
        ("save", json.dumps({"overwrite": "yes"}).encode(), "true or false"),
        ("save", json.dumps({"folder": "x" * 2000}).encode(), "at most 1000"),
    ]
    before, files = state(s), disk(ws.out)
    for route, raw, words in cases:
        status, reply = call(ws, f"/api/{route}", raw=raw)
        assert 400 <= status < 500, (route, raw[:40], status, reply)
        assert words in reply["error"], (words, reply["error"])
        assert state(s) == before and disk(ws.out) == files
    status, reply = call(ws, "/api/move", raw=b" " * (MAX_BODY_BYTES + 1))
    assert status == 413 and "too large" in reply["error"]
    assert call(ws, "/api/view")[0] == 200  # and the session still answers


def test_replies_are_strict_json(ws: Workshop) -> None:
    """Moving no units, or units into their own zone, answers JSON without NaN."""
    s = ws.session
    z = s.plan.labels[0]
    for body in ({"units": [], "zone": s.plan.zone_ids[0]},
                 {"units": [0], "zone": s.plan.zone_ids[z]}):  # fmt: skip
        status, reply = call(ws, "/api/move", body)  # call() parses strictly
        assert status == 200 and reply["changed"] == []
    for route in ("undo", "redo", "view"):
        assert call(ws, f"/api/{route}", {})[0] == 200


def test_a_failed_action_leaves_the_session_as_it_was(ws: Workshop, tmp_path: Path) -> None:
    """A failed Load (or any error mid-action) rolls back: no 500 afterwards, no Undo needed."""
    s = ws.session
    (ws.out / "broken").mkdir()
    (ws.out / "broken" / "zones.gpkg").write_bytes(b"not a geopackage")
    call(ws, "/api/lock", {"zone": s.plan.zone_ids[0]})
    before = state(s)
    status, reply = call(ws, "/api/load", {"folder": "broken"})
    assert status == 400 and "unreadable file" in reply["error"]
    assert state(s) == before
    for route in ("view", "undo", "redo", "redraw"):
        assert call(ws, f"/api/{route}", {})[0] == 200, route


# ---------------------------------------------------------------------------- files


def test_save_stays_inside_the_folder_named(ws: Workshop, tmp_path: Path) -> None:
    """'../x', absolute paths, '~', NUL, names over 255 bytes and links out are refused."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws.out / "link").symlink_to(outside, target_is_directory=True)
    (ws.out / "afile").write_text("x")
    before, files, around = state(ws.session), disk(ws.out), disk(tmp_path)
    for folder, words in (("../x", "outside the folder"), ("a/../../x", "outside the folder"),
                          (str(outside), "outside the folder"), ("/tmp/x", "outside the folder"),
                          ("~/x", "outside the folder"), ("link", "outside the folder"),
                          ("link/x", "outside the folder"), ("a\x00b", "NUL"),
                          ("n" * 256, "name too long"), ("afile/sub", "cannot create"),
                          ("afile", "not a folder")):  # fmt: skip
        for route in ("save", "load"):
            status, reply = call(ws, f"/api/{route}", {"folder": folder})
            assert 400 <= status < 500, (route, folder, status)
            if route == "save":
                assert words in reply["error"], (folder, reply["error"])
        assert state(ws.session) == before and disk(ws.out) == files
    assert disk(tmp_path) == around and not list(outside.iterdir())


def test_save_never_overwrites_unless_asked(ws: Workshop) -> None:
    """Saving over a saved plan is a 409 naming its files; 'overwrite': true writes over it."""
    status, reply = call(ws, "/api/save", {"folder": "plan"})
    assert status == 200 and reply["folder"] == str((ws.out / "plan").resolve())
    assert sorted(reply["files"]) == ["assignments.csv", "providers.csv", "report.json",
                                      "scenario.toml", "zones.gpkg"]  # fmt: skip
    saved = disk(ws.out)
    call(ws, "/api/lock", {"zone": ws.session.plan.zone_ids[0]})
    status, reply = call(ws, "/api/save", {"folder": "plan"})
    assert status == 409 and "would overwrite" in reply["error"] and "zones.gpkg" in reply["error"]
    assert disk(ws.out) == saved
    status, _ = call(ws, "/api/save", {"folder": "plan", "overwrite": True})
    assert status == 200 and disk(ws.out)["plan/report.json"] != saved["plan/report.json"]
    assert sorted(disk(ws.out)) == sorted(saved)  # no temporary folder left behind
    (ws.out / "plan" / "report.json").unlink()
    (ws.out / "plan" / "report.json").symlink_to(ws.out / "elsewhere.json")
    status, reply = call(ws, "/api/save", {"folder": "plan", "overwrite": True})
    assert status == 400 and "symbolic link" in reply["error"]
    assert not (ws.out / "elsewhere.json").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_save_without_permission_is_a_clear_refusal(ws: Workshop) -> None:
    """A folder the user may not write: a 400 naming it, nothing written."""
    locked = ws.out / "readonly"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for folder in ("readonly", "readonly/new"):
            status, reply = call(ws, "/api/save", {"folder": folder})
            assert status == 400 and ("cannot write" in reply["error"]
                                      or "cannot create" in reply["error"])  # fmt: skip
        assert not list(locked.iterdir())
    finally:
        locked.chmod(0o755)


def test_a_write_that_fails_half_way_writes_nothing(
    ws: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No permission or a full disk while saving: a 400 saying so, no file and no folder left."""

    def refuse(*_: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store.os, "replace", refuse)
    before = disk(ws.out)
    status, reply = call(ws, "/api/save", {"folder": "new/deeper"})
    assert status == 400 and "cannot write" in reply["error"]
    assert "Permission denied" in reply["error"]
    assert disk(ws.out) == before  # not even the folders it made


def test_saved_tables_cannot_start_a_formula(helsinki: TravelNetwork, tmp_path: Path) -> None:
    """Ids starting = + - @ are written escaped, as `carezones zones` writes them."""
    ids = ["=1+1", "+c2", "-c3", "@c4"] + [f"c{i}" for i in range(4, 160)]
    session = new_session(helsinki, ids)
    w = serve(session, tmp_path)
    try:
        assert call(w, "/api/save", {"folder": "a"})[0] == 200
        text = (tmp_path / "a" / "assignments.csv").read_text()
        for bad in ids[:4]:
            assert f"\n'{bad}," in text and f"\n{bad}," not in text
        # zone ids starting with "=" (a plan loaded back) are escaped in providers.csv
        zones = gpd.read_file(tmp_path / "a" / "zones.gpkg", layer="zones")
        zones["zone_id"] = "=" + zones["zone_id"]
        (tmp_path / "b").mkdir()
        zones.to_file(tmp_path / "b" / "zones.gpkg", layer="zones", driver="GPKG")
        assert call(w, "/api/load", {"folder": "b"})[0] == 200
        assert call(w, "/api/save", {"folder": "c"})[0] == 200
        providers = (tmp_path / "c" / "providers.csv").read_text().splitlines()
        assert all(line.startswith("'=Z") for line in providers[1:])
    finally:
        w.stop()


def _zones_file(w: Workshop, name: str, zones: gpd.GeoDataFrame) -> None:
    (w.out / name).mkdir()
    zones.to_file(w.out / name / "zones.gpkg", layer="zones", driver="GPKG")


def test_load_checks_the_zones_file_as_carezones_zones_does(ws: Workshop) -> None:
    """Duplicate ids, points, an empty layer, zones far away, 'maybe' locked: each a 400."""
    assert call(ws, "/api/save", {"folder": "good"})[0] == 200
    good = gpd.read_file(ws.out / "good" / "zones.gpkg", layer="zones")
    _zones_file(ws, "dup", good.assign(zone_id="Z01"))
    _zones_file(ws, "points", good.assign(geometry=good.geometry.centroid))
    _zones_file(ws, "empty", good.iloc[:0])
    _zones_file(ws, "far", good.assign(geometry=good.geometry.translate(200_000, 0)))
    _zones_file(ws, "maybe", good.assign(locked=["maybe", "no", "no", "no"]))
    _zones_file(ws, "tiny", good.assign(geometry=[good.geometry.iloc[0], *[
        shapely.box(*g.centroid.buffer(0.001).bounds) for g in good.geometry.iloc[1:]]]))
    before = state(ws.session)
    for folder, words in (("dup", "duplicate id"), ("points", "not polygons"),
                          ("empty", "no rows"), ("far", "off the network"),
                          ("maybe", "not true or false"), ("tiny", "no street"),
                          ("nowhere", "missing file")):  # fmt: skip
        status, reply = call(ws, "/api/load", {"folder": folder})
        assert status == 400 and words in reply["error"], (folder, reply)
        assert "zones.gpkg" in reply["error"]
        assert state(ws.session) == before
    assert call(ws, "/api/view")[0] == 200


def test_load_reads_locked_as_booleans(ws: Workshop) -> None:
    """'no', 'false' and '0' are not locked; 'yes', 'true', 1 are."""
    assert call(ws, "/api/save", {"folder": "good"})[0] == 200
    good = gpd.read_file(ws.out / "good" / "zones.gpkg", layer="zones")
    for name, values, expected in (("text", ["no", "false", "0", "yes"], [0, 0, 0, 1]),
                                   ("caps", ["TRUE", "False", " y ", ""], [1, 0, 1, 0]),
                                   ("ints", [0, 1, 0, 1], [0, 1, 0, 1])):  # fmt: skip
        _zones_file(ws, name, good.assign(locked=values))
        status, reply = call(ws, "/api/load", {"folder": name})
        assert status == 200, reply
        assert [int(z["locked"]) for z in reply["zones"]] == expected


def test_a_link_to_a_zones_file_outside_is_not_loaded(ws: Workshop, tmp_path: Path) -> None:
    """A zones.gpkg that is a link out of the folder is refused."""
    assert call(ws, "/api/save", {"folder": "good"})[0] == 200
    outside = tmp_path / "elsewhere.gpkg"
    (ws.out / "good" / "zones.gpkg").rename(outside)
    (ws.out / "good" / "zones.gpkg").symlink_to(outside)
    status, reply = call(ws, "/api/load", {"folder": "good"})
    assert status == 400 and "outside the folder" in reply["error"]


# ---------------------------------------------------------------------------- split


def test_split_gives_both_zones_hours_or_refuses(helsinki: TravelNetwork) -> None:
    """Every split leaves hours on both sides; a zone whose hours lie on one unit is refused."""
    s = new_session(helsinki)
    for zone in list(s.plan.zone_ids):
        new = s.split(zone)
        hours = {z["zone_id"]: z["weekly_hours"] for z in s.scores()["zones"]}
        assert hours[zone] > 0 and hours[new] > 0, (zone, hours)
        assert abs(hours[zone] - hours[new]) <= 0.5 * (hours[zone] + hours[new])
        s.undo()
    # A zone whose clients all live on one street unit.
    p = s.plan
    unit_hours = s.scorer.unit_hours
    z0 = np.flatnonzero((p.labels == 0) & (unit_hours > 0))
    labels = p.labels.copy()
    labels[(labels == 0) & (unit_hours > 0)] = 1
    labels[z0[0]] = 0
    s.plan = p.__class__(labels, p.zone_ids, p.locked, p.lots, p.centres)
    before = s.snapshot()
    with pytest.raises(ValidationError, match=r"cannot split.*on 1 street unit"):
        s.split(p.zone_ids[0])
    assert s.snapshot()[0] is before[0]


# ---------------------------------------------------------------------------- ports


def test_port_is_checked_and_the_bound_one_is_used(helsinki: TravelNetwork) -> None:
    """Port -1 or 70000 is refused by name; 0 gives a real free port in the URL."""
    s = new_session(helsinki)
    for port in (-1, 70_000, True):
        with pytest.raises(ValidationError, match="a port number from 0"):
            Workshop(s, create_app(s), "127.0.0.1", port)
    w = Workshop(s, create_app(s), "127.0.0.1", 0)
    try:
        assert w.port > 0 and w.url == f"http://127.0.0.1:{w.port}/"
        with pytest.raises(ValidationError, match="cannot listen"):
            Workshop(s, create_app(s), "127.0.0.1", w.port)
        with socket.create_connection(("127.0.0.1", w.port), timeout=5):
            pass  # bound and listening before it serves: the address printed is real
    finally:
        w.stop()


def test_command_prints_the_bound_address(helsinki: TravelNetwork, tmp_path: Path) -> None:
    """`carezones workshop` without --port listens on a free port and prints it."""
    clients = helsinki_clients(helsinki).to_crs(4326)
    path = tmp_path / "clients.csv"
    clients.assign(lon=clients.geometry.x, lat=clients.geometry.y).drop(
        columns="geometry").to_csv(path, index=False)  # fmt: skip
    exe = Path(sys.executable).with_name("carezones")
    proc = subprocess.Popen(
        [str(exe), "workshop", "--network", str(datasets.default_osm_path()), "--clients",
         str(path), "--min-hours", "300", "--n-zones", "4", "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        deadline, lines = time.monotonic() + 240, []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            found = re.search(r"The workshop is at http://127\.0\.0\.1:(\d+)/", line)
            if found or not line:
                break
        assert found, "".join(lines)
        port = int(found.group(1))
        assert port not in (0, 8765)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


# ---------------------------------------------------------------------------- random bodies

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)  # fmt: skip


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    """A route and a body: random JSON, or the route's keys with random values, or bytes."""
    route = draw(st.sampled_from(sorted(BODIES)))
    keys = list(BODIES[route].model_fields)
    kind = draw(st.sampled_from(["json", "keys", "keys", "bytes"]))
    if kind == "bytes":
        return route, draw(st.binary(max_size=60))
    if kind == "json":
        value = draw(JSON_VALUES)
    else:
        value = {k: draw(JSON_VALUES) for k in keys if draw(st.booleans())}
    return route, json.dumps(value).encode()


@pytest.fixture(scope="module")
def random_ws(
    helsinki: TravelNetwork, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workshop]:
    w = serve(new_session(helsinki), tmp_path_factory.mktemp("random-out"))
    yield w
    w.stop()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=bodies())
def test_random_bodies_never_give_a_server_error(
    random_ws: Workshop, case: tuple[str, bytes]
) -> None:
    """Any body to any route: a 2xx or a 4xx with a message, never a 5xx; a 4xx changes nothing."""
    route, raw = case
    before = state(random_ws.session)
    status, reply = call(random_ws, f"/api/{route}", raw=raw)
    assert status < 500, (route, raw, reply)
    if status >= 400:
        assert isinstance(reply, dict) and reply["error"], reply
        assert state(random_ws.session) == before, (route, raw)


# ---------------------------------------------------------------------------- in a browser

ATTACK = """<!DOCTYPE html><html><head><title>a page on another origin</title></head><body>
<iframe name="sink" id="sink"></iframe>
<form id="plain" method="POST" action="{w}/api/merge" enctype="text/plain" target="sink">
<input type="hidden" name='{{"zone": "{a}", "into": "{b}", "pad": "' value='"}}'></form>
<form id="urlenc" method="POST" action="{w}/api/save" target="sink">
<input type="hidden" name="folder" value="pwned-form"></form>
<script>
const W = "{w}";
const attacks = [
  ["/api/save", {{folder: "pwned"}}], ["/api/save", {{folder: "{outside}"}}],
  ["/api/merge", {{zone: "{a}", into: "{b}"}}], ["/api/lock", {{zone: "{a}", locked: true}}],
  ["/api/move", {{units: [0, 1, 2, 3], zone: "{b}"}}], ["/api/split", {{zone: "{a}"}}],
  ["/api/redraw", {{}}], ["/api/load", {{folder: "."}}],
];
async function run() {{
  const out = [];
  for (const [path, body] of attacks) {{
    try {{
      const r = await fetch(W + path, {{method: "POST", mode: "no-cors",
        headers: {{"Content-Type": "text/plain"}}, body: JSON.stringify(body)}});
      out.push(path + " sent (" + r.type + ")");
    }} catch (e) {{ out.push(path + " failed"); }}
  }}
  try {{ const r = await fetch(W + "/api/view"); out.push("read " + r.status); }}
  catch (e) {{ out.push("read blocked"); }}
  for (const id of ["plain", "urlenc"]) {{
    await new Promise((done) => {{
      const sink = document.getElementById("sink");
      sink.onload = done; setTimeout(done, 5000);
      document.getElementById(id).submit();
    }});
    out.push(id + " form submitted");
  }}
  window.results = out;
  document.title = "done";
}}
run();
</script></body></html>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"headless Chromium absent ({CHROMIUM}): apt-get install -y chromium")
    api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebind.test 127.0.0.1"],
        )  # fmt: skip
        yield b
        b.close()


class Attacker:
    """A web server on another local port serving one page (the attacker's origin)."""

    def __init__(self, folder: Path, page: str) -> None:
        (folder / "index.html").write_text(page)

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(folder), **kwargs)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


def test_a_page_on_another_origin_cannot_drive_or_read_the_workshop(
    browser: Any, helsinki: TravelNetwork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """no-cors text/plain fetches, auto-submitted forms and a rebound Host change nothing."""
    monkeypatch.chdir(tmp_path)  # the old server saved relative paths against its cwd
    (tmp_path / "out").mkdir()
    (tmp_path / "evil").mkdir()
    session = new_session(helsinki)
    w = serve(session, tmp_path / "out")
    refused: list[tuple[str, int]] = []
    door = w.app.state.door
    judge = door.refusal

    def counted(method: str, path: str, headers: Any) -> Any:
        verdict = judge(method, path, headers)
        if verdict is not None:
            refused.append((path, verdict[0]))
        return verdict

    monkeypatch.setattr(door, "refusal", counted)
    a, b = session.plan.zone_ids[:2]
    evil = Attacker(tmp_path / "evil", ATTACK.format(
        w=f"http://127.0.0.1:{w.port}", a=a, b=b, outside=str(tmp_path / "pwned-abs")))  # fmt: skip
    before, files = state(session), disk(tmp_path)
    try:
        page = browser.new_page()
        page.goto(evil.url)
        page.wait_for_function("document.title === 'done'", timeout=60_000)
        results = page.evaluate("window.results")
        assert results[-3] in ("read blocked", "read 403"), results  # no CORS read
        assert sum("sent" in r for r in results) == 8, results  # the requests did go out
        # Every attack reached the workshop and was refused there, before it was read.
        assert {p for p, _ in refused} >= {"/api/save", "/api/merge", "/api/lock",
                                           "/api/move", "/api/split", "/api/redraw",
                                           "/api/load", "/api/view"}  # fmt: skip
        assert all(code == 403 for _, code in refused)

        # DNS rebinding: the attacker's name now points at 127.0.0.1; same-origin, so the
        # page could read the replies, but the workshop answers nothing under that Host.
        rebound = browser.new_page()
        first = rebound.goto(f"http://rebind.test:{w.port}/")
        assert first is not None and first.status == 403
        got = rebound.evaluate("""async () => {
            const out = {};
            for (const path of ["/", "/api/view", "/api/units"]) {
              const r = await fetch(path); out[path] = [r.status, await r.text()];
            }
            const r = await fetch("/api/save", {method: "POST",
              headers: {"Content-Type": "application/json"}, body: '{"folder": "pwned"}'});
            out.save = [r.status, await r.text()];
            return out;
        }""")
        for path, (status, text) in got.items():
            assert status == 403, (path, status)
            assert "labels" not in text and "units" not in text and "<html" not in text

        # Nothing changed: the plan, its history, and every file under tmp_path.
        assert state(session) == before
        assert disk(tmp_path) == files
        assert not list(tmp_path.rglob("pwned*"))

        # The workshop's own page, with its token, can do what the attacks could not.
        own = browser.new_page()
        own.goto(w.url)
        own.wait_for_selector("body[data-ready='1']", timeout=120_000)
        status = own.evaluate("""async (zone) => {
            const token = document.querySelector("meta[name='carezones-token']").content;
            const r = await fetch("/api/lock", {method: "POST", headers: {"Content-Type":
              "application/json", "X-Carezones-Token": token}, body: JSON.stringify({zone})});
            return r.status;
        }""", a)
        assert status == 200 and session.plan.locked[0]
    finally:
        evil.stop()
        w.stop()


def test_the_page_asks_before_saving_over_a_plan(
    browser: Any, helsinki: TravelNetwork, tmp_path: Path
) -> None:
    """Save over a saved plan: the page asks; 'Cancel' writes nothing, 'OK' writes over it."""
    session = new_session(helsinki)
    w = serve(session, tmp_path)
    try:
        page = browser.new_page()
        page.goto(w.url)
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        page.fill("#folder", "plan")
        page.click("#save")
        page.wait_for_function("() => cz.last && cz.last.files && !document.body.dataset.busy")
        first = disk(tmp_path)
        assert "plan/zones.gpkg" in first
        session.lock(session.plan.zone_ids[0])  # the plan changes: report.json would too
        asked: list[str] = []

        def answer(accept: bool) -> Any:
            def handle(dialog: Any) -> None:
                asked.append(dialog.message)
                dialog.accept() if accept else dialog.dismiss()

            return handle

        done = "() => !document.body.dataset.busy && document.querySelector('#status').textContent"
        page.once("dialog", answer(False))
        page.click("#save")
        page.wait_for_function(f"{done}.includes('would overwrite')")
        page.wait_for_timeout(300)  # the dialog has been answered
        assert len(asked) == 1 and "would overwrite" in asked[0] and "Overwrite" in asked[0]
        assert disk(tmp_path) == first  # Cancel: nothing written
        page.once("dialog", answer(True))
        page.click("#save")
        page.wait_for_function(f"{done}.startsWith('save: done')", timeout=60_000)
        assert len(asked) == 2
        again = disk(tmp_path)
        assert sorted(again) == sorted(first)
        assert again["plan/report.json"] != first["plan/report.json"]  # OK: written over
    finally:
        w.stop()
