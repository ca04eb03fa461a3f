"""The ``carezones`` command line (:mod:`~carezones.cli.app`), its demo and its routes command."""

from carezones.cli.app import app, main

__all__ = ["app", "main"]
