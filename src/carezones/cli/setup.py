"""What every command does first: logging to stderr at the chosen level."""

from __future__ import annotations

import logging

__all__ = ["setup_logging"]


def setup_logging(verbose: bool) -> None:
    """Log warnings (with ``verbose``, information too) to stderr, with time and source."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
