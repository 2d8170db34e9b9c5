"""Remembered params (core.params_memo): the same params as a validation, never a stale or a wrong one."""

from __future__ import annotations

import pytest

from batchkit.cli.commands import params_from
from batchkit.core import params_memo
from batchkit.core.errors import ParamsError
from batchkit.core.params import Params
from batchkit.core.params_memo import RememberedParams
from tests.test_cli import batchkit as cli
from tests.test_trace import PLANT, run


def load_with_cli(path, overrides, sets=()):
    """What `batchkit trace` does: remembered params, else the command line's own validation."""
    return params_memo.load(path, overrides, sets, lambda: params_from(path, overrides, tuple(sets)))


@pytest.fixture
def setup(make_data, tmp_path):
    data = make_data(base=PLANT)
    path = tmp_path / "p.yaml"
    path.write_text("currency: EUR\nbatch_id:\n  remove: '-'\n", encoding="utf-8")
    return data, path


def test_the_second_load_is_remembered_and_equals_the_validation(setup):
    data, path = setup
    overrides = {"data": str(data), "period": "2026-02"}
    first = load_with_cli(str(path), overrides, ("variance.robust_z=4",))
    assert isinstance(first, Params)
    again = load_with_cli(str(path), overrides, ("variance.robust_z=4",))
    assert isinstance(again, RememberedParams)
    assert again.resolved() == first.resolved()
    assert again.resolved()["variance"]["robust_z"] == 4
    assert (again.data, again.period, again.currency, again.language) == (str(data), "2026-02", "EUR", "en")
    assert vars(again.batch_id) == first.batch_id.model_dump()
    assert again.validated() == first
    # a trace with remembered params answers as with the model: F1 backward is its own 51.03
    assert run(data, "F1", direction="backward").cost_at_risk == 51.03
    from batchkit import trace

    assert trace(data, "F1", direction="backward", params=again).to_json_dict() == \
        trace(data, "F1", direction="backward", params=first).to_json_dict()


def test_any_change_of_file_options_or_sets_is_validated_again(setup):
    data, path = setup
    base = {"data": str(data), "period": None}
    load_with_cli(str(path), base, ())
    assert isinstance(load_with_cli(str(path), base, ()), RememberedParams)
    assert isinstance(load_with_cli(str(path), {**base, "period": "2026-01"}, ()), Params)
    assert isinstance(load_with_cli(str(path), base, ("currency=USD",)), Params)
    path.write_text("currency: USD\n", encoding="utf-8")
    changed = load_with_cli(str(path), base, ())
    assert isinstance(changed, Params) and changed.currency == "USD"
    assert load_with_cli(str(path), base, ()).currency == "USD"


def test_a_params_error_is_never_remembered(setup):
    data, path = setup
    path.write_text("currency: EUR\nallocation:\n  default_basis: nonsense\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ParamsError, match=r"allocation\.default_basis"):
            load_with_cli(str(path), {"data": str(data)}, ())
    assert not params_memo.memo_dir(data).exists()


def test_no_folder_is_created_and_the_memo_is_bounded(setup, tmp_path):
    data, path = setup
    missing = tmp_path / "nowhere"
    assert isinstance(load_with_cli(str(path), {"data": str(missing)}, ()), Params)
    assert not missing.exists()
    for i in range(params_memo.KEEP + 3):
        load_with_cli(str(path), {"data": str(data)}, (f"variance.window_periods={i + 1}",))
    assert len(list(params_memo.memo_dir(data).glob("*.json"))) == params_memo.KEEP


def test_the_trace_command_reports_a_broken_params_file_every_time(setup):
    data, path = setup
    ok = cli("trace", "F1", "--data", str(data), "--params", str(path))
    assert ok.returncode == 0, ok.stderr
    assert "cost at risk EUR 51.03" in ok.stdout  # F1 forward is F1 alone, 51.03 (tests/test_trace.py)
    again = cli("trace", "F1", "--data", str(data), "--params", str(path))
    assert again.stdout == ok.stdout
    path.write_text("currency: EUR\nnot_a_key: 1\n", encoding="utf-8")
    bad = cli("trace", "F1", "--data", str(data), "--params", str(path))
    assert bad.returncode == 1 and bad.stderr.strip().endswith("unknown key 'not_a_key'")


def test_a_bad_set_value_is_blamed_on_the_command_line_on_every_run(setup):
    data, path = setup
    for _ in range(2):
        with pytest.raises(ParamsError, match=r"^--set variance\.robust_z: "):
            load_with_cli(str(path), {"data": str(data)}, ("variance.robust_z=-1",))
