"""The SQL model's own error: which step refused and why.

Self-contained for now; when the model moves into the package it becomes a
subclass of `batchkit.errors.BatchkitError` (the CLI's one-line errors).
"""

from __future__ import annotations


class SqlModelError(Exception):
    """The model cannot cost this data: `step` names where, the message what to fix."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
