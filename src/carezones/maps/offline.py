"""Self-contained map HTML: Leaflet inlined from a registry package, nothing fetched.

Where Leaflet comes from
------------------------
Leaflet 1.9.4 (BSD 2-Clause, (c) Volodymyr Agafonkin and CloudMade) is read from the
PyPI package ``django-js-lib-leaflet`` (a dependency of carezones), which ships
Leaflet's ``dist/leaflet.js``, ``dist/leaflet.css`` and ``dist/images/`` byte for byte as
the npm package ``leaflet@1.9.4`` does (same SHA-256), in
``js_lib_leaflet/static/js_lib_leaflet/``. It has no dependencies; Django is only needed
to use it as a Django app, which carezones does not.

What :func:`offline_html` does to folium's page
-----------------------------------------------
- ``leaflet.js`` and ``leaflet.css`` are inlined (the CSS's images as ``data:`` URIs);
- Leaflet.Sync (folium's ``DualMap``) is replaced by a few lines that keep two maps on
  the same view;
- folium's other defaults (jQuery, Bootstrap, Font Awesome, awesome-markers) are dropped:
  carezones' maps use only Leaflet. Any other external script or stylesheet is dropped
  with an :class:`OfflineMapWarning` naming it, as is a page that calls jQuery (folium's
  ``Popup``: use tooltips in offline maps);
- tile layers are left out when the page is rendered (see :func:`without_tiles`).
"""

from __future__ import annotations

import base64
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

from folium.raster_layers import TileLayer

from carezones.exceptions import CarezonesWarning

__all__ = ["OfflineMapWarning", "leaflet_assets", "offline_html", "without_tiles"]

_PACKAGE = "js_lib_leaflet"
_FOLDER = "static/js_lib_leaflet"

# folium's default assets that carezones' maps never use.
_UNNEEDED = (
    "jquery",
    "bootstrap",
    "awesome-markers",
    "awesome_markers",
    "fontawesome",
    "awesome.rotate",
    "glyphicons",
)

# Stands in for Leaflet.Sync (folium's DualMap calls ``a.sync(b); b.sync(a)``).
_SYNC_JS = """
L.Map.include({
  sync: function (other) {
    var self = this;
    this.on("move zoomend", function () {
      if (self._czFollowing) { return; }
      other._czFollowing = true;
      other.setView(self.getCenter(), self.getZoom(), {animate: false});
      other._czFollowing = false;
    });
    return this;
  }
});
"""

_TAG = re.compile(
    r"<script[^>]*\bsrc=\"(?P<js>[^\"]+)\"[^>]*>\s*</script>"
    r"|<link[^>]*\bhref=\"(?P<css>[^\"]+)\"[^>]*/?>",
    re.IGNORECASE,
)


class OfflineMapWarning(CarezonesWarning):
    """Part of a map needs the internet and was left out of its offline page."""


@cache
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JavaScript and CSS (images inlined as data URIs), from the bundled package.

    Examples
    --------
    >>> js, css = leaflet_assets()
    >>> "Leaflet 1.9" in js[:200], "data:image/png;base64," in css
    (True, True)
    """
    try:
        folder = resources.files(_PACKAGE).joinpath(_FOLDER)
        js = folder.joinpath("leaflet.js").read_text(encoding="utf-8")
        css = folder.joinpath("leaflet.css").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as err:  # pragma: no cover
        raise ImportError(
            "offline maps need Leaflet from the package django-js-lib-leaflet: "
            "pip install django-js-lib-leaflet"
        ) from err

    def data_uri(match: re.Match[str]) -> str:
        png = folder.joinpath("images", match.group(1)).read_bytes()
        return "url(data:image/png;base64," + base64.b64encode(png).decode("ascii") + ")"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)
    return js, css


def _is_leaflet(url: str, ext: str) -> bool:
    name = url.rsplit("/", 1)[-1].split("?")[0].lower()
    return name == f"leaflet.{ext}" or name == f"leaflet.min.{ext}"


def offline_html(html: str) -> str:
    """Rewrite a rendered folium page so that it needs no internet (see the module docs)."""
    if re.search(r"\$\(|\$\.ajax|jQuery\(", html):
        warnings.warn(
            "this map calls jQuery (folium popups or keep_in_front), which offline pages "
            "leave out: those parts will not work; use tooltips instead",
            OfflineMapWarning,
            stacklevel=3,
        )
    js, css = leaflet_assets()
    dropped: list[str] = []
    done = {"js": False, "css": False}

    def replace(match: re.Match[str]) -> str:
        url = match.group("js") or match.group("css")
        kind = "js" if match.group("js") else "css"
        if not re.match(r"(https?:)?//", url):
            return match.group(0)  # a local file: kept as it is
        if _is_leaflet(url, kind):
            if done[kind]:
                return ""
            done[kind] = True
            body = js.replace("</script", "<\\/script") if kind == "js" else css
            return f"<script>{body}</script>" if kind == "js" else f"<style>{body}</style>"
        if "sync" in url.lower() and kind == "js":
            return f"<script>{_SYNC_JS}</script>"
        if not any(word in url.lower() for word in _UNNEEDED):
            dropped.append(url)
        return ""

    out = _TAG.sub(replace, html)
    if not done["js"]:  # a page folium rendered without its defaults: add Leaflet first
        out = out.replace("<head>", f"<head><style>{css}</style><script>{js}</script>", 1)
    for url in dropped:
        warnings.warn(
            f"left out of the offline page (it needs the internet): {url}",
            OfflineMapWarning,
            stacklevel=3,
        )
    return out


def _tile_children(element: Any) -> Iterator[tuple[Any, str, Any]]:
    for name, child in list(getattr(element, "_children", {}).items()):
        if isinstance(child, TileLayer):
            yield element, name, child
        else:
            yield from _tile_children(child)
    for attr in ("m1", "m2"):  # folium.plugins.DualMap
        if hasattr(element, attr):
            yield from _tile_children(getattr(element, attr))


@contextmanager
def without_tiles(element: Any) -> Iterator[None]:
    """Take the tile layers (which need the internet) out of a map while it renders."""
    root = element.get_root()
    removed, seen = [], set()
    for parent, name, child in _tile_children(root):
        if id(child) not in seen:
            seen.add(id(child))
            removed.append((parent, name, child))
    positions = {}
    for parent, name, _ in removed:
        positions[(id(parent), name)] = list(parent._children).index(name)
        del parent._children[name]
    try:
        yield
    finally:
        for parent, name, child in reversed(removed):
            items = list(parent._children.items())
            items.insert(positions[(id(parent), name)], (name, child))
            parent._children.clear()
            parent._children.update(items)
