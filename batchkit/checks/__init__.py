"""The checks `validate` runs: each a plain function `(ds, post, out)` appending findings (see `run.CHECKS`).

Rows and keys (`rows`), links between tables (`links`), what costing needs
(`costing`); every code they report is registered in `core.check_codes`.
"""

from .run import CHECKS, validate

__all__ = ["CHECKS", "validate"]
