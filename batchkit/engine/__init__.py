"""The engine the relational work runs in.

DuckDB embedded (`connection`, the one module that imports duckdb) and the
statements carried to other dialects (`dialect`).
"""
