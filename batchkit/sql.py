"""Read a table from a SQL query through SQLAlchemy (any database it supports).

The URL may come from params (`url:`) or, to keep passwords out of files,
from an environment variable named by `url_env:`. Only the masked URL is
ever recorded (manifest, logs, reports).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pyarrow as pa

from .errors import DataError
from .params import Source
from .readers import RawTable


def masked_url(url: str) -> str:
    """The URL with its password replaced by ***."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy understands: show nothing secret
        return "<unparseable url>"


def resolve_url(src: Source, table: str) -> str:
    if src.url_env:
        url = os.environ.get(src.url_env)
        if not url:
            raise DataError(
                f"{table}: environment variable {src.url_env} (params sources.{table}.url_env) is not set",
                table=table, check="sql_url",
            )
        return url
    assert src.url is not None
    return src.url


def read_sql(src: Source, *, table: str) -> RawTable:
    """Run the source's query; every column arrives as text or its native type for `load` to type."""
    try:
        import sqlalchemy as sa
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        raise DataError("SQL sources need SQLAlchemy: pip install sqlalchemy", table=table) from None
    url = resolve_url(src, table)
    shown = masked_url(url)
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            result = conn.execute(sa.text(src.query or ""))
            names = list(result.keys())
            rows = result.fetchall()
        engine.dispose()
    except Exception as exc:  # driver errors vary by database
        detail = str(exc).splitlines()[0]
        detail = detail.replace(url, shown)
        raise DataError(f"{table}: the SQL source {shown} failed: {detail}", table=table, check="sql") from None
    columns: dict[str, Any] = {}
    for i, name in enumerate(names):
        values = [r[i] for r in rows]
        columns[name] = _sql_column(values)
    info = {
        "file": None,
        "url": shown,
        "query": src.query,
        "format": "sql",
        "sha256": _digest(names, rows),
        "size": None,
    }
    return RawTable(pa.table(columns) if columns else pa.table({}), first_row=1, info=info)


def _sql_column(values: list[Any]) -> pa.Array:
    """Keep dates as dates and numbers exact (Decimal -> text), so `load` types them like CSV cells."""
    import datetime as dt
    from decimal import Decimal

    if values and all(v is None or isinstance(v, (dt.date, dt.datetime)) for v in values):
        return pa.array([v.date() if isinstance(v, dt.datetime) else v for v in values], pa.date32())
    out = []
    for v in values:
        if v is None:
            out.append("")
        elif isinstance(v, Decimal):
            out.append(format(v, "f"))
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        elif isinstance(v, float):
            out.append(repr(v))
        elif isinstance(v, (dt.date, dt.datetime)):
            out.append((v.date() if isinstance(v, dt.datetime) else v).isoformat())
        else:
            out.append(str(v))
    return pa.array(out, pa.string())


def _digest(names: list[str], rows: list[Any]) -> str:
    """A content hash of the query result, so the manifest can prove what was read."""
    h = hashlib.sha256()
    h.update("\x1f".join(names).encode())
    for r in rows:
        h.update(b"\x1e")
        h.update("\x1f".join("" if v is None else str(v) for v in r).encode())
    return h.hexdigest()
