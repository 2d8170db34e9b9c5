"""The `batchkit` command line: commands (`main`) and the terminal rendering of findings and traces."""

from .main import main

__all__ = ["main"]
