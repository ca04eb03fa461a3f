"""``carezones report RUN_DIR``: the report pack of a run, and ``carezones --version``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carezones._version import __version__
from carezones.cli.setup import setup_logging
from carezones.report import build_report

__all__ = ["report_command", "version_callback"]


def report_command(
    run_dir: Annotated[
        Path, typer.Argument(help="A folder written by zones, scenario run or scenario compare.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="The HTML page (default RUN_DIR/report.html)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The page's heading.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Write the report pack of a run: report.html (prints on A4) and report.xlsx."""
    setup_logging(verbose)
    page, book = build_report(run_dir, out, title=title)
    size = page.stat().st_size / 1e6
    typer.echo(f"Report written to {page} ({size:.1f} MB) and {book}")


def version_callback(value: bool) -> None:
    """Print the version and stop (``--version``)."""
    if value:
        typer.echo(f"carezones {__version__}")
        raise typer.Exit()
