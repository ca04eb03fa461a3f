"""No CSV carezones writes holds a cell a spreadsheet would run as a formula.

Ids starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) are written
with a leading ``'`` (OWASP's advice for CSV injection), which spreadsheets show as text;
carezones' readers take it off again, so the tables read back unchanged.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import carezones as cz
from carezones._files import FORMULA_PREFIXES, safe_cells, unescape_cell
from carezones.demand import expand_visits
from carezones.report import write_workbook
from carezones.routing import Budget, plan_routes
from conftest import grid_network

HOSTILE = ['=HYPERLINK("http://x","y")', "+44 7700", "-1+2", "@SUM(A1)", "\t=1", "c5"]
X0, Y0 = 530_000.0, 180_000.0


def cells(folder: Path) -> list[tuple[str, str]]:
    """Every (file, cell) of every CSV under ``folder``, header included."""
    out = []
    for path in sorted(folder.rglob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            out += [(path.name, c) for row in csv.reader(f) for c in row]
    return out


def is_number(cell: str) -> bool:
    """A plain number (a negative longitude is a number to a spreadsheet, not a formula)."""
    try:
        float(cell)
    except ValueError:
        return False
    return cell.strip() == cell


def assert_safe(folder: Path) -> None:
    found = cells(folder)
    assert found, "no CSV written"
    bad = [(n, c) for n, c in found if c.startswith(FORMULA_PREFIXES) and not is_number(c)]
    assert bad == []


def people() -> tuple[pd.DataFrame, pd.DataFrame]:
    clients = pd.DataFrame(
        {
            "client_id": HOSTILE,
            "x": [X0 + 100 * (i % 3) for i in range(len(HOSTILE))],
            "y": [Y0 + 100 * (i // 3) for i in range(len(HOSTILE))],
            "weekly_hours": [3.5] * len(HOSTILE),
            "provider_id": ["=P1"] * len(HOSTILE),
        }
    )
    carers = pd.DataFrame(
        {
            "carer_id": ["=K1", "@K2"],
            "x": [X0, X0 + 400],
            "y": [Y0, Y0 + 400],
            "mode": ["walk", "walk"],
            "contracted_hours": [35, 35],
            "provider_id": ["=P1", "=P1"],
        }
    )
    return cz.read_clients(clients, crs=27700), cz.read_carers(carers, crs=27700)


@pytest.mark.parametrize("table", ["clients", "carers", "providers"])
def test_table_writers_neutralise_formulas_and_read_back(table: str, tmp_path: Path) -> None:
    """write_clients/carers/providers: no formula cell; read back, the ids are as given."""
    clients, carers = people()
    providers = cz.read_providers(pd.DataFrame({"provider_id": ["=P1", "-P2"]}))
    frame = {"clients": clients, "carers": carers, "providers": providers}[table]
    write = getattr(cz, f"write_{table}")
    path = write(frame, tmp_path / f"{table}.csv")
    assert_safe(tmp_path)
    again = getattr(cz, f"read_{table}")(path)
    id_column = f"{table[:-1]}_id"
    assert again[id_column].tolist() == frame[id_column].tolist()


def test_route_plan_csvs_neutralise_formulas(tmp_path: Path) -> None:
    """routes.csv, shifts.csv, unscheduled.csv and continuity.csv: ids starting = + - @ escaped."""
    net = grid_network()
    clients, carers = people()
    clients["zone_id"] = "=Z1"
    carers["zone_id"] = "=Z1"
    visits = expand_visits(clients, days="monday")
    plan = plan_routes(
        visits, carers, net, clients=clients, days="monday", budget=Budget(max_iterations=30),
        n_jobs=1, random_state=0,
    )  # fmt: skip
    plan.write(tmp_path)
    assert_safe(tmp_path)
    text = "\n".join(c for _, c in cells(tmp_path))
    assert "'=K1" in text  # the ids are there, as text
    continuity = [c for name, c in cells(tmp_path) if name == "continuity.csv"]
    assert {"main_carer", "carers"} <= set(continuity)  # who each client saw, named
    assert any(c.startswith("'=K") for c in continuity)  # and escaped like every id


def test_safe_cells_leaves_numbers_and_plain_text() -> None:
    """Only text starting a formula changes: negative numbers stay numbers."""
    frame = pd.DataFrame({"id": ["=1+1", "c1", "-x"], "lon": [-0.1, 1.0, -2.5]})
    out = safe_cells(frame)
    assert out["id"].tolist() == ["'=1+1", "c1", "'-x"]
    assert out["lon"].tolist() == [-0.1, 1.0, -2.5]
    assert [unescape_cell(v) for v in out["id"]] == frame["id"].tolist()


def test_no_workbook_cell_is_a_formula(tmp_path: Path) -> None:
    """report.xlsx: ids that look like formulas are stored as the text they are."""
    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "plain"]
    frame = pd.DataFrame({"client_id": hostile, "weekly_hours": [1.0, 2.0, 3.0, 4.0, 5.0]})
    path = write_workbook({"clients": frame}, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(path)["clients"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == hostile
    assert all(c.data_type == "s" for c in cells)
