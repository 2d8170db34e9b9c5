"""Fuzzing the loaders and `cost`: whatever the bytes or values, only a BatchkitError may escape.

Random bytes as a CSV, XLSX or Parquet file; CSV text built from hostile
cells (wrong field counts, quotes, newlines, NaN, huge numbers, odd dates,
markup); random typed frames (mixed types, NaN, inf, huge and negative
values, extreme dates) written as Parquet and Excel. Each goes through
load_dataset -> validate -> cost -> the writer. Bounded: a few dozen examples
per test (HYPOTHESIS_PROFILE=thorough runs 20 times more).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from batchkit.core.errors import BatchkitError
from batchkit.core.params import Params
from batchkit.core.schema import TABLES
from batchkit.store.cost_folder import cost_to_folder
from tests.conftest import BASE, write_tables

TABLE_NAMES = sorted(BASE)


def fuzz_settings(examples: int) -> settings:
    scale = max(1, settings.default.max_examples // 60)  # the "thorough" profile digs deeper
    return settings(max_examples=examples * scale, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def survives(spoil) -> bool:
    """Write the base plant, let `spoil(folder)` damage it, and run everything: only BatchkitError may escape.

    Returns whether the run wrote its tables (hypothesis' statistics show how many examples got that far).
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tables(Path(tmp) / "data", BASE)
        spoil(folder)
        out = Path(tmp) / "out" / "2026-01"
        try:
            cost_to_folder(folder, "2026-01", out, Params())
        except BatchkitError as exc:
            _event(f"refused: {getattr(exc, 'check', None) or type(exc).__name__}")
            return False
        _event("costed")
        return (out / "manifest.json").is_file()


def _event(text: str) -> None:
    if currently_in_test_context():
        event(text)


# ------------------------------------------------------------------ random bytes

@fuzz_settings(30)
@given(table=st.sampled_from(TABLE_NAMES), data=st.binary(max_size=600), keep_header=st.booleans())
def test_random_bytes_as_a_csv(table, data, keep_header):
    header = BASE[table].strip().splitlines()[0].strip().encode() + b"\n" if keep_header else b""
    survives(lambda folder: (folder / f"{table}.csv").write_bytes(header + data))


@fuzz_settings(15)
@given(table=st.sampled_from(TABLE_NAMES), suffix=st.sampled_from([".xlsx", ".parquet"]),
       data=st.binary(max_size=400), prefix=st.sampled_from([b"", b"PK\x03\x04", b"PAR1"]))
def test_random_bytes_as_an_xlsx_or_parquet_file(table, suffix, data, prefix):
    def spoil(folder: Path) -> None:
        (folder / f"{table}.csv").unlink()
        (folder / f"{table}{suffix}").write_bytes(prefix + data + (b"PAR1" if prefix == b"PAR1" else b""))

    survives(spoil)


# ------------------------------------------------------------------ hostile CSV text

CELLS = st.one_of(
    st.sampled_from(["", " ", "0", "-1", "-0", "1e308", "-1e309", "1e13", "NaN", "inf", "１２", "1,000", "1,5",
                     "0.1234567891234", "2026-01-05", "2026-02-30", "05/01/2026", "20260105", "2026-1", "2026-13",
                     "S1", "F1", "F2", "s-1", "L-1", "WC1", "WC2", "P-OH", "overhead", "machine_hours",
                     '"', '""', "a,b", "x\ny", "<script>alert(1)</script>", "=cmd|' /C calc'!A0", "\ufeff",
                     "9" * 40, "导管", "\u202e"]),  # (NUL bytes: see the random-bytes test)
    st.text(st.characters(exclude_characters="\x00"), max_size=12),
)


@st.composite
def hostile_csv(draw, table: str) -> str:
    names = [c.name for c in TABLES[table].columns if c.required or draw(st.booleans())]
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        width = len(names) + draw(st.sampled_from([0] * 30 + [-1, 1]))
        cells = [draw(CELLS) for _ in range(max(width, 0))]
        raw = draw(st.integers(0, 9)) == 0  # now and then written as is, quotes and delimiters unescaped
        rows.append(",".join(c if raw else '"' + c.replace('"', '""') + '"' for c in cells))
    return "\n".join([",".join(names), *rows]) + draw(st.sampled_from(["", "\n", "\n\n", "\r\n"]))


@fuzz_settings(40)
@given(data=st.data(), table=st.sampled_from([*TABLE_NAMES, "direct_costs", "drivers", "shipments", "standard_bom",
                                              "nonconformances"]))
def test_hostile_csv_cells(data, table):
    text = data.draw(hostile_csv(table))
    survives(lambda folder: (folder / f"{table}.csv").write_bytes(text.encode("utf-8", "surrogatepass")))


# ------------------------------------------------------------------ random typed frames

def column_strategy(n: int) -> st.SearchStrategy[pa.Array]:
    ints = st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), min_size=n, max_size=n)
    floats = st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)), min_size=n, max_size=n)
    # (Arrow text is UTF-8: a lone surrogate cannot be in a Parquet or Excel cell; the CSV tests send them as bytes)
    texts = st.lists(st.one_of(st.none(), CELLS.filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s))),
                     min_size=n, max_size=n)
    dates = st.lists(st.one_of(st.none(), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))), min_size=n,
                     max_size=n)
    stamps = st.lists(st.one_of(st.none(), st.datetimes(dt.datetime(1700, 1, 1), dt.datetime(2200, 1, 1))),
                      min_size=n, max_size=n)
    bools = st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)
    return st.one_of(
        ints.map(lambda v: pa.array(v, pa.int64())),
        floats.map(lambda v: pa.array(v, pa.float64())),
        texts.map(lambda v: pa.array(v, pa.string())),
        dates.map(lambda v: pa.array(v, pa.date32())),
        stamps.map(lambda v: pa.array(v, pa.timestamp("ms"))),
        bools.map(lambda v: pa.array(v, pa.bool_())),
        st.just(pa.nulls(n)),
    )


@st.composite
def random_frame(draw, table: str) -> pa.Table:
    n = draw(st.integers(0, 5))
    names = [c.name for c in TABLES[table].columns if c.required or draw(st.booleans())]
    return pa.table({name: draw(column_strategy(n)) for name in names})


@fuzz_settings(40)
@given(data=st.data(), table=st.sampled_from(TABLE_NAMES), fmt=st.sampled_from(["parquet", "xlsx"]))
def test_random_typed_frames(data, table, fmt):
    frame = data.draw(random_frame(table))

    def spoil(folder: Path) -> None:
        (folder / f"{table}.csv").unlink()
        if fmt == "parquet":
            pq.write_table(frame, folder / f"{table}.parquet")
            return
        book = openpyxl.Workbook()
        ws = book.active
        ws.append(frame.column_names)
        for row in frame.to_pylist():
            ws.append([_excel_cell(v) for v in row.values()])
        book.save(folder / f"{table}.xlsx")

    survives(spoil)


def _excel_cell(value):
    """What openpyxl can store: it refuses control characters, and Excel knows no year before 1900."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch >= " " or ch in "\t\n")
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    if isinstance(value, dt.date) and value.year < 1900:
        return value.isoformat()
    if isinstance(value, int) and abs(value) >= 2**53:
        return str(value)
    return value


@fuzz_settings(20)
@given(values=st.lists(st.one_of(st.none(), st.floats(), st.integers(-(10**20), 10**20),
                                 st.decimals(allow_nan=True, allow_infinity=True, places=6)), min_size=1, max_size=4))
def test_extreme_numbers_in_every_money_column(values):
    """Every numeric column of the base plant gets the same extreme values (as CSV text)."""
    texts = ["" if v is None else str(v) for v in values]

    def spoil(folder: Path) -> None:
        for name in TABLE_NAMES:
            path = folder / f"{name}.csv"
            lines = path.read_text().splitlines()
            header = lines[0].split(",")
            nums = {i for i, h in enumerate(header) if TABLES[name].column(h).kind == "num"}
            out = [lines[0]]
            for k, line in enumerate(lines[1:]):
                cells = line.split(",")
                out.append(",".join(texts[k % len(texts)] if i in nums else c for i, c in enumerate(cells)))
            path.write_text("\n".join(out) + "\n")

    survives(spoil)


def test_the_harness_costs_an_unspoiled_plant():
    """The harness is not vacuous: the base plant goes all the way to written tables."""
    assert survives(lambda folder: None)
