"""Counted nouns for terminal output: "1 error", "2 errors", "1 batch", "3 batches"."""

from __future__ import annotations

IRREGULAR = {"batch": "batches", "match": "matches", "entry": "entries"}


def count(n: int, word: str) -> str:
    """`n` with `word` in the singular for exactly one, the plural otherwise (thousands separated)."""
    return f"{n:,} {word if n == 1 else IRREGULAR.get(word, word + 's')}"
