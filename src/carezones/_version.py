"""The installed version of carezones, for the package and the pages that print it."""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("carezones")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
