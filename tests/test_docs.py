"""Every command has help and is documented in the README; the README's layout names every stage folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from batchkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help_and_a_readme_entry(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0 and "Usage: " in result.output
    assert (main.commands[name].help or "").strip(), f"{name} has no help text"
    assert f"`batchkit {name}" in README, f"README does not document `batchkit {name}`"


def test_readme_layout_names_every_stage():
    stages = sorted(p.name for p in (ROOT / "batchkit").iterdir() if (p / "__init__.py").is_file())
    layout = README[README.index("## Layout"):]
    assert [s for s in stages if f"  {s}/" not in layout] == []
