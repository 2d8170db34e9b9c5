"""The engine wrapper: its settings, inputs, materialized steps, the statement log and its errors."""

from __future__ import annotations

import pyarrow as pa
import pytest

from batchkit.engine.connection import SCAN_ROWS, Engine, EngineError, Overflow, memory_bytes


def test_settings_reach_duckdb(tmp_path):
    with Engine(memory_limit="512MB", threads=1, temp_directory=tmp_path / "spill") as engine:
        got = engine.arrow("SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t, "
                           "current_setting('temp_directory') AS d").to_pylist()[0]
    assert got["t"] == 1 and got["d"] == str(tmp_path / "spill")
    assert got["m"].replace(" ", "") in ("512.0MiB", "488.2MiB", "512MB")  # DuckDB prints it in its own unit


def test_a_share_of_memory_becomes_megabytes():
    assert memory_bytes("8GB") == "8GB"
    assert memory_bytes("50%").endswith("MB") and int(memory_bytes("50%")[:-2]) > 0


def test_register_materialize_query_and_log():
    rows = SCAN_ROWS + 5  # sliced into record batches (parallel scans), the data not copied
    with Engine(threads=2) as engine:
        engine.register("t", pa.table({"x": pa.array(range(rows), pa.int64())}))
        engine.table("doubled", "SELECT x * $k AS y FROM t", {"k": 2, "unused": 3})
        total = engine.arrow("SELECT CAST(sum(y) AS BIGINT) AS s FROM doubled", step="sum")["s"][0].as_py()
        frame = engine.df("SELECT count(*) AS n FROM doubled")
    assert total == rows * (rows - 1)  # 2 x (0 + 1 + ... + rows-1)
    assert frame["n"].tolist() == [rows]
    # the log keeps each statement as given, with only the parameters it names
    assert [(st.step, st.params) for st in engine.log] == [("doubled", {"k": 2}), ("sum", {}), ("query", {})]
    assert engine.log[0].sql == "SELECT x * $k AS y FROM t"


def test_overflow_is_its_own_error_naming_the_step():
    with Engine(threads=1) as engine:
        with pytest.raises(Overflow) as err:
            engine.table("big", "SELECT CAST(4000000000 AS BIGINT) * CAST(4000000000 AS BIGINT) * 4 AS x")
        assert err.value.step == "big" and "Overflow" in str(err.value)
        with pytest.raises(EngineError) as err:
            engine.arrow("SELECT * FROM no_such_table", step="lookup")
        assert not isinstance(err.value, Overflow) and err.value.step == "lookup"


def test_wide_division_is_exact_past_64_bits():
    # 12000000009004000000003 // 7 = 1714285715572000000000 remainder 3 (exact, by hand: 7 x 1714285715572 x 10^9
    # = 12000000009004 x 10^9); the quotient fits BIGINT only after a division by 10^6
    with Engine(threads=1) as engine:
        got = engine.arrow("SELECT wide_div(CAST('12000000009004000000003' AS DECIMAL(38,0)), 7000000) AS q")
    assert got["q"].to_pylist() == [12000000009004000000003 // 7000000] == [1714285715572000]
