"""Execute report notebooks on a few long-lived kernels and render them with nbconvert.

Starting a kernel and importing pandas, matplotlib and batchkit costs more
than most reports take to compute, so `run_jobs` starts `jobs` kernels once
and feeds them the pack's notebooks one after another (the namespace is
reset in between). Parameters are injected exactly as papermill does
(`papermill.parameterize`), so the same notebooks run unchanged under the
papermill CLI or Airflow's PapermillOperator.

The kernel is a kernelspec of our own that starts this very interpreter with
batchkit importable, independent of whatever `python3` kernel a user has.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .jobs import ReportJob, ReportStatus

KERNEL_NAME = "batchkit"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = PACKAGE_ROOT / "templates"
CELL_TIMEOUT = 900  # seconds; a report cell that takes longer is a failure, not a hang
PRELOAD = "import pandas, matplotlib, batchkit.report, batchkit.report.sections"
RESET = "%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt"


def write_kernelspec(root: Path) -> Path:
    """A kernelspec directory for this interpreter under `root/kernels`."""
    spec = root / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")])),
           "MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
           "BATCHKIT_KERNEL_ROOT": str(root)}  # lets a test find this run's kernels
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.log_level=ERROR"],
        "display_name": "batchkit (Python)",
        "language": "python",
        "env": env,
    }, indent=1))
    return root


def render_html(nb: Any, path: Path) -> None:
    """Self-contained HTML: code hidden, charts embedded, our template (no network needed)."""
    from nbconvert import HTMLExporter

    # markdown cells speak to whoever opens the notebook in JupyterLab (in English); the page's own words come
    # from the translation table through the cells' outputs, so a Chinese page has no English paragraph
    exporter = HTMLExporter(template_name="batchkit", extra_template_basedirs=[str(TEMPLATES)],  # type: ignore[no-untyped-call]
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            exclude_markdown=True)
    body, _ = exporter.from_notebook_node(nb)
    path.write_text(body, encoding="utf-8")


class _Kernel:
    """One kernel kept alive across notebooks; restarted if a notebook kills it."""

    def __init__(self, kernel_root: Path, cwd: str) -> None:
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager

        ksm = KernelSpecManager(kernel_dirs=[str(kernel_root / "kernels")])
        self.km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ksm)
        self.cwd = cwd
        self.log = open(kernel_root / f"kernel-{id(self)}.log", "ab")  # noqa: SIM115 (closed in stop)
        self.kc: Any = None

    async def _connect(self) -> None:
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=120)
        self.kc.allow_stdin = False
        await self.kc.execute_interactive(PRELOAD, timeout=120)

    async def start(self) -> None:
        await self.km.start_kernel(cwd=self.cwd, stdout=self.log, stderr=self.log)
        await self._connect()

    async def reset(self) -> None:
        if not await self.km.is_alive():
            self.kc.stop_channels()
            await self.km.restart_kernel(now=True)
            await self._connect()
        await self.kc.execute_interactive(RESET, timeout=60)

    async def stop(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            await self.km.shutdown_kernel(now=True)
        finally:
            self.log.close()


async def _execute(job: ReportJob, kernel: _Kernel) -> ReportStatus:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    start = time.time()
    status = ReportStatus(job.name)
    nb = load_notebook_node(str(job.notebook))  # papermill's reader: normalizes cell tags
    nb = parameterize_notebook(nb, job.parameters, kernel_name="python3", language="python")
    client = NotebookClient(nb, km=kernel.km, timeout=CELL_TIMEOUT, allow_errors=False,
                            resources={"metadata": {"path": str(job.cwd)}})
    client.kc = kernel.kc
    try:
        await client.async_execute()
    except CellExecutionError as exc:
        status.ok, status.error = False, f"{exc.ename}: {exc.evalue}".strip()
    except (CellTimeoutError, DeadKernelError) as exc:
        status.ok, status.error = False, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    nbformat.write(nb, str(job.executed))  # type: ignore[no-untyped-call]
    if status.ok and "html" in job.formats:
        nb.metadata["batchkit"] = job.meta.as_metadata()
        nb.metadata["title"] = job.meta.page_title or job.meta.title
        await asyncio.to_thread(render_html, nb, job.html)
    status.seconds = round(time.time() - start, 2)
    return status


async def _run_all(jobs: list[ReportJob], workers: int, kernel_root: Path,
                   progress: Callable[[str, int, int], None] | None) -> dict[str, ReportStatus]:
    queue = deque(jobs)
    done: dict[str, ReportStatus] = {}

    async def worker() -> None:
        kernel = _Kernel(kernel_root, str(jobs[0].cwd))
        try:
            await kernel.start()
            while queue:
                job = queue.popleft()
                done[job.name] = await _execute(job, kernel)
                if progress:
                    progress(job.name, len(done), len(jobs))
                await kernel.reset()
        finally:
            await kernel.stop()

    await asyncio.gather(*(worker() for _ in range(max(1, min(workers, len(jobs))))))
    return done


def run_jobs(jobs: list[ReportJob], workers: int, kernel_root: Path,
             progress: Callable[[str, int, int], None] | None = None) -> dict[str, ReportStatus]:
    """Execute every job on `workers` kernels; a failing notebook is reported in its status, never raised."""
    if not jobs:
        return {}
    write_kernelspec(kernel_root)
    # The kernels' event loop runs in a thread of its own: signals stay with our handlers in the main
    # thread (nbclient would otherwise swap in its own and restore the default), and it works when the
    # caller already runs an event loop (JupyterLab, Playwright's sync API). On an interrupt the loop
    # is cancelled, so every kernel is shut down before the exception goes on.
    loop = asyncio.new_event_loop()
    task = loop.create_task(_run_all(jobs, workers, kernel_root, progress))
    box: dict[str, Any] = {}
    thread = threading.Thread(target=_serve, args=(loop, task, box), name="batchkit-kernels", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.2)
    except BaseException:
        loop.call_soon_threadsafe(task.cancel)
        thread.join(60)
        raise
    if "error" in box:
        raise box["error"]
    result: dict[str, ReportStatus] = box["result"]
    return result


def _serve(loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any], box: dict[str, Any]) -> None:
    """Thread body: run the jobs' task to the end (or its cancellation), then close the loop."""
    asyncio.set_event_loop(loop)
    try:
        box["result"] = loop.run_until_complete(task)
    except BaseException as exc:  # CancelledError after an interrupt, or a failure to report
        box["error"] = exc
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
