"""The dataset's tables handed to the engine as Arrow, and the decimal places of every number in them.

Loaders parse numbers to float64. The model turns each numeric column back
into exact integers at the decimal places it was written with, as
`postings.post` does: the places are `money.scaled`'s, decided on the
column's distinct values (a few thousand, fetched from the engine: the
decision depends on the set of values only), and the statement that first
reads the column scales it (`exact.from_double`: numpy's rint, ties to even,
clipped at 2**61, in portable SQL). From there on no double is on a money path.

Text stays Arrow text (no copy), dates become DATE, NaN becomes NULL.

The one number that is not a column of the input is the unit cost an issue
is priced at (its own, else its lot's): its places are those of the values
used. When the union of both columns is exact at its places (the usual
case), every used value is exact there too and the cents are the same; only
otherwise are the used values picked out (`_used_unit_costs`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ...core import money
from ...core.model import Dataset
from ...core.params import Params
from ...engine.connection import Engine
from ...ingest import on_engine
from . import exact


@dataclass(frozen=True)
class Places:
    """Decimal places of each exact integer the model uses (value = integer / 10**places)."""

    qty: int  # material_issues.qty
    unit: int  # the unit cost issues are priced at (material_issues.unit_cost, else material_lots.unit_cost)
    hours: int  # operations labor_hours and machine_hours (one scale for both)
    labor_rate: int
    machine_rate: int
    direct: int  # direct_costs.amount
    pool: int  # cost_pools.amount
    driver: int  # drivers.value
    good: int  # batches qty_good, qty_started, qty_scrap (one scale)
    bom_qty: int
    bom_price: int
    std_labor_hours: int
    std_machine_hours: int
    std_labor_rate: int
    std_machine_rate: int
    std_overhead: int
    ties: frozenset[str] = frozenset()  # names whose values are not all exact at their places (see `rounding`)

    def scales(self) -> dict[str, float]:
        """`<name>_scale` = 10.0**places: the statements' parameters for `exact.from_double`."""
        return {f"{k}_scale": 10.0**v for k, v in asdict(self).items() if k != "ties"}


def exact_at(values: np.ndarray, places: int) -> bool:
    """Whether every value times 10**places is within a few ulps of an integer below 2**61: then any rounding
    to an integer gives numpy's rint, ties cannot occur and nothing is clipped."""
    values = values[np.isfinite(values)]
    peak = float(np.abs(values).max(initial=0.0))
    if not (money.decimal_places(values) <= places and peak * 10.0**places < exact.CLIP):
        return False
    # near 2**48 "a few ulps" spans half a unit: 281475.3308741085 passes for 9 places, yet x * 10**9 is an
    # exact tie (…108.5) that ROUND takes away from zero and rint to even (found by hypothesis)
    scaled = np.abs(values * 10.0**places)
    return not bool(np.any(scaled - np.floor(scaled) == 0.5))


def text(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as Arrow (the loader's Arrow strings, chunks and all: no copy); all-missing columns as
    nulls."""
    arr = pa.array(values, from_pandas=True)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())
    return arr


def day(values: pd.Series) -> pa.Array:
    """Dates as DATE (days since 1970; the loader's dates are whole days), NaT as NULL."""
    x = values.to_numpy(dtype="datetime64[s]")
    days = np.floor_divide(x.view(np.int64), 86_400).astype(np.int32)
    missing = np.isnat(x)
    return pa.array(days, mask=missing if missing.any() else None).view(pa.date32())


def number(values: pd.Series) -> pa.Array:
    """float64, NaN as NULL (no copy of the values)."""
    x = values.to_numpy(dtype="float64")
    missing = np.isnan(x)
    return pa.array(x, mask=missing if missing.any() else None)


# table -> (its text, date and number columns), as the loader types them (batchkit.schema)
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "batches": (("batch_id", "item_id", "product_line", "site"), ("start_date", "end_date"),
                ("qty_started", "qty_good", "qty_scrap")),
    "material_issues": (("batch_id", "material_id", "lot_id"), ("date",), ("qty", "unit_cost")),
    "material_lots": (("lot_id",), (), ("unit_cost",)),
    "operations": (("batch_id", "operation", "work_center"), ("date",), ("labor_hours", "machine_hours")),
    "rates": (("work_center",), ("valid_from", "valid_to"), ("labor_rate", "machine_rate")),
    "direct_costs": (("batch_id", "cost_element"), ("date",), ("amount",)),
    "cost_pools": (("pool_id", "cost_element", "period", "product_line", "site", "work_center"), (), ("amount",)),
    "drivers": (("batch_id", "driver", "period"), (), ("value",)),
    "standard_bom": (("item_id", "material_id"), (), ("qty_per_unit", "std_unit_cost")),
    "standard_routing": (("item_id", "operation"), (), ("labor_hours_per_unit", "machine_hours_per_unit",
                                                        "std_labor_rate", "std_machine_rate")),
    "standard_overhead": (("item_id", "cost_element", "behavior"), (), ("std_cost_per_unit",)),
}

# rows the numpy engine leaves out before deciding places (standards without their keys)
KEYED = {"standard_bom": ("item_id", "material_id"), "standard_routing": ("item_id", "operation"),
         "standard_overhead": ("item_id",), "batches": ("batch_id",)}


ROW_NUMBERED = ("material_lots", "cost_pools", "rates")  # small tables whose row position is used


def register(engine: Engine, ds: Dataset) -> Places:
    """Register each table as `in_<table>` (lots and pools with `_row`, their position) and find the places of
    its numbers."""
    typed: dict[str, list[on_engine.Typed]] = {}
    for name, (texts, dates, numbers) in COLUMNS.items():
        if name in ds.engine_read:  # after in_batches: a lot_id naming a batch takes the batch's ID
            typed[name] = _engine_read(engine, ds, name, texts + dates + numbers)
            continue
        frame = ds.get(name)
        engine.register(f"in_{name}", pa.table({
            **({"_row": np.arange(len(frame), dtype=np.int64)} if name in ROW_NUMBERED else {}),
            **{c: text(frame[c]) for c in texts},
            **{c: day(frame[c]) for c in dates},
            **{c: number(frame[c]) for c in numbers},
        }))

    ds.cache[(TYPED, id(engine))] = typed
    distinct = _distinct(engine)
    values: dict[str, np.ndarray] = {}  # name -> the distinct values scaled at its places

    def places(name: str, *columns: tuple[str, str]) -> int:
        got = [distinct[c] for c in columns]
        values[name] = np.concatenate(got)
        return max(money.scaled(v)[1] for v in got)

    good_values = [distinct[("batches", c)] for c in ("qty_good", "qty_started", "qty_scrap")]
    values["good"] = np.concatenate(good_values)
    unit, values["unit"] = _unit_places(engine, distinct)
    found = {
        "qty": places("qty", ("material_issues", "qty")),
        "unit": unit,
        "hours": places("hours", ("operations", "labor_hours"), ("operations", "machine_hours")),
        "labor_rate": places("labor_rate", ("rates", "labor_rate")),
        "machine_rate": places("machine_rate", ("rates", "machine_rate")),
        "direct": places("direct", ("direct_costs", "amount")),
        "pool": places("pool", ("cost_pools", "amount")),
        "driver": places("driver", ("drivers", "value")),
        "good": min(max(money.decimal_places(v) for v in good_values), money.MAX_PLACES),
        "bom_qty": places("bom_qty", ("standard_bom", "qty_per_unit")),
        "bom_price": places("bom_price", ("standard_bom", "std_unit_cost")),
        "std_labor_hours": places("std_labor_hours", ("standard_routing", "labor_hours_per_unit")),
        "std_machine_hours": places("std_machine_hours", ("standard_routing", "machine_hours_per_unit")),
        "std_labor_rate": places("std_labor_rate", ("standard_routing", "std_labor_rate")),
        "std_machine_rate": places("std_machine_rate", ("standard_routing", "std_machine_rate")),
        "std_overhead": places("std_overhead", ("standard_overhead", "std_cost_per_unit")),
    }
    ties = frozenset(k for k, p in found.items() if not exact_at(values[k], p))
    return Places(**found, ties=ties)


TYPED = "engine-read columns"  # ds.cache key (with the engine's id): table -> its typed columns (the checks')


def _engine_read(engine: Engine, ds: Dataset, name: str, used: tuple[str, ...]) -> list[on_engine.Typed]:
    """A table the engine reads itself, typed on the engine into `in_<name>` (the model's columns only)."""
    source = ds.params.source(name)
    columns = on_engine.typed_columns(on_engine.open_raw(engine, name, source, ds.root), name, source)
    rows = engine.arrow(f"SELECT count(*) AS n FROM raw_{name}", step=f"rows of {name}")
    ds.sources[name]["rows"] = int(rows["n"][0].as_py())  # for the manifest: what the engine read
    engine.table(f"in_{name}", on_engine.typing_sql(name, columns, ds.params.batch_id, used),
                 on_engine.rule_params(ds.params.batch_id))
    return columns


def typed_columns(ds: Dataset, engine: Engine) -> dict[str, list[on_engine.Typed]]:
    """The typed columns of every table `engine` read itself (after `register`), for `checks.on_engine`."""
    got: dict[str, list[on_engine.Typed]] = ds.cache.get((TYPED, id(engine)), {})
    return got


def _distinct(engine: Engine) -> dict[tuple[str, str], np.ndarray]:
    """The distinct values of every number column (missing as NaN: `money.scaled` counts it as 0, as the numpy
    engine does), over the rows the numpy engine looks at; one statement."""
    columns = [(table, column) for table, (_, _, numbers) in COLUMNS.items() for column in numbers]
    parts = []
    for i, (table, column) in enumerate(columns):
        keyed = " AND ".join(f"{k} IS NOT NULL" for k in KEYED.get(table, ()))
        parts.append(f"SELECT {i} AS col, v FROM (SELECT DISTINCT {column} AS v FROM in_{table}"
                     + (f" WHERE {keyed}" if keyed else "") + ") AS d")
    t = engine.arrow(" UNION ALL ".join(parts) + " ORDER BY col", step="places")
    col = t["col"].to_numpy()
    v = t["v"].to_numpy(zero_copy_only=False).astype("float64")
    bounds = np.searchsorted(col, np.arange(len(columns) + 1))
    return {c: v[bounds[i]:bounds[i + 1]] for i, c in enumerate(columns)}


def _unit_places(engine: Engine, distinct: dict[tuple[str, str], np.ndarray]) -> tuple[int, np.ndarray]:
    """Places of the unit costs issues are priced at, as `postings._price_materials` finds them, and every
    unit cost that will be scaled at them (both columns: what `exact_at` must vouch for)."""
    union = np.concatenate([distinct[("material_issues", "unit_cost")], distinct[("material_lots", "unit_cost")]])
    union = union[~np.isnan(union)]
    _, places = money.scaled(union)
    if places == money.decimal_places(union):
        return places, union  # every value exact at `places`: so is every value used
    return money.scaled(_used_unit_costs(engine))[1], union


def _used_unit_costs(engine: Engine) -> np.ndarray:
    """The unit costs issues are priced at: an issue's own, else its lot's (first row of the lot_id); never
    for an issue of a batch (a sub-assembly)."""
    t = engine.arrow("""
        WITH lots AS (
            SELECT lot_id, unit_cost FROM in_material_lots WHERE lot_id IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY lot_id ORDER BY _row) = 1)
        SELECT DISTINCT coalesce(i.unit_cost, l.unit_cost) AS v
        FROM in_material_issues AS i
        LEFT JOIN lots AS l ON l.lot_id = i.lot_id
        WHERE i.lot_id IS NULL OR i.lot_id NOT IN (SELECT batch_id FROM in_batches WHERE batch_id IS NOT NULL)""",
                     step="places used unit costs")
    v = np.asarray(t["v"].to_numpy(zero_copy_only=False), dtype="float64")
    used: np.ndarray = v[~np.isnan(v)]
    return used


def normal_rate(params: Params) -> dict[str, int]:
    """params scrap.normal_rate as an exact integer and its scale (the statements' $rate_i, $rate_scale)."""
    rate_i, places = money.scaled(np.array([params.scrap.normal_rate]))
    return {"rate_i": int(rate_i[0]), "rate_scale": 10**places}
