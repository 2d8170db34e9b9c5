"""The report's own YAML files (strings, messages), read with libyaml's C loader when PyYAML has it.

The strings file is read once per kernel and once per `batchkit run`; the pure-Python
loader takes about 0.14 s for it, the C loader under 0.02 s. Both build the same
objects (tests/test_i18n.py compares them). User-written YAML (params) keeps the pure
loader, whose error marks the params messages quote.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """The YAML document in `path` (UTF-8), as safe_load reads it."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
