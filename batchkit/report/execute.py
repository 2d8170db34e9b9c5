"""Execute one report notebook with papermill and render it with nbconvert (runs in a worker process).

The kernel is a kernelspec of our own that starts this very interpreter
with batchkit importable, so a report runs the same in a venv, under a
scheduler or in Airflow's PapermillOperator without depending on whatever
`python3` kernel a user has registered.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

KERNEL_NAME = "batchkit"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = PACKAGE_ROOT / "templates"


def write_kernelspec(root: Path) -> Path:
    """A kernelspec directory for this interpreter; point JUPYTER_PATH at `root` to use it."""
    spec = root / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")])),
           "MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.log_level=ERROR"],
        "display_name": "batchkit (Python)",
        "language": "python",
        "env": env,
    }, indent=1))
    return root


def init_worker(kernel_root: str) -> None:
    """Use our kernelspec; kernels' own stderr chatter (TCP notices, shutdown interrupts) goes to a
    log file in the temporary kernel folder instead of the user's terminal."""
    os.environ["JUPYTER_PATH"] = kernel_root + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    log = os.open(os.path.join(kernel_root, f"worker-{os.getpid()}.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 2)


def render_html(nb: Any, path: Path) -> None:
    """Self-contained HTML: code hidden, charts embedded, our template (no network needed)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="batchkit", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    path.write_text(body, encoding="utf-8")


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Execute `job["notebook"]` with its parameters; write the executed notebook and the HTML.

    Returns a status record; a failing notebook is reported, never raised, so the
    other reports of the pack still complete.
    """
    import nbformat
    import papermill as pm

    start = time.time()
    executed = Path(job["executed"])
    status: dict[str, Any] = {"name": job["name"], "ok": True, "error": "", "seconds": 0.0}
    try:
        pm.execute_notebook(job["notebook"], str(executed), parameters=job["parameters"], kernel_name=KERNEL_NAME,
                            progress_bar=False, log_output=False, cwd=job["cwd"], request_save_on_cell_execute=False)
    except pm.PapermillExecutionError as exc:
        status.update(ok=False, error=f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}".strip())
    except Exception as exc:  # kernel died, missing notebook...: reported for this report only
        status.update(ok=False, error=f"{type(exc).__name__}: {exc}".splitlines()[0])
    if status["ok"] and "html" in job["formats"]:
        nb = nbformat.read(executed, as_version=4)
        nb.metadata["batchkit"] = job["meta"]
        render_html(nb, Path(job["html"]))
    status["seconds"] = round(time.time() - start, 2)
    return status
