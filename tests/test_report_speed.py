"""The pack's speed-ups keep the output: the report tables of a sequential run; kernels free each report's garbage."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_the_packs_report_tables_are_those_of_a_sequential_run(tmp_path):
    """The reports' analytics run in a thread while the cost folder is written: they still see the contract's
    analytics (the attribution explains the flagged batches of batch_anomalies)."""
    import pyarrow.parquet as pq

    from batchkit.core.params import load_params
    from batchkit.costing.engine import cost
    from batchkit.demo.write import write_demo
    from batchkit.ingest.load import load_dataset
    from batchkit.report.data import report_tables
    from batchkit.report.run import run_pack
    from batchkit.store.cost_folder import output_tables

    write_demo(tmp_path / "data", seed=7, batches=600, fmt="csv")
    params = load_params(None)
    result = cost(load_dataset(tmp_path / "data", params), "2026-06", params)
    output_tables(result)
    expected = report_tables(result)
    assert len(result.tables["batch_anomalies"]) and len(expected["attribution"])
    line = str(result.batch_summary["product_line"].dropna().iloc[0])
    pack = run_pack(data=tmp_path / "data", period="2026-06", params=params, out_root=tmp_path / "out",
                    lines=[line], formats=("xlsx",), jobs=1)
    for name, frame in expected.items():
        written = pq.read_table(pack.folder / "tables" / "report" / f"{name}.parquet")
        assert written.num_rows == len(frame), name


def _job(tmp_path, name: str, source: str):
    import nbformat

    from batchkit.report.jobs import PageMeta, ReportJob, ReportPlan

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return ReportJob(plan=ReportPlan(name=name, notebook=name, title=name), notebook=path,
                     executed=tmp_path / f"{name}.run.ipynb", html=tmp_path / f"{name}.html", cwd=tmp_path,
                     formats=(), parameters={}, meta=PageMeta(title=name, meta=[], footer=""))


@pytest.mark.slow
def test_kernels_freeze_their_heap_yet_collect_each_notebooks_garbage(tmp_path):
    """A kernel freezes what it has loaded (gc.freeze, so that full collections skip the libraries) after its
    imports and after every notebook, but only once the notebook's own garbage is collected: a reference cycle a
    report leaves behind is freed before the next report, never frozen for the kernel's life."""
    import json

    from batchkit.report.execute import run_jobs

    out = tmp_path / "out.json"
    first = ("import builtins, gc, weakref\n"
             "class Node: pass\n"
             "a, b = Node(), Node()\n"
             "a.other, b.other = b, a  # a cycle: only the collector frees it\n"
             "builtins._bk_cycle = weakref.ref(a)\n"
             "builtins._bk_frozen_at_first = gc.get_freeze_count()\n")
    second = ("import builtins, gc, json, pathlib\n"
              f"pathlib.Path({str(out)!r}).write_text(json.dumps({{'first': builtins._bk_frozen_at_first, "
              "'now': gc.get_freeze_count(), 'cycle_freed': builtins._bk_cycle() is None}))\n")
    statuses = run_jobs([_job(tmp_path, "first", first), _job(tmp_path, "second", second)], 1, tmp_path / "k")
    assert all(s.ok for s in statuses.values()), statuses
    seen = json.loads(out.read_text())
    assert seen["first"] > 10_000  # pandas and IPython are frozen before the first notebook
    assert seen["now"] >= seen["first"]
    assert seen["cycle_freed"] is True


def test_the_command_line_skips_jsonschemas_iri_grammar_and_still_validates_notebooks():
    """`batchkit run` imports nbformat, whose jsonschema would compile rfc3987-syntax's grammars (1.5 s of CPU):
    the CLI's process leaves that optional checker out, and notebooks still validate."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from batchkit.cli import main\n"
            "try:\n"
            "    main(['validate', '--help'], standalone_mode=False)\n"
            "except SystemExit:\n"
            "    pass\n"
            "import nbformat\n"
            "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1 + 1')])\n"
            "nbformat.validate(nb)\n"
            "bad = nbformat.from_dict({**nb, 'cells': [{'cell_type': 'code', 'metadata': {}}]})\n"
            "try:\n"
            "    nbformat.validate(bad)\n"
            "    print('INVALID ACCEPTED')\n"
            "except nbformat.ValidationError:\n"
            "    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('rfc3987_syntax') and sys.modules[m] is not None))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
    assert "INVALID ACCEPTED" not in out
