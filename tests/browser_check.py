"""Headless Chromium for the tests: open a saved page with networking blocked, read what it drew.

Needs Debian's ``chromium`` package (``apt-get install -y chromium``); tests skip when
``/usr/bin/chromium`` (or ``$CAREZONES_CHROMIUM``) is absent, except under CI, where its
absence is a bug. Set ``$CAREZONES_SCREENSHOTS`` to a folder to keep the screenshots.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np

CHROMIUM = Path(os.environ.get("CAREZONES_CHROMIUM", "/usr/bin/chromium"))

if os.environ.get("CI") and not CHROMIUM.exists():  # .ci/run installs it: its absence is a bug
    raise RuntimeError(f"CI is set but headless Chromium is absent ({CHROMIUM})")


def chromium(page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``page`` with every network request sent nowhere."""
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        "--proxy-server=127.0.0.1:9",  # nothing listens there: any request fails
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--virtual-time-budget=5000",
        "--window-size=1200,900",
        *action,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def count(dom: str, css_class: str) -> int:
    """SVG paths of a layer that Leaflet drew (and made clickable)."""
    return len(re.findall(rf'<path class="{css_class} leaflet-interactive"', dom))


def maps(dom: str) -> list[str]:
    """The map containers Leaflet set up."""
    return re.findall(r'<div class="folium-map leaflet-container[^"]*" id="(\w+)"', dom)


def visible_legends(dom: str) -> list[str]:
    """Titles of the legend boxes shown (not display: none)."""
    boxes = re.findall(r'<div class="cz-legend[^"]*"( style="[^"]*")?>(.*?)</b>', dom)
    return [re.sub(r"<[^>]+>", "", body) for style, body in boxes if "display: none" not in style]


def keep(picture: Path) -> None:
    folder = os.environ.get("CAREZONES_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(picture, Path(folder) / picture.name)


def share_of_colour(image: np.ndarray, colour: str, opacity: float, background: str) -> float:
    """Share of pixels showing ``colour`` at ``opacity`` over ``background`` (RGB, +-14)."""
    fill, back = (
        np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)]) for c in (colour, background)
    )
    expected = opacity * fill + (1 - opacity) * back
    rgb = image[..., :3] * 255.0 if image.dtype.kind == "f" else image[..., :3].astype(float)
    return float((np.abs(rgb - expected) <= 14).all(axis=-1).mean())


def label_boxes(dom: str) -> list[tuple[int, int, int, int]]:
    """The boxes (left, top, right, bottom) of the zone labels shown on the page."""
    found = re.findall(r'data-cz-box="(-?\d+),(-?\d+),(-?\d+),(-?\d+)"', dom)
    return [tuple(int(v) for v in box) for box in found]  # type: ignore[misc]


def overlapping(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    """Pairs of boxes that overlap."""
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes[:i])
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]
