"""One translation table for every report text (en, zh-CN).

Titles, labels, column headers and narrative all come from `strings.yaml`,
so a report is entirely in the language the params choose. A key missing
in one language falls back to English rather than failing a monthly run.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from .resources import load_yaml

LANGUAGES = ("en", "zh-CN")
_FILE = Path(__file__).with_name("strings.yaml")


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = load_yaml(_FILE)
    return table


class Translator:
    """`t("key", n=3)` -> the text in this language, formatted with str.format fields."""

    def __init__(self, language: str = "en") -> None:
        self.language = language if language in LANGUAGES else "en"

    def __call__(self, key: str, **fields: Any) -> str:
        entry = _table().get(key)
        if entry is None:
            return key
        text = entry.get(self.language) or entry.get("en") or key
        return text.format(**fields) if fields else text

    def has(self, key: str) -> bool:
        return key in _table()

    def column(self, name: str) -> str:
        """A column header: `col.<name>` when translated, else the name itself."""
        key = f"col.{name}"
        return self(key) if self.has(key) else name

    def driver(self, name: str) -> str:
        """An attribution driver: a variance-like split (material_price) or a cost element."""
        key = f"driver.{name}"
        return self(key) if self.has(key) else self.element(name)

    def element(self, name: str) -> str:
        """A cost element (material, labor, a pool's element...)."""
        key = f"element.{name}"
        return self(key) if self.has(key) else name
