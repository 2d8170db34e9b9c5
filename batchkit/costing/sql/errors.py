"""The SQL model's own error: which step refused and why (one line for the CLI, exit 1)."""

from __future__ import annotations

from ...core.errors import BatchkitError


class SqlModelError(BatchkitError):
    """The model cannot cost this data: `step` names where, the message what to fix."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
