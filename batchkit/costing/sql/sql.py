"""Small SQL spellings shared by the statements (portable: DuckDB as written, Spark through sqlglot)."""

from __future__ import annotations


def month_of_date(col: str) -> str:
    """A date's month as one integer (year * 12 + month): periods group and compare as ints."""
    return f"(year({col}) * 12 + month({col}))"


def month_of_period(col: str) -> str:
    """The same integer for a 'YYYY-MM' text."""
    return f"(CAST(substr({col}, 1, 4) AS INTEGER) * 12 + CAST(substr({col}, 6, 2) AS INTEGER))"


def first_day(period: str) -> str:
    return f"CAST({period} || '-01' AS DATE)"


HOURS_BASES = ("labor_hours", "machine_hours")


def quoted(names: tuple[str, ...]) -> str:
    """Code constants as an SQL list: ('a', 'b')."""
    return "(" + ", ".join(f"'{n}'" for n in names) + ")"
