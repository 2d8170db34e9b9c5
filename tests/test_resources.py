"""The report's YAML files read with the C loader give exactly what the pure-Python safe loader gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from batchkit.report import resources

REPORT = Path(resources.__file__).parent


@pytest.mark.parametrize("name", ["strings.yaml", "messages.yaml"])
def test_same_document_as_safe_load(name):
    path = REPORT / name
    assert resources.load_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_loader_is_a_safe_one(tmp_path):
    # a python/object tag is what an unsafe loader would execute; a safe loader refuses it
    path = tmp_path / "evil.yaml"
    path.write_text("!!python/object/apply:os.getcwd []\n", encoding="utf-8")
    with pytest.raises(yaml.constructor.ConstructorError):
        resources.load_yaml(path)


@pytest.mark.parametrize("name", ["strings.yaml", "messages.yaml"])
def test_no_key_is_written_twice(name):
    # YAML loaders keep the last of two equal keys silently: a merge that adds a key twice hides one text
    keys = [line.split(":", 1)[0] for line in (REPORT / name).read_text(encoding="utf-8").splitlines()
            if line and not line.startswith((" ", "#", "-"))]
    assert sorted({k for k in keys if keys.count(k) > 1}) == []
