"""The few exception types batchkit raises.

Every error a user can cause by their data or params is a `BatchkitError`;
the CLI turns it into one line on stderr and exit code 1. Anything else is a
bug and only shows a traceback with `--debug`.
"""

from __future__ import annotations

import signal
from typing import ClassVar


class BatchkitError(Exception):
    """Base of every error caused by input, params or the environment."""

    exit_code = 1


class DataError(BatchkitError):
    """A dataset cannot be used: names where (table, row, column) and why."""

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        check: str | None = None,
        findings: object = None,
    ) -> None:
        super().__init__(message)
        self.table = table
        self.row = row
        self.column = column
        self.value = value
        self.check = check
        # the whole findings frame, when the error summarises a validation
        self.findings = findings


class ParamsError(BatchkitError):
    """A params file or option is wrong: names the key."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class UnknownIdError(BatchkitError):
    """A trace was asked for an ID that is neither a lot nor a batch."""

    def __init__(self, message: str, *, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class UdiError(BatchkitError):
    """A scanned or typed UDI (GS1 element string) that cannot be read: names the AI and position."""

    def __init__(self, message: str, *, ai: str | None = None, position: int | None = None) -> None:
        super().__init__(message)
        self.ai = ai
        self.position = position


class ReportError(BatchkitError):
    """One or more reports failed; the others were still written."""

    exit_code = 2

    def __init__(self, message: str, *, failed: list[str] | None = None) -> None:
        super().__init__(message)
        self.failed = failed or []


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM during a command: unwinds like Ctrl-C, so nothing half-written is kept.

    The signals are also remembered in `received`: an exception raised while Python runs a
    finalizer is only printed ("Exception ignored ..."), so the output writer checks the
    record before it commits, and a swallowed interrupt still stops the run.
    """

    received: ClassVar[list[int]] = []

    def __init__(self, signum: int, name: str) -> None:
        super().__init__(name)
        self.signal_name = name
        self.exit_code = 128 + signum
        self.committed = False  # True when it arrived just after the outputs were swapped into place

    @classmethod
    def raise_if_received(cls) -> None:
        if cls.received:
            signum = cls.received[0]
            raise cls(signum, signal.Signals(signum).name)


def exit_code_of(exc: BaseException) -> int:
    """The exit code a command ends with after `exc` (contract section 5; 3 = a bug)."""
    if isinstance(exc, BatchkitError):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return getattr(exc, "exit_code", 130)
    return 3
