"""The `batchkit` command line: commands (`main`) and the terminal rendering of findings and traces."""

from .commands import main

__all__ = ["main"]
